/**
 * The bridge: exposes the contract's calls as `window.corral`, and nothing
 * else. The renderer never gets `ipcRenderer`, a channel name or Node.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { calls, type CallArgs, type CallName, type CallOutput, type CorralApi, type Result } from './contract';

/** Invokes one call over its channel; main answers with a result, never a throw. */
function invoke<K extends CallName>(name: K, ...args: CallArgs<K>): Promise<Result<CallOutput<K>>> {
  return ipcRenderer.invoke(calls[name].channel, ...args) as Promise<Result<CallOutput<K>>>;
}

const corral = {
  monitorAllAgents: () => invoke('monitorAllAgents'),
  getProcessSummary: () => invoke('getProcessSummary'),
} satisfies CorralApi;

contextBridge.exposeInMainWorld('corral', corral);
