/**
 * Bringing saved agents back when Corral starts. A saved live record is
 * re-adopted only when the same process (same boot, pid and start time) is
 * still there; otherwise it is `lost`. A stop cut short by Corral's own end is
 * finished, never left half-done, and a restart that was due while Corral was
 * away happens now (one not yet due keeps its time).
 */
import { AgentRunner } from './agent/agent-runner';
import type { RunnerContext } from './agent/runner-context';
import { isDeadState } from './process/process-table';
import type { StateFile } from './state/state-store';

/** A runner per saved agent, each reconciled with what is running now. */
export async function recoverAgents(ctx: RunnerContext, saved: StateFile['agents']): Promise<AgentRunner[]> {
  const runners: AgentRunner[] = [];
  for (const [agentId, record] of Object.entries(saved)) {
    const runner = AgentRunner.fromSaved(ctx, agentId, record);
    await reconcile(ctx, runner);
    runners.push(runner);
  }
  return runners;
}

/** Resumes what was under way: interrupted stops (as forceful as they had become) and pending restarts. */
export function resumeInterrupted(runners: Iterable<AgentRunner>): void {
  for (const runner of runners) runner.resume();
}

async function reconcile(ctx: RunnerContext, runner: AgentRunner): Promise<void> {
  const run = runner.record;
  if (!runner.isLive) return;
  const sameBoot = run.bootId === ctx.bootId;
  const entry = sameBoot && run.pid !== null ? await ctx.reader.read(run.pid) : null;
  const isSame = entry !== null && entry.startTime === run.startTime && !isDeadState(entry.stateCode);
  runner.recovered(isSame, sameBoot);
}
