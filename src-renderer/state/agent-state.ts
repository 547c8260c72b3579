/** Facts about lifecycle states the whole UI agrees on. */
import type { AgentState } from '../../src-preload/contract';

/** States in which the agent's processes may still exist: figures are live, it can be stopped. */
export function isLive(state: AgentState): boolean {
  return state === 'spawning' || state === 'running' || state === 'stopping';
}

/**
 * Live, or waiting out a restart backoff: the agent is not done. It can be
 * stopped (which cancels a pending restart), not removed or run again, and
 * its id cannot be reused.
 */
export function isActive(state: AgentState): boolean {
  return isLive(state) || state === 'backoff';
}

export function isEnded(state: AgentState): boolean {
  return !isActive(state);
}
