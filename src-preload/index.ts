/**
 * The bridge: exposes the contract as `window.corral`, and nothing else. The
 * renderer never gets `ipcRenderer`, a channel name or Node. Every method is
 * generated from the contract's names, so the bridge cannot drift from it.
 *
 * Only `contract/channels` is imported as a value: it carries no schemas, so
 * the sandboxed preload bundle stays small (the host parses every input anyway).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { CorralApi } from './contract/calls';
import type { EventPayloads } from './contract/events';
import { CALL_NAMES, callChannel, EVENT_NAMES, eventChannel, type EventName } from './contract/channels';

const methods = Object.fromEntries(CALL_NAMES.map((name) => [name, (...args: unknown[]) => ipcRenderer.invoke(callChannel(name), ...args.slice(0, 1))]));

function subscribe<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
  if (!EVENT_NAMES.includes(event) || typeof listener !== 'function') throw new TypeError(`Unknown event "${String(event)}"`);
  const channel = eventChannel(event);
  // The IPC event object (with its `sender`) never reaches the page: only the payload does.
  const forward = (_event: IpcRendererEvent, payload: EventPayloads[E]) => listener(payload);
  ipcRenderer.on(channel, forward);
  return () => {
    ipcRenderer.removeListener(channel, forward);
  };
}

const corral = { ...methods, subscribe } as unknown as CorralApi;

contextBridge.exposeInMainWorld('corral', corral);
