/**
 * `BENCH_ONLY=containment`: issue 14's targets for kernel containment (a cgroup
 * per agent, `containment: 'auto'` here) against today's heuristic tracker
 * (`containment: 'process-group'`), both measured in the same run with the
 * /proc reader. For each, a child process of the bench that hosts nothing but
 * one engine: this file bundled by esbuild and run by plain node, as a built
 * host runs (the bench's own process carries tsx, ~40 MiB of RSS by itself,
 * Playwright and every section's garbage, which its RSS would count), sampling
 * on its own timer at 1 Hz (the default, so its history holds 600 samples per
 * agent as the app's does), 100 agents × (1 node root + 3 sleep descendants):
 *
 * 1. host idle CPU over 4 × 5 s, the engine alone (its own 1 Hz tick, log tails, orphan sweep);
 * 2. event-loop delay p99 while sampling every 100 ms;
 * 3. host RSS once every agent's history is full, after a forced GC;
 * 4. one tick's CPU (`sampleNow()`, all statuses built);
 * 5. one tick's CPU again with 2,000 unrelated sleeping processes on the machine
 *    (perl in a session of its own forks them; all killed and checked gone).
 *
 * The child prints its figures as one JSON line; its agents carry the bench's
 * PREFIX (BENCH_PREFIX), so the bench's final sweep covers them. Each engine's
 * agents are removed and its cgroups checked gone before the next child starts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { ContainmentMode } from '../src-main/supervisor/process/cgroup/containment';
import { agentId, BenchContext, cgroupsOf, childrenCpuMs, machineProcessCount, nodeAgent, PREFIX, progress, sleep, spawnAll, waitFor, waitReady } from './harness';
import { eventLoopDelayWhileSampling, measureTicks, waitForTrees } from './sampling';
import { growthRow, heading, ratioRow, row, type Line, type Row, type Target } from './stats';

const AGENTS = 100;
const DESCENDANTS = 3;
const UNRELATED = 2000;
const WARMUP_TICKS = 3;
const TICKS = 20;
const TICKS_PER_CPU_ROUND = 5;
const IDLE_WINDOWS = 4;
const IDLE_WINDOW_MS = 5000;
/** How long the agents are left to settle before the idle figure ([c4]). */
const QUIET_AFTER_MS = 30_000;

/** The engine's defaults: a 1 s tick and 10 minutes of history, so 600 samples per agent. */
const SAMPLE_MS = 1000;
const HISTORY_POINTS = 600;
const LOOP_INTERVAL_MS = 100;
const LOOP_ROUNDS = 3;
const LOOP_ROUND_MS = 2000;
/** Rounds of [c3] with the unrelated sleepers on: 12 s in all, so they span a periodic full check of the no-cgroup tick (every 10 s). */
const LOADED_LOOP_ROUNDS = 6;
const ELD_RESOLUTION_MS = 10;
const MIB = 2 ** 20;
/** A child that has not reported by then is killed (its agents by the bench's final sweep). */
const CHILD_TIMEOUT_MS = 8 * 60_000;
const THIS_FILE = fileURLToPath(import.meta.url);

/** What the engine reported its agents' containment to be. */
type Tracker = 'cgroup' | 'process-group';

export interface ContainmentFigures {
  tracker: Tracker;
  processes: number;
  tickCpuMs: number[];
  tickWallMs: number[];
  tickCpuWithChildrenMs: number[];
  /** Processes on the machine during the plain ticks, and during the ticks with the unrelated sleepers. */
  machineProcesses: number;
  loadedMachineProcesses: number;
  loadedTickCpuMs: number[];
  loadedTickWallMs: number[];
  eventLoopP99Ms: number[];
  /** [c3] with the unrelated sleepers on, per round. */
  loadedEventLoopP99Ms: number[];
  idleCpuPercent: number[];
  /** Ticks the engine's own timer took during the idle windows (≈ 1 per second). */
  idleTicks: number;
  rssBeforeMib: number;
  rssMib: number;
  historyPoints: number;
}

export const CONTAINMENT_FOOTNOTES = [
  `[c1] Each tracker is measured in a child process of the bench that hosts nothing but its engine ([c1]–[c5] are that process's figures): /proc reader, sampling on its own at 1 Hz, a 'status' listener subscribed; ${AGENTS} agents of 1 node root + ${DESCENDANTS} sleep descendants. Tick CPU: process.cpuUsage() delta (user + system) of the engine's host process over one sampleNow(), ${TICKS} ticks after ${WARMUP_TICKS} warm-up ones, 20 ms apart, once every agent's history is full ([c5]) and right before [c2] (a tick of the engine's own timer may fall among them). "incl. child processes" adds the reaped children's CPU per round of ${TICKS_PER_CPU_ROUND} ticks, 10 ms resolution. Today's reader = containment 'process-group' (CORRAL_CONTAINMENT=process-group); ratios are cgroup ÷ process-group.`,
  `[c2] The same ticks with ${UNRELATED.toLocaleString('en')} more sleeping processes on the machine, none of them an agent's (perl in a session of its own forks them; all killed and checked gone afterwards). Growth = loaded ÷ plain tick CPU − 1 (medians; the range is the widest the rounds allow). The machine's process count is shown: other work on it changes between the two measurements too.`,
  `[c3] monitorEventLoopDelay (resolution ${ELD_RESOLUTION_MS} ms) while the bench calls sampleNow() ${LOOP_INTERVAL_MS} ms after each tick ends, ${LOOP_ROUND_MS / 1000} s per round, ${LOOP_ROUNDS} rounds (${LOADED_LOOP_ROUNDS} with the unrelated sleepers of [c2] on, spanning a periodic full check); p99 minus the resolution (as [7]).`,
  `[c4] CPU of the engine's host process (user + system, plus reaped children) over ${IDLE_WINDOWS} windows of ${IDLE_WINDOW_MS / 1000} s, from ${QUIET_AFTER_MS / 1000} s after every agent printed "ready" (their own start-up work done), while the bench code in it does nothing: the engine's own 1 Hz tick, its log tails (file-change notifications, a 2 s safety poll) and its orphan sweep, ${AGENTS} quiet agents; % of one core. References measured elsewhere, not in this run: PM2's daemon 2.5–4 %, supervisord 0.13 %.`,
  `[c5] process.memoryUsage().rss of the engine's host process after two forced full GCs (node --expose-gc), once every agent's history holds ${HISTORY_POINTS} samples (10 minutes at 1 Hz, the engine's defaults). That process is plain node running this section bundled by esbuild: the engine and the bench's measuring code, no tsx (the built \`corral serve\` adds its web and socket servers); "before" = the same reading just before the engine opened.`,
];

/** Both trackers, cgroup first, each in a child process; rows with the targets on the kernel's figures. */
export async function benchContainment(ctx: BenchContext): Promise<Line[]> {
  const kernel = await inChild(ctx, 'auto');
  const today = await inChild(ctx, 'process-group');
  return containmentLines(kernel, today);
}

/**
 * This file and what it imports as one ES module in the bench's temp dir, for plain node (no tsx).
 * Bundled CommonJS dependencies call require(), which an ES module lacks: the banner provides it.
 */
async function bundleSelf(ctx: BenchContext): Promise<string> {
  const outfile = path.join(ctx.root, 'containment-host.mjs');
  if (existsSync(outfile)) return outfile;
  // Imported here, so the bundle never loads it (external below).
  const { buildSync } = await import('esbuild');
  buildSync({
    entryPoints: [THIS_FILE],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);" },
    external: ['esbuild'],
    logLevel: 'error',
  });
  return outfile;
}

/** Runs `measure` for `mode` in a fresh node process (this file, bundled) and returns what it printed. */
async function inChild(ctx: BenchContext, mode: ContainmentMode): Promise<ContainmentFigures> {
  const child = spawn(process.execPath, ['--expose-gc', await bundleSelf(ctx), mode, ctx.root], {
    env: { ...process.env, BENCH_PREFIX: PREFIX },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  const timer = setTimeout(killChild, CHILD_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  process.off('exit', killChild);
  const left = cgroupsOf(path.join(ctx.root, dataDirName(mode)));
  if (left.length > 0) throw new Error(`containment [${mode}]: cgroups left behind: ${left.join(', ')}`);
  const last = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`containment [${mode}]: the measuring process exited with ${code ?? 'a signal'}${last ? `; it printed: ${last}` : ''}`);
  return JSON.parse(last) as ContainmentFigures;
}

function dataDirName(mode: ContainmentMode): string {
  return `containment-${mode}`;
}

/** The child's side: `<this file> <mode> <bench root>`; prints the figures as one JSON line. */
async function childMain(mode: ContainmentMode, root: string): Promise<number> {
  const ctx = new BenchContext(root);
  try {
    process.stdout.write(`${JSON.stringify(await measure(ctx, mode))}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`containment [${mode}] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  } finally {
    const problems = await ctx.releaseAll();
    if (problems.length > 0) process.stderr.write(`containment [${mode}]: ${problems.join('; ')}\n`);
  }
}

async function measure(ctx: BenchContext, mode: ContainmentMode): Promise<ContainmentFigures> {
  const rssBeforeMib = rssAfterGc();
  const supervisor = await ctx.supervisor(dataDirName(mode), 'proc', { containment: mode, sampleIntervalMs: SAMPLE_MS });
  let statusEvents = 0;
  supervisor.on('status', () => statusEvents++);
  try {
    const ids = Array.from({ length: AGENTS }, (_, i) => agentId('cont', mode === 'auto' ? 'k' : 'g', i));
    progress(`containment [${mode}]: spawning ${AGENTS} tree agents`);
    for (let i = 0; i < ids.length; i += 20) await spawnAll(supervisor, ids.slice(i, i + 20).map((id) => nodeAgent(id, ctx.scripts.tree)));
    await waitReady(supervisor, ids);
    const processes = await waitForTrees(supervisor, AGENTS);
    const tracker = (await supervisor.getAgentStatus(ids[0]!)).containment as Tracker;
    progress(`containment [${mode}]: ${AGENTS} agents, ${processes} processes, tracked by ${tracker}`);

    // Quiet agents are ones that do nothing: a node agent's own start-up work (JIT, GC) goes on for ~20 s
    // after it printed "ready", and the spawns' state writes and first log looks settle meanwhile.
    await sleep(QUIET_AFTER_MS);
    progress(`containment [${mode}]: host idle CPU, ${IDLE_WINDOWS} × ${IDLE_WINDOW_MS / 1000} s`);
    const before = statusEvents;
    const idleCpuPercent: number[] = [];
    for (let i = 0; i < IDLE_WINDOWS; i++) idleCpuPercent.push(await cpuPercentOver(IDLE_WINDOW_MS));
    const idleTicks = statusEvents - before;

    progress(`containment [${mode}]: event-loop delay while sampling every ${LOOP_INTERVAL_MS} ms`);
    const eventLoopP99Ms: number[] = [];
    for (let round = 0; round < LOOP_ROUNDS; round++) eventLoopP99Ms.push(await eventLoopDelayWhileSampling(supervisor));

    progress(`containment [${mode}]: filling ${HISTORY_POINTS} samples of history, then RSS`);
    for (let i = 0; i < HISTORY_POINTS; i++) await supervisor.sampleNow();
    const historyPoints = (await supervisor.getAgentHistory(ids[0]!)).length;
    const rssMib = rssAfterGc();

    // Right before the unrelated processes start, so the two tick figures differ by them alone (history full in both).
    progress(`containment [${mode}]: tick CPU`);
    const machineProcesses = machineProcessCount();
    const plain = await measureTicks(supervisor);

    progress(`containment [${mode}]: starting ${UNRELATED} unrelated sleeping processes`);
    const unrelated = await startUnrelated(UNRELATED);
    const loadedMachineProcesses = machineProcessCount();
    progress(`containment [${mode}]: tick CPU with ${loadedMachineProcesses} processes on the machine`);
    const loadedEventLoopP99Ms: number[] = [];
    const loaded = await measureTicks(supervisor)
      .then(async (ticks) => {
        progress(`containment [${mode}]: event-loop delay with ${loadedMachineProcesses} processes on the machine`);
        for (let round = 0; round < LOADED_LOOP_ROUNDS; round++) loadedEventLoopP99Ms.push(await eventLoopDelayWhileSampling(supervisor));
        return ticks;
      })
      .finally(() => unrelated.stop());
    const left = unrelated.survivors();
    if (left > 0) throw new Error(`containment [${mode}]: ${left} of the unrelated sleeping processes survived (killed by pid)`);

    return {
      tracker,
      processes,
      tickCpuMs: plain.cpuMs,
      tickWallMs: plain.wallMs,
      tickCpuWithChildrenMs: plain.cpuWithChildrenMs,
      machineProcesses,
      loadedMachineProcesses,
      loadedTickCpuMs: loaded.cpuMs,
      loadedTickWallMs: loaded.wallMs,
      eventLoopP99Ms,
      loadedEventLoopP99Ms,
      idleCpuPercent,
      idleTicks,
      rssBeforeMib,
      rssMib,
      historyPoints,
    };
  } finally {
    progress(`containment [${mode}]: stopping and removing the agents`);
    await ctx.retire(supervisor);
  }
}

function rssAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().rss / MIB;
}

/** This process's CPU (own + reaped children) over `ms` of doing nothing itself, in % of one core. */
async function cpuPercentOver(ms: number): Promise<number> {
  const cpuBefore = process.cpuUsage();
  const childrenBefore = childrenCpuMs();
  const started = performance.now();
  await sleep(ms);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000 + childrenCpuMs() - childrenBefore;
  return (cpuMs / (performance.now() - started)) * 100;
}

interface Unrelated {
  /** Kills every one (the sleepers by pid, so perl reaps them and exits), then checks /proc. */
  stop(): Promise<void>;
  /** After stop(): how many were still alive (then killed by pid). */
  survivors(): number;
}

/**
 * `count` sleeping processes that belong to no agent: perl in a session and process group of its own
 * (no agent's marker in the environment) forks them (fork alone, no exec: quick even on a busy machine)
 * and waits for them. Resolves once all exist.
 */
async function startUnrelated(count: number): Promise<Unrelated> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CORRAL_')));
  const script = 'for (1 .. shift) { my $pid = fork; die "fork: $!" unless defined $pid; if ($pid == 0) { sleep 100000; exit 0 } } 1 while wait() != -1';
  const shell: ChildProcess = spawn('perl', ['-e', script, String(count)], { detached: true, stdio: 'ignore', env });
  const pgid = shell.pid!;
  const exited = new Promise<void>((resolve) => shell.once('exit', () => resolve()));
  let survivors = 0;
  const stop = async (): Promise<void> => {
    killPids(groupMembers(pgid).filter((member) => member.pid !== pgid).map((member) => member.pid));
    const inTime = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
    if (!inTime) killPids([-pgid]);
    // Zombies are not alive; wait for the rest to go, then count what is still alive.
    await waitFor('the unrelated sleepers to end', () => groupMembers(pgid).every((member) => member.state === 'Z'), 15_000, 50).catch(() => undefined);
    const alive = groupMembers(pgid).filter((member) => member.state !== 'Z');
    killPids(alive.map((member) => member.pid));
    survivors = alive.length;
  };
  try {
    await waitFor(`${count} unrelated sleeping processes`, () => groupMembers(pgid).filter((member) => member.pid !== pgid).length === count, 120_000, 200);
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop, survivors: () => survivors };
}

/** Processes whose process group is `pgid` (field 5 of /proc/<pid>/stat), with their state. */
function groupMembers(pgid: number): { pid: number; state: string }[] {
  const members: { pid: number; state: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) members.push({ pid: Number(name), state: fields[0]! });
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

/** SIGKILL by pid (a negative one: the process group), ignoring those already gone. */
function killPids(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function label(figures: ContainmentFigures): string {
  return figures.tracker === 'cgroup' ? 'cgroup' : 'process-group (today)';
}

/** The kernel's rows carry the targets; today's reader's rows are the reference (info), then the ratio of the two. */
export function containmentLines(kernel: ContainmentFigures, today: ContainmentFigures): Line[] {
  const lines: Line[] = [heading(`containment: ${AGENTS} agents / ${kernel.processes} processes, cgroup vs today's process-group tracker (same run)`)];
  if (kernel.tracker !== 'cgroup') lines.push(heading(`NOTE: containment 'auto' gave ${kernel.tracker} here (no writable cgroup2 hierarchy): both columns are the heuristic tracker`));
  const pair = (measure: (f: ContainmentFigures) => string, unit: string, values: (f: ContainmentFigures) => number[], target: Target | null, note: string, ratio = true): Row[] => {
    const k = row(measure(kernel), unit, values(kernel), target, note);
    const t = row(measure(today), unit, values(today), null, note);
    return ratio ? [k, t, ratioRow(`${measure(kernel).split(',')[0]}: cgroup ÷ process-group`, k, t, note)] : [k, t];
  };
  const cpuTarget = { op: '<=' as const, value: 3 };
  const tickCpu = pair((f) => `tick CPU, ${label(f)}`, 'ms', (f) => f.tickCpuMs, cpuTarget, '[c1]');
  lines.push(...tickCpu);
  lines.push(...pair((f) => `tick wall, ${label(f)}`, 'ms', (f) => f.tickWallMs, null, '[c1]', false));
  lines.push(...pair((f) => `tick CPU incl. child processes, ${label(f)}`, 'ms', (f) => f.tickCpuWithChildrenMs, null, '[c1]', false));

  lines.push(heading(`containment: the same ticks with ${UNRELATED.toLocaleString('en')} unrelated sleeping processes added`));
  for (const [f, plain, target] of [
    [kernel, tickCpu[0]!, { op: '<=' as const, value: 10 }],
    [today, tickCpu[1]!, null],
  ] as const) {
    const loaded = row(`tick CPU, ${label(f)} (machine: ${f.loadedMachineProcesses} processes, was ${f.machineProcesses})`, 'ms', f.loadedTickCpuMs, null, '[c2]');
    lines.push(loaded, growthRow(`tick CPU growth, ${label(f)}`, loaded, plain, target, '[c2]'));
  }
  lines.push(...pair((f) => `event-loop delay p99 with them, sampling every ${LOOP_INTERVAL_MS} ms, ${label(f)}`, 'ms', (f) => f.loadedEventLoopP99Ms, null, '[c3]'));

  lines.push(heading(`containment: the host, ${AGENTS} agents`));
  lines.push(...pair((f) => `event-loop delay p99, sampling every ${LOOP_INTERVAL_MS} ms, ${label(f)}`, 'ms', (f) => f.eventLoopP99Ms, { op: '<=', value: 10 }, '[c3]'));
  lines.push(...pair((f) => `host idle CPU at 1 Hz, tails on (${f.idleTicks} ticks in ${(IDLE_WINDOWS * IDLE_WINDOW_MS) / 1000} s), ${label(f)}`, '%', (f) => f.idleCpuPercent, { op: '<=', value: 0.5 }, '[c4]'));
  lines.push(...pair((f) => `host RSS, history full (${f.historyPoints} samples each), ${label(f)}`, 'MiB', (f) => [f.rssMib], { op: '<=', value: 70 }, '[c5]'));
  lines.push(...pair((f) => `  RSS before this engine opened, ${label(f)}`, 'MiB', (f) => [f.rssBeforeMib], null, '[c5]', false));
  return lines;
}

// Run as a script (the bundle, or `tsx bench/containment.ts auto <dir>` by hand): the child's side.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === THIS_FILE) {
  const [mode, root] = process.argv.slice(2);
  if ((mode !== 'auto' && mode !== 'process-group') || root === undefined) {
    process.stderr.write('usage: containment.ts auto|process-group <bench root>\n');
    process.exit(2);
  }
  void childMain(mode, root).then((code) => process.exit(code));
}
