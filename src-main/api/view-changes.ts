/**
 * Which agents a status event carries: those whose view changed since the last one. With 100 quiet
 * agents a tick then sends a few hundred bytes instead of ~100 KB, and a UI re-renders what moved.
 */
import equal from 'fast-deep-equal';
import type { AgentView } from '../../src-preload/contract';

/**
 * True when `view` says something `before` did not. `runtimeSeconds` alone is no change: it moves on
 * every tick of every live agent, and a UI computes it from the agent's times (`runtimeSecondsAt`).
 */
export function hasChanged(before: AgentView | undefined, view: AgentView): boolean {
  if (before === undefined) return true;
  for (const key of Object.keys(view) as (keyof AgentView)[]) {
    if (key !== 'runtimeSeconds' && !equal(before[key], view[key])) return true;
  }
  return Object.keys(before).length !== Object.keys(view).length;
}
