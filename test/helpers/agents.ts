/**
 * Test helpers: a supervisor per test over a temp dir, unique agent ids, and
 * the leak check that fails a test which leaves any of its processes alive.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect } from 'vitest';
import { createSupervisor, type DeploymentRequest, type StatusEvent, type Supervisor, type SupervisorOptions } from '../../src-main/supervisor/index';
import { isPidAlive, liveAgentProcesses } from './proc';
import { waitFor } from './wait';

export { isPidAlive, liveAgentProcesses };

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
export const NODE = process.execPath;

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/** Agent ids unique to this test file, so the leak check never sees another file's agents. */
export function idPrefix(name: string): string {
  return `${name}-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
}

let counter = 0;

export function request(prefix: string, command: string[], extra: Partial<DeploymentRequest> = {}): DeploymentRequest {
  const n = ++counter;
  return {
    requestId: `${prefix}-req-${n}`,
    agentId: `${prefix}-${n}`,
    agentName: `Test agent ${n}`,
    agentType: 'test',
    command,
    ...extra,
  };
}

export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'corral-test-'));
}

interface Harness {
  supervisors: Supervisor[];
  dirs: string[];
  prefixes: Set<string>;
  pids: Set<number>;
}

const harness: Harness = { supervisors: [], dirs: [], prefixes: new Set(), pids: new Set() };

/** A supervisor that is stopped, with everything it started, after the test. */
export async function useSupervisor(prefix: string, options: Partial<SupervisorOptions> = {}): Promise<Supervisor> {
  const dataDir = options.dataDir ?? tempDir();
  if (!options.dataDir) harness.dirs.push(dataDir);
  harness.prefixes.add(prefix);
  const supervisor = await createSupervisor({ sampleIntervalMs: 200, ...options, dataDir });
  harness.supervisors.push(supervisor);
  return supervisor;
}

/** Registers a pid the test started outside the supervisor (it is killed and must be gone after the test). */
export function trackPid(pid: number): void {
  harness.pids.add(pid);
}

afterEach(async () => {
  const supervisors = harness.supervisors.splice(0);
  for (const supervisor of supervisors) {
    try {
      await supervisor.cleanup({ force: true });
    } catch {
      // already closed by the test
    }
    await supervisor.close();
  }
  const leaked = [...harness.prefixes].flatMap((prefix) => liveAgentProcesses(prefix));
  const strays = [...harness.pids].filter(isPidAlive);
  // Clean up whatever leaked, by pid, before failing the test.
  for (const { pid } of leaked) process.kill(pid, 'SIGKILL');
  for (const pid of strays) process.kill(pid, 'SIGKILL');
  harness.prefixes.clear();
  harness.pids.clear();
  for (const dir of harness.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  expect(leaked, 'processes left alive by this test').toEqual([]);
  expect(strays, 'tracked pids left alive by this test').toEqual([]);
});

/** The agent's log file as text ('' when it does not exist yet). */
export function readLog(logDir: string, stream: 'stdout' | 'stderr'): string {
  try {
    return readFileSync(path.join(logDir, `${stream}.log`), 'utf8');
  } catch {
    return '';
  }
}

/** Waits until the agent has written `text` to its log (e.g. a fixture's "ready" line, after its signal handlers are set). */
export async function waitForLog(supervisor: Supervisor, agentId: string, text: string, stream: 'stdout' | 'stderr' = 'stdout'): Promise<string> {
  const { logDir } = await supervisor.getAgentStatus(agentId);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const log = readLog(logDir, stream);
    if (log.includes(text)) return log;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${JSON.stringify(text)} in ${agentId}'s ${stream}; it has: ${log.slice(-500)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The supervisor's next `n` status events (sampling ticks); subscribing is what makes the engine emit them.
 * For a test that must let time pass to show something does NOT happen, counted in the engine's own ticks:
 * timer ticks come at least one sampling interval apart, so `n` of them span at least `n - 1` intervals
 * (unless something else asks for a sample meanwhile).
 */
export function waitForTicks(supervisor: Supervisor, n: number, timeoutMs = 10_000): Promise<StatusEvent[]> {
  return new Promise((resolve, reject) => {
    const ticks: StatusEvent[] = [];
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${n} status ticks; saw ${ticks.length}`));
    }, timeoutMs);
    const unsubscribe = supervisor.on('status', (event) => {
      ticks.push(event);
      if (ticks.length < n) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(ticks);
    });
  });
}

/**
 * Waits until the agent's latest sample is older than `windowMs` (the engine's freshness window: a live
 * agent's figures are reused for at most min(sampling interval, 500 ms)), so its next status call samples
 * anew. The window is wall-clock; this waits on the engine's own record of when it last sampled.
 */
export async function waitForStaleSample(supervisor: Supervisor, agentId: string, windowMs = 500): Promise<void> {
  await waitFor(
    async () => {
      const latest = (await supervisor.getAgentHistory(agentId)).at(-1);
      return latest === undefined || Date.now() - latest.at > windowMs;
    },
    { what: `${agentId}'s latest sample to be older than ${windowMs} ms` },
  );
}

/**
 * `count` unrelated `sleep`s, forked by one shell of their own process group (a fork of this test's
 * large process each would take seconds): resolves once all run; `stop` kills the group.
 */
export async function startSleepers(count: number): Promise<{ stop: () => void }> {
  const shell = spawn('sh', ['-c', `i=0; while [ $i -lt ${count} ]; do sleep 600 & i=$((i+1)); done; wait`], { stdio: 'ignore', detached: true });
  const pgid = shell.pid!;
  trackPid(pgid);
  const stop = () => {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  try {
    await waitFor(() => readFileSync(`/proc/${pgid}/task/${pgid}/children`, 'latin1').trim().split(' ').length >= count, {
      what: `${count} sleepers`,
      timeoutMs: 30_000,
    });
  } catch (error) {
    stop();
    throw error;
  }
  return { stop };
}

/**
 * Starts `count` agents running `tree.mjs 1` and resolves with their requests once every tree is whole:
 * the root, its child and that child's `sleep` (once exec'd), as a tick sees them.
 */
export async function startTreeAgents(supervisor: Supervisor, prefix: string, count: number, timeoutMs = 30_000): Promise<DeploymentRequest[]> {
  const reqs = Array.from({ length: count }, () => request(prefix, [NODE, fixture('tree.mjs'), '1']));
  for (const req of reqs) await supervisor.spawnAgent(req);
  await waitFor(
    async () => {
      await supervisor.sampleNow();
      const trees = await Promise.all(reqs.map((req) => supervisor.getProcessTree(req.agentId)));
      return trees.every((tree) => tree.length === 3 && tree.some((p) => p.name === 'sleep'));
    },
    { what: `${count} complete trees`, timeoutMs },
  );
  return reqs;
}
