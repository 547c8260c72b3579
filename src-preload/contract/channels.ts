/**
 * The name of every call and event, and the channel each travels on: all the
 * sandboxed preload needs to build `window.corral`.
 *
 * Free of schemas on purpose: the preload bundles this module and nothing else
 * of the contract, so it stays small. The lists are pinned to the `calls` and
 * `events` maps at compile time (see `calls.ts`, `events.ts`): a call or event
 * named in one place and not the other fails the typecheck.
 */

/** Every call, by name. The name is the method on `window.corral` (and the WebSocket method). */
export const CALL_NAMES = [
  'getHostInfo',
  'monitorAllAgents',
  'getProcessSummary',
  'getAgent',
  'getAgentRequest',
  'getAgentHistory',
  'getProcessTree',
  'listPresets',
  'spawnAgent',
  'runAgain',
  'restartAgent',
  'pauseAgent',
  'resumeAgent',
  'stopAgent',
  'stopAll',
  'removeAgent',
  'removeFinished',
  'reapZombies',
  'readLog',
  'followLogs',
  'listOrphans',
  'stopOrphans',
  'getRunHistory',
  'updateAgentPolicies',
  'getSettings',
  'updateSettings',
  'openLogFolder',
] as const;

export type CallName = (typeof CALL_NAMES)[number];

/** Every event, by name. */
export const EVENT_NAMES = ['status', 'log', 'notice'] as const;

export type EventName = (typeof EVENT_NAMES)[number];

/** The IPC channel a call is invoked on. */
export type CallChannel<K extends CallName = CallName> = `corral:${K}`;

/** The IPC channel an event is sent on. */
export type EventChannel<E extends EventName = EventName> = `corral:event:${E}`;

/** `corral:<name>`: the one rule that names a call's channel. */
export function callChannel<K extends CallName>(name: K): CallChannel<K> {
  return `corral:${name}`;
}

/** `corral:event:<name>`: the one rule that names an event's channel. */
export function eventChannel<E extends EventName>(name: E): EventChannel<E> {
  return `corral:event:${name}`;
}
