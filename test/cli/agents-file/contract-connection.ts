/**
 * A `ContractConnection` to an engine in the test process: the contract
 * service every host serves (`createContractService`: dispatch, views, log
 * feed, status events), without the socket. `contractTarget` over it runs
 * apply/down through exactly the calls and events the CLI uses.
 */
import { afterEach } from 'vitest';
import { createContractService, type ContractClient, type ContractService } from '../../../src-main/api/index';
import type { ContractConnection } from '../../../src-main/cli/agents-file';
import type { Supervisor } from '../../../src-main/supervisor/index';
import type { CallArgs, CallName, CallOutput, EventName, EventPayloads, Result } from '../../../src-preload/contract';
import { testHost } from '../../helpers/host-adapter';

const open: { service: ContractService; client: ContractClient }[] = [];

afterEach(() => {
  for (const { service, client } of open.splice(0)) {
    client.close();
    service.close();
  }
});

/** A connection to `engine` through the contract service, closed after the test. */
export function connectTo(engine: Supervisor): ContractConnection {
  const service = createContractService(engine, testHost);
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const client = service.connect((event, payload) => {
    for (const listener of listeners.get(event) ?? []) (listener as (payload: unknown) => void)(payload);
  });
  open.push({ service, client });
  return {
    call: <K extends CallName>(name: K, ...args: CallArgs<K>) => client.call(name, args[0]) as Promise<Result<CallOutput<K>>>,
    subscribe<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: never) => void);
      return () => void set.delete(listener as (payload: never) => void);
    },
  };
}
