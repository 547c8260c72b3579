/**
 * Sampling figures for one process reader: the cost of one tick at 10, 50 and
 * 100 agents (each agent = 1 node root + 3 sleep descendants), the event-loop
 * delay while sampling every 100 ms, CPU % of a busy agent on its first tick,
 * and RSS growth of the host over many ticks. The same agents are then
 * stopped in one `cleanup()`.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Supervisor } from '../src-main/supervisor/index';
import { agentId, childrenCpuMs, countingReader, createReader, nodeAgent, progress, sleep, spawnAll, waitFor, waitReady, type BenchContext, type ReaderCounts, type ReaderKind } from './harness';
import { measureRssGrowth, type RssFigures } from './memory';
import { heading, ratioRow, row, type Line, type Row } from './stats';

export const AGENT_COUNTS = [10, 50, 100] as const;
const DESCENDANTS = 3;
const WARMUP_TICKS = 3;
const TICKS = 20;
/** Ticks per round of the CPU-with-children figure (`ps` time is counted in clock ticks, 10 ms each). */
const TICKS_PER_CPU_ROUND = 5;
const LOOP_INTERVAL_MS = 100;
const LOOP_ROUNDS = 3;
const LOOP_ROUND_MS = 2000;
const ELD_RESOLUTION_MS = 10;
const BUSY_ROUNDS = 3;
const BUSY_AGE_MS = 300;

export interface TickFigures {
  wallMs: number[];
  cpuMs: number[];
  /** Per tick, averaged over rounds of TICKS_PER_CPU_ROUND ticks: own CPU + CPU of reaped children (`ps`). */
  cpuWithChildrenMs: number[];
  /** Processes in all trees at the time (roots + descendants), as the engine saw them. */
  processes: number;
}

export interface SamplingFigures {
  reader: ReaderKind;
  ticks: Map<number, TickFigures>;
  /** p99 event-loop delay (ms) per round of continuous sampling. */
  eventLoopP99Ms: number[];
  /** cpuPercent of a busy-loop agent in its first status (null = not readable). */
  firstTickCpu: (number | null)[];
  rss: RssFigures;
  stopMs: number;
  stopSummary: string;
  /** What that cleanup() asked of the reader. */
  stopCounts: ReaderCounts;
}

export async function benchSampling(ctx: BenchContext, reader: ReaderKind): Promise<SamplingFigures> {
  const counting = countingReader(createReader(reader));
  const supervisor = await ctx.supervisor(`sampling-${reader.replace('+', '-')}`, reader, { processReader: counting.reader });
  // A status listener makes each tick also build every agent's status, as the app does.
  supervisor.on('status', () => undefined);

  const firstTickCpu = await busyFirstTick(ctx, supervisor, reader);

  const ticks = new Map<number, TickFigures>();
  let spawned = 0;
  for (const count of AGENT_COUNTS) {
    progress(`sampling [${reader}]: spawning up to ${count} tree agents`);
    const requests = [];
    for (; spawned < count; spawned++) requests.push(nodeAgent(agentId('tree', reader === 'proc' ? 'p' : 's', spawned), ctx.scripts.tree));
    await spawnAll(supervisor, requests);
    await waitReady(supervisor, requests.map((req) => req.agentId));
    const processes = await waitForTrees(supervisor, count);
    progress(`sampling [${reader}]: ${count} agents, ${processes} processes: measuring ticks`);
    ticks.set(count, { ...(await measureTicks(supervisor)), processes });
  }

  progress(`sampling [${reader}]: event-loop delay while sampling every ${LOOP_INTERVAL_MS} ms`);
  const eventLoopP99Ms: number[] = [];
  for (let round = 0; round < LOOP_ROUNDS; round++) eventLoopP99Ms.push(await eventLoopDelayWhileSampling(supervisor));

  progress(`sampling [${reader}]: RSS over 3 × 60 ticks`);
  const rss = await measureRssGrowth(supervisor, { warmupTicks: 20, ticks: 60, rounds: 3, gapMs: 10 });

  progress(`sampling [${reader}]: graceful stop of ${spawned} tree agents`);
  counting.reset();
  const started = performance.now();
  const report = await supervisor.cleanup();
  const stopMs = performance.now() - started;
  const stopCounts = { ...counting.counts };
  const processCount = Object.values(report.reports).reduce((sum, r) => sum + r.processCount, 0);
  const stopSummary = `${report.stopped.length} stopped, ${report.unkillable.length} unkillable, ${report.alreadyEnded.length} already ended, ${processCount} processes`;
  if (report.stopped.length !== spawned) throw new Error(`sampling [${reader}] stop: ${stopSummary}`);

  await ctx.release(supervisor);
  return { reader, ticks, eventLoopP99Ms, firstTickCpu, rss, stopMs, stopSummary, stopCounts };
}

/** A busy-loop agent, `BUSY_AGE_MS` old, sampled for the first time: does it show busy? */
async function busyFirstTick(ctx: BenchContext, supervisor: Supervisor, reader: ReaderKind): Promise<(number | null)[]> {
  progress(`sampling [${reader}]: first-tick CPU % of a busy agent`);
  const values: (number | null)[] = [];
  for (let round = 0; round < BUSY_ROUNDS; round++) {
    const id = agentId('busy', reader === 'proc' ? 'p' : 's', round);
    await spawnAll(supervisor, [nodeAgent(id, ctx.scripts.busy)]);
    await sleep(BUSY_AGE_MS);
    await supervisor.sampleNow();
    values.push((await supervisor.getAgentStatus(id)).cpuPercent);
    await supervisor.killAgent(id, { force: true });
  }
  return values;
}

/** Waits until the engine sees `count` running agents each with its 3 descendants; returns the process count. */
/** Waits until `count` agents run with all their descendants; the processes in their trees. */
export async function waitForTrees(supervisor: Supervisor, count: number): Promise<number> {
  let processes = 0;
  await waitFor(
    `${count} complete agent trees`,
    async () => {
      await supervisor.sampleNow();
      const trees = Object.values(await supervisor.monitorAllAgents()).filter((s) => s.state === 'running');
      processes = trees.reduce((sum, s) => sum + 1 + s.descendantCount, 0);
      return trees.length === count && trees.every((s) => s.descendantCount === DESCENDANTS);
    },
    60_000,
    100,
  );
  return processes;
}

/** WARMUP_TICKS, then TICKS measured ticks: wall, own CPU, and own + reaped children's CPU per round. */
export async function measureTicks(supervisor: Supervisor): Promise<Omit<TickFigures, 'processes'>> {
  for (let i = 0; i < WARMUP_TICKS; i++) await supervisor.sampleNow();
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  const cpuWithChildrenMs: number[] = [];
  let roundCpu = 0;
  let roundChildren = childrenCpuMs();
  for (let i = 0; i < TICKS; i++) {
    await sleep(20); // let timers (log tail, state flush) run outside the measured tick
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await supervisor.sampleNow();
    const tookMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const tickCpuMs = (cpu.user + cpu.system) / 1000;
    wallMs.push(tookMs);
    cpuMs.push(tickCpuMs);
    roundCpu += tickCpuMs;
    if ((i + 1) % TICKS_PER_CPU_ROUND === 0) {
      const children = childrenCpuMs();
      cpuWithChildrenMs.push((roundCpu + children - roundChildren) / TICKS_PER_CPU_ROUND);
      roundCpu = 0;
      roundChildren = children;
    }
  }
  return { wallMs, cpuMs, cpuWithChildrenMs };
}

/** Samples every LOOP_INTERVAL_MS (as the engine's own timer does) and returns the p99 event-loop delay. */
export async function eventLoopDelayWhileSampling(supervisor: Supervisor): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  let running = true;
  let inFlight: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  const loop = () => {
    inFlight = supervisor.sampleNow().finally(() => {
      if (running) timer = setTimeout(loop, LOOP_INTERVAL_MS);
    });
  };
  histogram.enable();
  timer = setTimeout(loop, LOOP_INTERVAL_MS);
  await sleep(LOOP_ROUND_MS);
  running = false;
  if (timer) clearTimeout(timer);
  await inFlight;
  histogram.disable();
  // The histogram records the whole interval between its timer's runs; the delay is what exceeds the resolution.
  return Math.max(0, histogram.percentile(99) / 1e6 - ELD_RESOLUTION_MS);
}

/** Rows for both readers side by side, with ratios (ps+pidusage ÷ proc). */
export function samplingLines(proc: SamplingFigures, ps: SamplingFigures): Line[] {
  const lines: Line[] = [heading('sampling: one tick (`sampleNow()`, all statuses, whole trees)')];
  const ratios: Line[] = [];
  for (const count of AGENT_COUNTS) {
    const p = proc.ticks.get(count)!;
    const s = ps.ticks.get(count)!;
    const target = count === 100 ? { op: '<=' as const, value: 15 } : null;
    const label = `${count} agents (${p.processes} processes)`;
    const wallP = row(`tick wall, ${label}, proc`, 'ms', p.wallMs, target);
    // The targets are the Linux engine's, which reads /proc; ps+pidusage is the fallback elsewhere, shown for the choice.
    const wallS = row(`tick wall, ${label}, ps+pidusage (fallback)`, 'ms', s.wallMs, null);
    const cpuP = row(`tick CPU, ${label}, proc`, 'ms', p.cpuMs, target, '[4]');
    const cpuS = row(`tick CPU, ${label}, ps+pidusage (fallback)`, 'ms', s.cpuMs, null, '[4]');
    lines.push(wallP, wallS, cpuP, cpuS);
    ratios.push(ratioRow(`tick wall ${count} agents: ps+pidusage ÷ proc`, wallS, wallP, '[6]'));
    ratios.push(ratioRow(`tick CPU ${count} agents: ps+pidusage ÷ proc`, cpuS, cpuP, '[6]'));
    if (count === 100) {
      const withChildrenP = row(`tick CPU incl. child processes, ${label}, proc`, 'ms', p.cpuWithChildrenMs, null, '[5]');
      const withChildrenS = row(`tick CPU incl. child processes, ${label}, ps+pidusage`, 'ms', s.cpuWithChildrenMs, null, '[5]');
      lines.push(withChildrenP, withChildrenS);
      ratios.push(ratioRow(`tick CPU incl. children ${count} agents: ps+pidusage ÷ proc`, withChildrenS, withChildrenP, '[6]'));
    }
  }
  lines.push(...ratios);

  lines.push(heading('sampling: continuous, 100 agents'));
  const eldP = row(`event-loop delay p99, sampling every ${LOOP_INTERVAL_MS} ms, proc`, 'ms', proc.eventLoopP99Ms, { op: '<=', value: 20 }, '[7]');
  const eldS = row(`event-loop delay p99, sampling every ${LOOP_INTERVAL_MS} ms, ps+pidusage`, 'ms', ps.eventLoopP99Ms, { op: '<=', value: 20 }, '[7]');
  lines.push(eldP, eldS);
  for (const figures of [proc, ps]) {
    const values = figures.firstTickCpu.map((v) => v ?? Number.NaN);
    const shown = values.filter((v) => !Number.isNaN(v));
    const nulls = values.length - shown.length;
    lines.push({
      ...row(`busy agent's cpuPercent on its first tick (${BUSY_AGE_MS} ms old), ${figures.reader}`, '%', shown, { op: '>', value: 50 }, '[8]'),
      ...(nulls > 0 ? { median: null, note: `[8] (${nulls}/${values.length} rounds null)` } : {}),
    });
  }

  lines.push(heading('memory: RSS of the host process (engine), 100 agents'));
  for (const figures of [proc, ps]) {
    lines.push(row(`RSS growth over 60 ticks, ${figures.reader}`, 'MB', figures.rss.growthMb, { op: '<=', value: 5 }, '[9]'));
  }
  for (const figures of [proc, ps]) {
    lines.push(row(`  heap-used growth over 60 ticks, ${figures.reader}`, 'MB', figures.rss.heapGrowthMb));
  }
  for (const figures of [proc, ps]) {
    lines.push(row(`  RSS after 20 warm-up ticks, ${figures.reader}`, 'MB', [figures.rss.afterWarmupMb]));
  }
  return lines;
}

/** Stop rows from the sampling phases (1 round each). */
export function treeStopLines(proc: SamplingFigures, ps: SamplingFigures): Row[] {
  return [proc, ps].map((f) =>
    row(
      `graceful cleanup() of 100 tree agents (${f.stopSummary.split(', ').pop()}), ${f.reader}`,
      'ms',
      [f.stopMs],
      null,
      `[10] (${f.stopCounts.snapshots} snapshots, ${f.stopCounts.markerScans} marker scans, ${f.stopCounts.reads} pid reads [12])`,
    ),
  );
}
