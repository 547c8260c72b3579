/**
 * The bridge: exposes the contract as `window.corral`, and nothing else. The
 * renderer never gets `ipcRenderer`, a channel name or Node. Every method is
 * generated from the contract, so the bridge cannot drift from it.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CALL_NAMES, calls, EVENT_NAMES, events, type CorralApi, type EventName, type EventPayloads } from './contract';

const methods = Object.fromEntries(
  CALL_NAMES.map((name) => [name, (...args: unknown[]) => ipcRenderer.invoke(calls[name].channel, ...args.slice(0, 1))]),
);

function subscribe<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
  if (!EVENT_NAMES.includes(event) || typeof listener !== 'function') throw new TypeError(`Unknown event "${String(event)}"`);
  const channel = events[event].channel;
  // The IPC event object (with its `sender`) never reaches the page: only the payload does.
  const forward = (_event: IpcRendererEvent, payload: EventPayloads[E]) => listener(payload);
  ipcRenderer.on(channel, forward);
  return () => {
    ipcRenderer.removeListener(channel, forward);
  };
}

const corral = { ...methods, subscribe } as unknown as CorralApi;

contextBridge.exposeInMainWorld('corral', corral);
