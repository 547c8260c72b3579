/**
 * `BENCH_ONLY=scale`: 1,000 `sleep` agents in one engine, for each tracker
 * (cgroup first, then today's process-group): spawn them all at once, a few
 * ticks, stop them all in one graceful cleanup(), remove them all. Figures
 * only (issue 14 asks for them in the table, without targets).
 */
import { performance } from 'node:perf_hooks';
import type { ContainmentMode } from '../src-main/supervisor/process/cgroup/containment';
import { agentId, progress, request, type BenchContext } from './harness';
import { heading, ratioRow, row, type Line, type Row } from './stats';

const AGENTS = 1000;
const WARMUP_TICKS = 1;
const TICKS = 5;

interface ScaleFigures {
  tracker: string;
  spawnAllS: number;
  /** Seconds from the start to the first 'running' answer (the answers come together once the forks are done). */
  firstAnswerS: number;
  tickCpuMs: number[];
  tickWallMs: number[];
  firstTickWallMs: number;
  stopAllS: number;
  removeAllS: number;
}

export const SCALE_FOOTNOTES = [
  `[s1] ${AGENTS.toLocaleString('en')} agents \`sleep 100000\` (one process each), /proc reader, a 'status' listener subscribed. Spawn all: ${AGENTS} spawnAgent() calls at once, wall until the last resolves 'running' (each verified in /proc); "until the first answer": start → the first 'running' answer (close to the total when the answers all come at the end, as they did in the runs so far). Tick: the first sampleNow() after the spawns (wall), then ${TICKS} after ${WARMUP_TICKS} more warm-up (CPU = process.cpuUsage() delta, and wall). Stop all: one graceful cleanup() (sleep ends on SIGTERM #1), every agent must be reported stopped. Remove all: removeAgent() of each (log folders, and the cgroups under cgroup containment). Ratios: cgroup ÷ process-group.`,
];

export async function benchScale(ctx: BenchContext): Promise<Line[]> {
  const kernel = await measure(ctx, 'auto');
  const today = await measure(ctx, 'process-group');
  const lines: Line[] = [heading(`scale: ${AGENTS.toLocaleString('en')} \`sleep\` agents, cgroup vs process-group (today)`)];
  const pairs: [string, string, (f: ScaleFigures) => number[]][] = [
    ['spawn all', 's', (f) => [f.spawnAllS]],
    ['  of which until the first answer', 's', (f) => [f.firstAnswerS]],
    ['first tick after the spawns, wall', 'ms', (f) => [f.firstTickWallMs]],
    ['one tick, CPU', 'ms', (f) => f.tickCpuMs],
    ['one tick, wall', 'ms', (f) => f.tickWallMs],
    ['stop all (one graceful cleanup())', 's', (f) => [f.stopAllS]],
    ['remove all', 's', (f) => [f.removeAllS]],
  ];
  const ratios: Row[] = [];
  for (const [measure, unit, values] of pairs) {
    const k = row(`${measure}, ${kernel.tracker}`, unit, values(kernel), null, '[s1]');
    const t = row(`${measure}, ${today.tracker}`, unit, values(today), null, '[s1]');
    lines.push(k, t);
    if (!measure.startsWith(' ')) ratios.push(ratioRow(`${measure}: cgroup ÷ process-group`, k, t, '[s1]'));
  }
  lines.push(...ratios);
  return lines;
}

async function measure(ctx: BenchContext, mode: ContainmentMode): Promise<ScaleFigures> {
  const supervisor = await ctx.supervisor(`scale-${mode}`, 'proc', { containment: mode });
  supervisor.on('status', () => undefined);
  try {
    const requests = Array.from({ length: AGENTS }, (_, i) => request(agentId('scale', mode === 'auto' ? 'k' : 'g', i), ['sleep', '100000']));
    progress(`scale [${mode}]: spawning ${AGENTS} sleep agents at once`);
    let started = performance.now();
    const answeredAt: number[] = [];
    const answers = await Promise.all(
      requests.map((req) =>
        supervisor.spawnAgent(req).then((answer) => {
          answeredAt.push(performance.now() - started);
          return answer;
        }),
      ),
    );
    const spawnAllS = (performance.now() - started) / 1000;
    const bad = answers.filter((answer) => answer.status !== 'running');
    if (bad.length > 0) throw new Error(`scale [${mode}]: ${bad.length} spawns were not 'running': ${JSON.stringify(bad[0])}`);
    const firstAnswerS = answeredAt[0]! / 1000;
    const status = await supervisor.getAgentStatus(requests[0]!.agentId);
    const tracker = status.containment === 'cgroup' ? 'cgroup' : 'process-group (today)';
    progress(`scale [${mode}]: ${AGENTS} running in ${spawnAllS.toFixed(1)} s (${tracker}); ticks`);

    started = performance.now();
    await supervisor.sampleNow();
    const firstTickWallMs = performance.now() - started;
    for (let i = 0; i < WARMUP_TICKS; i++) await supervisor.sampleNow();
    const tickCpuMs: number[] = [];
    const tickWallMs: number[] = [];
    for (let i = 0; i < TICKS; i++) {
      const cpuBefore = process.cpuUsage();
      started = performance.now();
      await supervisor.sampleNow();
      tickWallMs.push(performance.now() - started);
      const cpu = process.cpuUsage(cpuBefore);
      tickCpuMs.push((cpu.user + cpu.system) / 1000);
    }
    const running = Object.values(await supervisor.monitorAllAgents()).filter((s) => s.state === 'running').length;
    if (running !== AGENTS) throw new Error(`scale [${mode}]: ${running} of ${AGENTS} agents running after the ticks`);

    progress(`scale [${mode}]: stopping all`);
    started = performance.now();
    const report = await supervisor.cleanup();
    const stopAllS = (performance.now() - started) / 1000;
    const stopSummary = `${report.stopped.length} stopped, ${report.unkillable.length} unkillable, ${report.alreadyEnded.length} already ended`;
    if (report.stopped.length !== AGENTS) throw new Error(`scale [${mode}] stop: ${stopSummary}`);
    progress(`scale [${mode}]: stopped in ${stopAllS.toFixed(1)} s: ${stopSummary}`);

    progress(`scale [${mode}]: removing all`);
    started = performance.now();
    for (const req of requests) await supervisor.removeAgent(req.agentId);
    const removeAllS = (performance.now() - started) / 1000;
    return { tracker, spawnAllS, firstAnswerS, tickCpuMs, tickWallMs, firstTickWallMs, stopAllS, removeAllS };
  } finally {
    await ctx.retire(supervisor);
  }
}
