/**
 * The desktop's SIGTERM/SIGINT/SIGHUP handling survives a foreign signal
 * handler installed after the app's code has loaded (Chromium's, in
 * Electron): a real child Node process, a real sigaction() from a shared
 * object (test/fixtures/foreign-signal-handler.c, built here with the system's
 * C compiler), real signals. Registered at load time the foreign handler wins
 * (what index.ts did); registered through handleDesktopSignals after "ready",
 * Corral's answer runs — leave-running closes and saves, stop-all stops first
 * and a second signal forces — and a double Ctrl-C is one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, NODE, tempDir } from '../helpers/agents';
import { waitFor } from '../helpers/wait';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const buildDir = tempDir();
const foreign = path.join(buildDir, 'foreign.so');
const built = spawnSync('cc', ['-shared', '-fPIC', '-Wl,-z,nodelete', '-o', foreign, fixture('foreign-signal-handler.c')], { encoding: 'utf8' });
const canBuild = built.status === 0;
if (!canBuild) console.log(`desktop-signals: no C compiler (cc) to build the foreign handler, so these tests are skipped: ${built.error?.message ?? built.stderr}`);

interface Child {
  pid: number;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  marker: string;
}

async function startChild(when: 'load-time' | 'take-back', mode: 'leave-running' | 'stop-all'): Promise<Child> {
  const marker = path.join(tempDir(), 'saved');
  const child = spawn(NODE, ['--import', 'tsx', fixture('desktop-signals-child.ts'), foreign, when, mode, marker], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  await waitFor(() => stdout.includes('ready\n'), { timeoutMs: 20_000, what: `the child to set up (stderr: ${stderr})` });
  return { pid: child.pid!, stdout: () => stdout, exited, marker };
}

describe.skipIf(!canBuild)('desktop signal handling under a foreign handler', () => {
  it('registered while the code loads, never runs: the foreign handler ends the process', async () => {
    const child = await startChild('load-time', 'leave-running');
    process.kill(child.pid, 'SIGTERM');
    expect(await child.exited).toEqual({ code: 70, signal: null });
    expect(child.stdout()).toContain('foreign handler');
    expect(child.stdout()).not.toContain('closing');
    expect(existsSync(child.marker)).toBe(false);
  }, 40_000);

  it('taken back after ready: SIGTERM closes (state saved) and exits 0, and earlier listeners run too', async () => {
    const child = await startChild('take-back', 'leave-running');
    process.kill(child.pid, 'SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.stdout()).not.toContain('foreign handler');
    expect(child.stdout()).toContain('library listener');
    expect(child.stdout()).toMatch(/closing\nclosed\nexit 0\n/);
    expect(readFileSync(child.marker, 'utf8')).toBe('saved');
  }, 40_000);

  it('a double Ctrl-C (the terminal and the launcher forwarding it) is one: closing finishes and saves', async () => {
    const child = await startChild('take-back', 'leave-running');
    process.kill(child.pid, 'SIGINT');
    process.kill(child.pid, 'SIGINT');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.stdout().match(/^closing$/gm)).toHaveLength(1);
    expect(readFileSync(child.marker, 'utf8')).toBe('saved');
  }, 40_000);

  it('with stop-all, SIGHUP stops every agent first, and a second signal (after the echo window) forces', async () => {
    const child = await startChild('take-back', 'stop-all');
    const firstAt = Date.now();
    process.kill(child.pid, 'SIGHUP');
    await waitFor(() => child.stdout().includes('stop-all force=false'), { what: 'the graceful stop' });
    // Past the 1 s echo window (the graceful stop takes 1.5 s): the user's second signal, not an echo.
    await waitFor(() => Date.now() - firstAt > 1100, { what: 'the echo window to pass' });
    process.kill(child.pid, 'SIGINT');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.stdout()).toMatch(/stop-all force=false[\s\S]*stop-all force=true[\s\S]*closed\nexit 0\n/);
    expect(child.stdout()).not.toContain('foreign handler');
  }, 40_000);
});
