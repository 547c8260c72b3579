/**
 * A contract service that arrives later. The desktop binds its window to this
 * before the engine has started, so the window paints at once while the engine
 * opens the data folder, re-adopts agents and waits for the keychain
 * (safeStorage answers asynchronously). Calls made meanwhile wait for the real
 * service; if it never comes, they answer with why.
 */
import type { Result } from '../../src-preload/contract';
import type { ContractClient, ContractService, EventSink } from './service';

export function deferredService(ready: Promise<ContractService>): ContractService {
  // The failure is answered to each call (and reported by whoever made `ready`): never an unhandled rejection here.
  const settled = ready.then(
    (service) => ({ service }),
    (error: unknown) => ({ failure: error instanceof Error ? error.message : String(error) }),
  );
  let closed = false;
  const clients = new Set<() => void>();

  return {
    connect(send: EventSink): ContractClient {
      let isClosed = false;
      const client = settled.then((outcome) => {
        if (!('service' in outcome) || isClosed) return null;
        return outcome.service.connect(send);
      });
      const close = () => {
        isClosed = true;
        void client.then((real) => real?.close());
      };
      clients.add(close);
      return {
        async call(name: unknown, input: unknown): Promise<Result<unknown>> {
          const outcome = await settled;
          if (!('service' in outcome)) return { ok: false, error: { code: 'closed', message: `Corral could not start: ${outcome.failure}` } };
          const real = await client;
          if (real === null || closed) return { ok: false, error: { code: 'closed', message: 'Corral is closing.' } };
          return real.call(name, input);
        },
        close() {
          clients.delete(close);
          close();
        },
      };
    },
    close() {
      closed = true;
      for (const close of clients) close();
      clients.clear();
    },
  };
}
