import { assertNever } from './errors';
import type { AgentHealth, AgentState } from './types';

/**
 * The one place that decides an agent's health.
 * A zombie root outranks everything: the process is dead but not reaped.
 */
export function decideHealth(state: AgentState, isRootZombie: boolean): AgentHealth {
  if (isRootZombie) return 'zombie';
  switch (state) {
    case 'spawning':
    case 'running':
    case 'stopping':
      return 'healthy';
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
    case 'lost':
      return 'unknown';
    default:
      return assertNever(state);
  }
}
