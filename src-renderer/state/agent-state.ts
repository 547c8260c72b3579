/** Facts about lifecycle states the whole UI agrees on (`isLive` is the contract's, shared with the engine). */
import { isLive, type AgentState } from '../../src-preload/contract';

export { isLive };

/**
 * Live, or waiting out a restart backoff: the agent is not done. It can be
 * stopped (which cancels a pending restart), not removed or run again, and
 * its id cannot be reused.
 */
export function isActive(state: AgentState): boolean {
  return isLive(state) || state === 'backoff';
}
