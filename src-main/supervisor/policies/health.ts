import { assertNever } from '../errors';
import type { AgentHealth, AgentState } from '../types';

/**
 * The one place that decides an agent's health.
 * A zombie root outranks everything: the process is dead but not reaped.
 * A stall (stall.ts) is only news while the agent runs: a paused one is idle by request.
 */
export function decideHealth(state: AgentState, isRootZombie: boolean, isStalled = false): AgentHealth {
  if (isRootZombie) return 'zombie';
  switch (state) {
    case 'running':
      return isStalled ? 'stalled' : 'healthy';
    case 'spawning':
    case 'stopping':
      return 'healthy';
    // Frozen on purpose: its state says so; silence and idleness are expected, so never `stalled`.
    case 'paused':
      return 'healthy';
    case 'backoff':
      return 'restarting';
    case 'completed':
      return 'completed';
    case 'failed':
    case 'crash-looping':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
    case 'lost':
      return 'unknown';
    default:
      return assertNever(state);
  }
}
