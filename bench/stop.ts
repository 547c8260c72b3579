/**
 * Stop figures: a graceful `cleanup()` of 100 cooperative agents, and of 5
 * agents that ignore SIGTERM with 1 s / 1 s / 1 s stages (SIGTERM, SIGTERM,
 * SIGKILL), so the second is bounded by the first two stages.
 */
import { performance } from 'node:perf_hooks';
import type { CleanupReport, Supervisor } from '../src-main/supervisor/index';
import { agentId, countingReader, createReader, nodeAgent, progress, spawnAll, waitReady, type BenchContext, type ReaderCounts } from './harness';
import { heading, median, row, type Line } from './stats';

const COOPERATIVE = 100;
const COOPERATIVE_ROUNDS = 3;
const STUBBORN = 5;
const STUBBORN_ROUNDS = 3;
const STAGE_MS = 1000;

export async function benchStop(ctx: BenchContext): Promise<Line[]> {
  // The reader is wrapped to count what one cleanup() asks of it.
  const counting = countingReader(createReader('proc'));
  const supervisor = await ctx.supervisor('stop', 'proc', { processReader: counting.reader });
  const lines: Line[] = [heading('stop (proc reader)')];

  const cooperative: number[] = [];
  const perAgent: number[] = [];
  const counts: ReaderCounts[] = [];
  for (let round = 0; round < COOPERATIVE_ROUNDS; round++) {
    progress(`stop: ${COOPERATIVE} cooperative agents, round ${round + 1}/${COOPERATIVE_ROUNDS}`);
    const { wallMs, report } = await spawnThenCleanup(
      supervisor,
      COOPERATIVE,
      (i) => nodeAgent(agentId('coop', round, i), ctx.scripts.cooperative),
      undefined,
      counting.reset,
    );
    counts.push({ ...counting.counts });
    if (report.stopped.length !== COOPERATIVE) throw new Error(`cooperative stop: ${summary(report)}`);
    const stages = Object.values(report.reports).reduce((n, r) => n + r.endedByStage.term2 + r.endedByStage.kill, 0);
    if (stages > 0) throw new Error(`cooperative stop needed a second stage for ${stages} processes`);
    cooperative.push(wallMs);
    perAgent.push(median(Object.values(report.reports).map((r) => r.durationMs)) ?? Number.NaN);
  }
  lines.push(row(`graceful cleanup() of ${COOPERATIVE} cooperative agents, wall`, 'ms', cooperative, { op: '<=', value: 300 }, '[10]'));
  lines.push(row(`  … median of the agents' own stop durations (StopReport.durationMs)`, 'ms', perAgent));
  lines.push(row(`  … process-table snapshots taken during that cleanup()`, '', counts.map((c) => c.snapshots), null, '[12]'));
  lines.push(row(`  … /proc/*/environ marker scans during that cleanup()`, '', counts.map((c) => c.markerScans), null, '[12]'));
  lines.push(row(`  … time inside those snapshots, scans and reads (synchronous)`, 'ms', counts.map((c) => c.syncMs), null, '[12]'));

  const stubborn: number[] = [];
  for (let round = 0; round < STUBBORN_ROUNDS; round++) {
    progress(`stop: ${STUBBORN} SIGTERM-ignoring agents, round ${round + 1}/${STUBBORN_ROUNDS}`);
    const { wallMs, report } = await spawnThenCleanup(supervisor, STUBBORN, (i) => nodeAgent(agentId('stubborn', round, i), ctx.scripts.stubborn), {
      firstTermMs: STAGE_MS,
      secondTermMs: STAGE_MS,
      killMs: STAGE_MS,
    });
    const killed = Object.values(report.reports).reduce((n, r) => n + r.endedByStage.kill, 0);
    if (report.stopped.length !== STUBBORN || killed !== STUBBORN) throw new Error(`stubborn stop: ${summary(report)}, ${killed} ended by SIGKILL`);
    stubborn.push(wallMs);
  }
  lines.push(row(`graceful cleanup() of ${STUBBORN} SIGTERM-ignoring agents, stages 1 s/1 s/1 s`, 'ms', stubborn, { op: '<=', value: 2300 }, '[11]'));

  await ctx.release(supervisor);
  return lines;
}

async function spawnThenCleanup(
  supervisor: Supervisor,
  count: number,
  make: (i: number) => ReturnType<typeof nodeAgent>,
  timeouts?: { firstTermMs: number; secondTermMs: number; killMs: number },
  beforeCleanup?: () => void,
): Promise<{ wallMs: number; report: CleanupReport }> {
  const requests = Array.from({ length: count }, (_, i) => make(i));
  await spawnAll(supervisor, requests);
  await waitReady(supervisor, requests.map((req) => req.agentId));
  await supervisor.sampleNow(); // as the app would have, once a second
  beforeCleanup?.();
  const started = performance.now();
  const report = await supervisor.cleanup(timeouts ? { timeouts } : {});
  return { wallMs: performance.now() - started, report };
}

function summary(report: CleanupReport): string {
  return `${report.stopped.length} stopped, ${report.unkillable.length} unkillable, ${report.alreadyEnded.length} already ended`;
}
