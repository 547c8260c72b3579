/**
 * Bringing saved agents back when Corral starts. A saved live record is
 * re-adopted only when the same process (same boot, pid and start time) is
 * still there; otherwise it is `lost`. A spawn cut short (saved `spawning`
 * before its pid or start time was) is resolved by its marker: the live
 * process carrying its CORRAL_AGENT_ID under our data dir whose parent does
 * not is its root, adopted; none, and it is `lost` with a note. A stop cut
 * short by Corral's own end is finished, never left half-done, and a restart
 * that was due while Corral was away happens now (one not yet due keeps its time).
 */
import { performance } from 'node:perf_hooks';
import { AgentRunner } from './agent/agent-runner';
import type { RunnerContext } from './agent/runner-context';
import { openSecrets } from './agent/secrets';
import { isDeadState, type ProcEntry, type ProcessTable } from './process/process-table';
import type { StateFile } from './state/state-store';

/** How long before its run was recorded a process may appear to start and still be that run's (clock steps, start-time rounding). */
const START_SLACK_MS = 1000;

type MarkerScan = () => Promise<{ table: ProcessTable; markers: Map<number, string> }>;

/** A runner per saved agent, each reconciled with what is running now. */
export async function recoverAgents(ctx: RunnerContext, saved: StateFile['agents']): Promise<AgentRunner[]> {
  const runners: AgentRunner[] = [];
  let scanned: ReturnType<MarkerScan> | null = null;
  // One scan of the environments serves every spawn cut short, and none is taken without one.
  const scan: MarkerScan = () =>
    (scanned ??= ctx.snapshots.table(performance.now()).then(async (table) => ({ table, markers: await ctx.snapshots.agentMarkers(table) })));
  for (const [agentId, record] of Object.entries(saved)) {
    const runner = AgentRunner.fromSaved(ctx, agentId, record, await openSecrets(record.secrets, ctx.secretBox));
    await reconcile(ctx, runner, scan);
    runners.push(runner);
  }
  return runners;
}

/** Resumes what was under way: interrupted stops (as forceful as they had become) and pending restarts. */
export function resumeInterrupted(runners: Iterable<AgentRunner>): void {
  for (const runner of runners) runner.resume();
}

async function reconcile(ctx: RunnerContext, runner: AgentRunner, scan: MarkerScan): Promise<void> {
  const run = runner.record;
  if (!runner.isLive) return;
  const sameBoot = run.bootId === ctx.bootId;
  if (sameBoot && run.state === 'spawning' && (run.pid === null || run.startTime === null)) {
    runner.recovered(spawnedRoot(runner, await scan()), sameBoot);
    return;
  }
  const entry = sameBoot && run.pid !== null ? await ctx.reader.read(run.pid) : null;
  const isSame = entry !== null && entry.startTime === run.startTime && !isDeadState(entry.stateCode);
  runner.recovered(isSame ? entry : null, sameBoot);
}

/**
 * The root of a spawn cut short: among the live processes marked with its id
 * that started after its run was recorded, one whose parent is not marked with
 * it (its saved pid first, then the earliest).
 */
function spawnedRoot(runner: AgentRunner, { table, markers }: Awaited<ReturnType<MarkerScan>>): ProcEntry | null {
  const { record, pid } = runner.record;
  const since = record ? Date.parse(record.startedAt) - START_SLACK_MS : -Infinity;
  const marked = new Map<number, ProcEntry>();
  for (const [markedPid, agentId] of markers) {
    const entry = table.byPid.get(markedPid);
    if (agentId !== runner.agentId || !entry || isDeadState(entry.stateCode)) continue;
    if (entry.startedAtMs === null || entry.startedAtMs >= since) marked.set(markedPid, entry);
  }
  const roots = [...marked.values()].filter((entry) => !marked.has(entry.ppid));
  roots.sort((a, b) => Number(b.pid === pid) - Number(a.pid === pid) || (a.startedAtMs ?? 0) - (b.startedAtMs ?? 0) || a.pid - b.pid);
  return roots[0] ?? null;
}
