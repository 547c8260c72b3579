/**
 * A policy change applied to one agent's record, now and for its later runs:
 * a niceness goes to its live tree first (refused: nothing changes), a new
 * guard starts watching afresh, and a restart that was due when restarts are
 * turned off is called off. The runner makes the transition this decides.
 */
import { isFailure } from '../policies/exit-classification';
import { definedPolicies, policiesOf } from '../policies/policies';
import { requireNiceness } from '../process/priority';
import type { AgentPolicies } from '../types';
import { isLive, type AgentRun } from './agent-record';

/** Applies `change` to `run`; the state it ends in when it waited for a restart that is now off (as its last run ended), else null. */
export function applyPolicyChange(run: AgentRun, change: Partial<AgentPolicies>): 'failed' | 'completed' | null {
  const defined = definedPolicies(change);
  if (defined.niceness != null && isLive(run)) {
    const pids = run.latest?.liveMembers.map((member) => member.pid) ?? (run.pid === null ? [] : [run.pid]);
    requireNiceness(pids, defined.niceness);
  }
  run.request = { ...run.request, ...defined };
  if (defined.guard !== undefined) run.guard.reset();
  if (run.state !== 'backoff' || policiesOf(run.request).restart.mode !== 'no') return null;
  const lastExit = run.runs.at(-1)?.exit ?? null;
  return lastExit !== null && isFailure(lastExit) ? 'failed' : 'completed';
}
