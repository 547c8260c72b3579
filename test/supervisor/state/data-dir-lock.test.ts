/**
 * One host per data folder (the engine's side): a second engine on a folder
 * fails at once naming the first and leaves nothing behind, the first keeps
 * its agents and keeps saving; a holder killed with SIGKILL leaves a stale
 * lock the next start takes over (one winner among concurrent starts); a
 * data-folder path that is a file is a typed error.
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSupervisor, CorralError } from '../../../src-main/supervisor/index';
import { LOCK_FILE_NAME } from '../../../src-main/supervisor/state/data-dir-lock';
import { fixture, idPrefix, isPidAlive, NODE, request, tempDir, trackPid, useSupervisor } from '../../helpers/agents';
import { waitFor } from '../../helpers/wait';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const prefix = idPrefix('lock');
const FAST = { firstTermMs: 300, secondTermMs: 300, killMs: 500 };
/** Child processes start under tsx: seconds each on a loaded 2-core machine. */
const CHILD_MS = 60_000;
const CHILD_TEST_MS = 3 * CHILD_MS;

function lockOf(dataDir: string): { pid: number; kind: string; since: string; token: string } {
  return JSON.parse(readFileSync(path.join(dataDir, LOCK_FILE_NAME), 'utf8'));
}

function savedAgentIds(dataDir: string): string[] {
  const state = JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8')) as { agents: Record<string, unknown> };
  return Object.keys(state.agents).sort();
}

/** What createSupervisor threw (a test failure if it did not). */
async function startFailure(dataDir: string): Promise<{ error: CorralError; ms: number }> {
  const startedAt = performance.now();
  const error = await createSupervisor({ dataDir }).then(
    async (engine) => {
      await engine.close();
      throw new Error('a second engine started on a held data folder');
    },
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(CorralError);
  return { error: error as CorralError, ms: performance.now() - startedAt };
}

/** test/fixtures/engine-on.ts as a child process: an engine on `dataDir` in a process of its own. */
function engineProcess(dataDir: string, agentId?: string) {
  const child = spawn(NODE, ['--import', 'tsx', fixture('engine-on.ts'), dataDir, ...(agentId === undefined ? [] : [agentId])], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  trackPid(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  const ready = () =>
    waitFor(() => stdout.includes('ready\n') || stdout.includes('{'), { timeoutMs: CHILD_MS, what: 'the engine child to start' }).catch((error: Error) => {
      throw new Error(`${error.message}; stdout: ${stdout}; stderr: ${stderr}`);
    });
  return { child, exited, ready, stdout: () => stdout };
}

describe('one host per data folder', () => {
  it('a second engine on the folder fails at once naming the first; the first keeps every agent and keeps saving', async () => {
    const dataDir = tempDir();
    const first = await useSupervisor(prefix, { dataDir, stopTimeouts: FAST });
    const a = request(prefix, [NODE, fixture('sleeper.mjs')]);
    expect((await first.spawnAgent(a)).status).toBe('running');
    await waitFor(() => savedAgentIds(dataDir).includes(a.agentId));
    const lock = lockOf(dataDir);

    const { error, ms } = await startFailure(dataDir);
    expect(error.kind).toBe('data-dir-locked');
    expect(error.message).toContain(`pid ${process.pid}`);
    expect(error.message).toContain(`Corral engine`);
    expect(error.message).toContain(`since ${lock.since}`);
    expect(error.message).toMatch(/Stop it, or use another data folder \(--data-dir \/ CORRAL_DATA_DIR\)/);
    expect(ms).toBeLessThan(1000);

    // The failed start touched neither the lock nor the state; the first goes on saving.
    expect(lockOf(dataDir)).toEqual(lock);
    expect(savedAgentIds(dataDir)).toEqual([a.agentId]);
    const b = request(prefix, [NODE, fixture('sleeper.mjs')]);
    expect((await first.spawnAgent(b)).status).toBe('running');
    await waitFor(() => savedAgentIds(dataDir).length === 2, { what: 'both agents saved' });
    expect(savedAgentIds(dataDir)).toEqual([a.agentId, b.agentId].sort());
    expect(Object.keys(await first.monitorAllAgents()).sort()).toEqual([a.agentId, b.agentId].sort());

    // Released on close: the next engine starts and re-adopts both.
    await first.cleanup({ force: true });
    await first.close();
    expect(existsSync(path.join(dataDir, LOCK_FILE_NAME))).toBe(false);
    const next = await useSupervisor(prefix, { dataDir });
    expect(Object.keys(await next.monitorAllAgents()).sort()).toEqual([a.agentId, b.agentId].sort());
    expect(lockOf(dataDir).pid).toBe(process.pid);
  });

  it('a start that fails on a held folder leaves nothing running: its process ends on its own', async () => {
    const dataDir = tempDir();
    await useSupervisor(prefix, { dataDir });
    const second = engineProcess(dataDir);
    // No process.exit in the child: it ends only if the failed start left no timer or handle behind.
    const stillRunning = waitFor(() => false, { timeoutMs: CHILD_MS, what: 'the failed child to end on its own' }).then((): never => {
      throw new Error('unreachable: waitFor(() => false) only times out');
    });
    const { code } = await Promise.race([second.exited, stillRunning]);
    expect(code).toBe(0);
    expect(JSON.parse(second.stdout())).toMatchObject({ kind: 'data-dir-locked', message: expect.stringContaining(`pid ${process.pid}`) });
  }, CHILD_TEST_MS);

  it('a holder killed with SIGKILL leaves a stale lock that the next start takes over; its agent is re-adopted', async () => {
    const dataDir = tempDir();
    const agentId = `${prefix}-held`;
    const holder = engineProcess(dataDir, agentId);
    await holder.ready();
    expect(holder.stdout()).toMatch(/ready\n$/);
    const agentPid = Number(/agent (\d+)/.exec(holder.stdout())![1]);
    trackPid(agentPid);
    expect(lockOf(dataDir)).toMatchObject({ pid: holder.child.pid, kind: 'engine' });

    // While it lives, this process is refused, naming it.
    expect((await startFailure(dataDir)).error.message).toContain(`pid ${holder.child.pid}`);

    process.kill(holder.child.pid!, 'SIGKILL');
    await holder.exited;
    expect(lockOf(dataDir).pid).toBe(holder.child.pid); // the lock outlived its holder
    const next = await useSupervisor(prefix, { dataDir, stopTimeouts: FAST });
    expect(lockOf(dataDir)).toMatchObject({ pid: process.pid, kind: 'engine' });
    expect(await next.getAgentStatus(agentId)).toMatchObject({ state: 'running', adopted: true, pid: agentPid });
    await next.cleanup({ force: true });
    await waitFor(() => !isPidAlive(agentPid));
  }, CHILD_TEST_MS);

  it('concurrent starts on a stale lock: exactly one wins, every other is refused naming the winner', async () => {
    const dataDir = tempDir();
    const dead = engineProcess(dataDir);
    await dead.ready();
    process.kill(dead.child.pid!, 'SIGKILL');
    await dead.exited;

    const contenders = Array.from({ length: 4 }, () => engineProcess(dataDir));
    await Promise.all(contenders.map((contender) => contender.ready()));
    const winners = contenders.filter((contender) => contender.stdout() === 'ready\n');
    expect(winners).toHaveLength(1);
    const winner = winners[0]!;
    expect(lockOf(dataDir).pid).toBe(winner.child.pid);
    for (const loser of contenders.filter((contender) => contender !== winner)) {
      expect(JSON.parse(loser.stdout())).toMatchObject({ kind: 'data-dir-locked', message: expect.stringContaining(`pid ${winner.child.pid}`) });
      await loser.exited;
    }
    winner.child.kill('SIGKILL');
    await winner.exited;
  }, CHILD_TEST_MS);

  it('concurrent starts in one process on a stale lock: exactly one engine wins', async () => {
    const dataDir = tempDir();
    mkdirSync(dataDir, { recursive: true });
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    // pid 1 exists, but never with this start time: a stale lock.
    writeFileSync(path.join(dataDir, LOCK_FILE_NAME), JSON.stringify({ pid: 1, startTime: '999999999', reader: 'proc', bootId, kind: 'desktop', since: '2026-01-01T00:00:00.000Z', token: 'stale' }));
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => createSupervisor({ dataDir })));
    const engines = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const refusals = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as CorralError] : []));
    try {
      expect(engines).toHaveLength(1);
      expect(refusals.map((error) => error.kind)).toEqual(Array(5).fill('data-dir-locked'));
      expect(lockOf(dataDir)).toMatchObject({ pid: process.pid, kind: 'engine' });
    } finally {
      for (const engine of engines) await engine.close();
    }
    // Released, and no draft, claim or set-aside copy left behind.
    expect(readdirSync(dataDir).filter((name) => name.startsWith(LOCK_FILE_NAME))).toEqual([]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a lock from a recycled pid (another start time) or from another boot is stale; a link planted at its name is set aside, never followed', async () => {
    const dataDir = tempDir();
    mkdirSync(dataDir, { recursive: true });
    const lockFile = path.join(dataDir, LOCK_FILE_NAME);
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stale = { pid: process.pid, reader: 'proc', bootId, kind: 'web host', since: '2026-01-01T00:00:00.000Z', token: 'stale-token' };

    writeFileSync(lockFile, JSON.stringify({ ...stale, startTime: '1' })); // this pid, but not this process
    let engine = await createSupervisor({ dataDir });
    expect(lockOf(dataDir)).toMatchObject({ pid: process.pid, kind: 'engine' });
    await engine.close();

    writeFileSync(lockFile, JSON.stringify({ ...stale, startTime: '', pid: 1, bootId: 'another-boot' }));
    engine = await createSupervisor({ dataDir });
    expect(lockOf(dataDir).kind).toBe('engine');
    await engine.close();

    const victimDir = tempDir();
    const victim = path.join(victimDir, 'precious.txt');
    writeFileSync(victim, 'keep me\n');
    symlinkSync(victim, lockFile);
    engine = await createSupervisor({ dataDir });
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(lstatSync(lockFile).isSymbolicLink()).toBe(false);
    await engine.close();
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(() => readlinkSync(lockFile)).toThrow(); // released, not re-planted
    rmSync(victimDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('a data-folder path that is a file', () => {
  it('is a typed error naming the file, for the path itself and for a path under it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    for (const dataDir of [file, path.join(file, 'sub', 'dir')]) {
      const { error } = await startFailure(dataDir);
      expect(error.kind).toBe('invalid-argument');
      expect(error.message).toBe(`${file} is a file, not a folder: choose another data folder (--data-dir / CORRAL_DATA_DIR).`);
    }
    expect(readFileSync(file, 'utf8')).toBe('x');
    rmSync(dir, { recursive: true, force: true });
  });
});
