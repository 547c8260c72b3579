/**
 * Binds the contract to `ipcMain` for one window. Every call: checks the
 * sender, then hands the payload to the service, which validates it and
 * answers with a result value (Electron's own error serialisation is lossy,
 * so nothing is ever thrown across the bridge). Events go to the window on
 * their contract channel, already batched by the service.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { CALL_NAMES, calls, events, type Result } from '../../src-preload/contract';
import type { ContractService } from '../api/index';

export interface BindContractOptions {
  service: ContractService;
  /** The window's contents once it exists; events are dropped before that. */
  contents: () => WebContents | null;
  /** Decides whether a request may be served; see `isFromMainFrameOf`. */
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
}

/** Registers a handler for every call of the contract. Returns a function that removes them all. */
export function bindContract({ service, contents, isTrustedSender }: BindContractOptions): () => void {
  const client = service.connect((event, payload) => {
    const target = contents();
    if (target !== null && !target.isDestroyed()) target.send(events[event].channel, payload);
  });
  for (const name of CALL_NAMES) {
    ipcMain.handle(calls[name].channel, async (event, ...args: unknown[]): Promise<Result<unknown>> => {
      if (!isTrustedSender(event)) {
        return { ok: false, error: { code: 'forbidden', message: 'This request did not come from the Corral window.' } };
      }
      // The bridge sends at most one argument; anything more was not sent by it.
      if (args.length > 1) {
        return { ok: false, error: { code: 'invalid-argument', message: `Invalid input for ${name}: expected at most one argument, got ${args.length}` } };
      }
      return client.call(name, args[0]);
    });
  }
  return () => {
    for (const name of CALL_NAMES) ipcMain.removeHandler(calls[name].channel);
    client.close();
  };
}
