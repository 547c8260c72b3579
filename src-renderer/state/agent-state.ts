/** Facts about lifecycle states the whole UI agrees on. */
import type { AgentState } from '../../src-preload/contract';

/** States in which the agent's processes may still exist: they can be stopped, not removed or run again. */
export function isLive(state: AgentState): boolean {
  return state === 'spawning' || state === 'running' || state === 'stopping';
}

export function isEnded(state: AgentState): boolean {
  return !isLive(state);
}
