/**
 * What every bench section shares: the temp dir, the fixture agents, the
 * supervisors it opened (so teardown can stop and close every one), and the
 * /proc sweep that proves nothing the bench started is left alive.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSupervisor, type DeploymentRequest, type Supervisor, type SupervisorOptions } from '../src-main/supervisor/index';
import { baseNameFor } from '../src-main/supervisor/process/cgroup/containment';
import { findCgroup2Mount, ownCgroupDir } from '../src-main/supervisor/process/cgroup/hierarchy';
import type { ProcessReader } from '../src-main/supervisor/process/process-table';
import { createProcReader } from '../src-main/supervisor/process/proc-reader';
import { createPsReader } from '../src-main/supervisor/process/ps-reader';
import { liveAgentProcesses } from '../test/helpers/proc';
import { writeAgentScripts, type AgentScripts } from './agents';

export type ReaderKind = 'proc' | 'ps+pidusage';

/**
 * Every agent id the bench uses starts with this, so the final sweep can find them by CORRAL_AGENT_ID.
 * A section run in a child process (containment.ts) is given its parent's in BENCH_PREFIX.
 */
export const PREFIX = process.env['BENCH_PREFIX'] || `bench${process.pid}`;

/** Sampling is driven by the bench (`sampleNow()`); the supervisor's own timer never fires during a run. */
export const NO_AUTO_SAMPLING_MS = 3_600_000;

export function createReader(kind: ReaderKind): ProcessReader {
  return kind === 'proc' ? createProcReader() : createPsReader();
}

/** How often the engine asked its reader for what, and the synchronous time those calls took. */
export interface ReaderCounts {
  snapshots: number;
  markerScans: number;
  reads: number;
  /** Time spent inside the calls before they returned their promise (all of it for the /proc reader, which is synchronous). */
  syncMs: number;
}

/** Wraps a reader to count the engine's calls (`processReader` is an option of createSupervisor). */
export function countingReader(inner: ProcessReader): { reader: ProcessReader; counts: ReaderCounts; reset(): void } {
  const counts: ReaderCounts = { snapshots: 0, markerScans: 0, reads: 0, syncMs: 0 };
  const timed = <T>(call: () => T): T => {
    const started = performance.now();
    try {
      return call();
    } finally {
      counts.syncMs += performance.now() - started;
    }
  };
  const reader: ProcessReader = {
    kind: inner.kind,
    snapshot(hintPids) {
      counts.snapshots++;
      return timed(() => inner.snapshot(hintPids));
    },
    usage: (table, pids) => inner.usage(table, pids),
    commandLines: (pids) => inner.commandLines(pids),
    read(pid) {
      counts.reads++;
      return timed(() => inner.read(pid));
    },
    agentMarkers(table, skip, dataDir, memo) {
      counts.markerScans++;
      return timed(() => inner.agentMarkers(table, skip, dataDir, memo));
    },
    close: () => inner.close(),
  };
  // The cgroup tick (process/cgroup/cgroup-tree.ts) reads only the agents' own processes: passed through, timed.
  const readTrees = inner.readTrees?.bind(inner);
  if (readTrees) reader.readTrees = (seeds) => timed(() => readTrees(seeds));
  const reset = () => Object.assign(counts, { snapshots: 0, markerScans: 0, reads: 0, syncMs: 0 });
  return { reader, counts, reset };
}

export class BenchContext {
  readonly root: string;
  readonly scripts: AgentScripts;
  private readonly open = new Set<Supervisor>();

  /** `root`: an existing folder to work in (a child process's share of its parent's); a new temp dir by default. */
  constructor(root?: string) {
    this.root = root ?? mkdtempSync(path.join(os.tmpdir(), 'corral-bench-'));
    this.scripts = writeAgentScripts(this.root);
  }

  /** A supervisor with its own data dir under the temp root, registered for teardown. */
  async supervisor(name: string, reader: ReaderKind, options: Partial<SupervisorOptions> = {}): Promise<Supervisor> {
    const dataDir = path.join(this.root, name);
    mkdirSync(dataDir, { recursive: true });
    const supervisor = await createSupervisor({
      dataDir,
      sampleIntervalMs: NO_AUTO_SAMPLING_MS,
      processReader: createReader(reader),
      ...options,
    });
    this.open.add(supervisor);
    return supervisor;
  }

  /** Stops every agent (SIGKILL) and closes the supervisor. */
  async release(supervisor: Supervisor): Promise<void> {
    if (!this.open.delete(supervisor)) return;
    try {
      await supervisor.cleanup({ force: true, timeouts: { killMs: 5000 } });
    } finally {
      await supervisor.close();
    }
  }

  /**
   * Stops every agent (SIGKILL), removes each one (its log folder and its cgroup), closes the
   * supervisor, then checks that no cgroup of its data dir is left; throws naming any that is.
   */
  async retire(supervisor: Supervisor): Promise<void> {
    await supervisor.cleanup({ force: true, timeouts: { killMs: 5000 } });
    for (const id of Object.keys(await supervisor.monitorAllAgents())) await supervisor.removeAgent(id);
    await this.release(supervisor);
    const left = cgroupsOf(supervisor.dataDir);
    if (left.length > 0) throw new Error(`cgroups left after closing ${supervisor.dataDir}: ${left.join(', ')}`);
  }

  /** Releases every supervisor still open; returns the problems met. */
  async releaseAll(): Promise<string[]> {
    const problems: string[] = [];
    for (const supervisor of [...this.open]) {
      try {
        await this.release(supervisor);
      } catch (error) {
        problems.push(`releasing ${supervisor.dataDir}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return problems;
  }

  removeTempDir(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function agentId(...parts: (string | number)[]): string {
  return [PREFIX, ...parts].join('-');
}

export function request(id: string, command: string[]): DeploymentRequest {
  return { requestId: `${id}-req`, agentId: id, agentName: id, agentType: 'bench', command };
}

export function nodeAgent(id: string, script: string): DeploymentRequest {
  return request(id, [process.execPath, script]);
}

export function stdoutOf(supervisor: Supervisor, id: string): string {
  try {
    return readFileSync(path.join(supervisor.dataDir, 'agents', id, 'stdout.log'), 'utf8');
  } catch {
    return '';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` until it holds or `timeoutMs` passes. */
export async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 30_000, pollMs = 20): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (performance.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pollMs);
  }
}

/** Waits until every agent wrote "ready" (its SIGTERM handling is in place). */
export function waitReady(supervisor: Supervisor, ids: readonly string[], timeoutMs = 60_000): Promise<void> {
  const pending = new Set(ids);
  return waitFor(
    `${ids.length} agents to be ready`,
    () => {
      for (const id of pending) if (stdoutOf(supervisor, id).includes('ready')) pending.delete(id);
      return pending.size === 0;
    },
    timeoutMs,
    25,
  );
}

/** Spawns every request at once; throws unless all are verified running. */
export async function spawnAll(supervisor: Supervisor, requests: readonly DeploymentRequest[]): Promise<number[]> {
  const answers = await Promise.all(requests.map((req) => supervisor.spawnAgent(req)));
  const bad = answers.filter((answer) => answer.status !== 'running');
  if (bad.length > 0) throw new Error(`${bad.length} spawns were not 'running': ${JSON.stringify(bad[0])}`);
  return answers.map((answer) => answer.pid!);
}

/** Every live process whose environment carries one of the bench's agent ids. */
export function findBenchProcesses(): { pid: number; agentId: string; name: string }[] {
  return liveAgentProcesses(`${PREFIX}-`).map(({ pid, agentId, cmdline }) => ({ pid, agentId, name: cmdline }));
}

/** The cgroups the engine made for `dataDir`'s agents that still exist (where containment.ts would put them). */
export function cgroupsOf(dataDir: string): string[] {
  const mount = findCgroup2Mount();
  if (mount === null) return [];
  const parents = new Set([mount, ownCgroupDir(mount)].filter((dir): dir is string => dir !== null));
  return [...parents].map((parent) => path.join(parent, baseNameFor(dataDir))).filter((dir) => existsSync(dir));
}

/** How many processes the machine has now (numeric entries of /proc, zombies included). */
export function machineProcessCount(): number {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length;
}

/** Last resort for the sweep: SIGKILL by pid, only processes carrying the bench's marker. */
export function killByPid(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** CPU time (ms) of this process's waited-for children (cutime + cstime): where `ps` runs show up. */
export function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[13]) + Number(f[14])) * 1000) / CLOCK_TICKS;
}

const CLOCK_TICKS = (() => {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return value > 0 ? value : 100;
  } catch {
    return 100;
  }
})();

/** Progress goes to stderr; the table alone goes to stdout. */
export function progress(message: string): void {
  process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1)}s] ${message}\n`);
}

export function assertLinux(): void {
  if (process.platform !== 'linux' || !existsSync('/proc/self/stat')) {
    throw new Error('The bench compares the /proc reader with ps+pidusage and checks for leftovers via /proc: it needs Linux.');
  }
}
