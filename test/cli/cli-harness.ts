/**
 * The `corral` command as real processes for tests: the built CLI
 * (out/cli/corral.js, what `npx corral` runs; built here once if missing —
 * `npm test` builds it fresh), a host started with `corral serve --no-web` as
 * a child, and a scan of /proc for a data folder's agent processes (by the
 * CORRAL_STATUS_FILE every agent carries). After each test every host this
 * file started and every agent process of its folders is killed, by pid.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { isPidAlive, NODE, tempDir } from '../helpers/agents';
import { waitFor } from '../helpers/wait';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(REPO, 'out', 'cli', 'corral.js');

if (!existsSync(CLI)) execFileSync(process.execPath, [path.join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'scripts/cli.vite.config.mjs'], { cwd: REPO, stdio: 'inherit' });

const folders = new Set<string>();
const hostPids = new Set<number>();

afterEach(async () => {
  for (const pid of hostPids) if (isPidAlive(pid)) process.kill(pid, 'SIGKILL');
  await waitFor(() => [...hostPids].every((pid) => !isPidAlive(pid)), { what: 'the hosts to end' });
  hostPids.clear();
  for (const dataDir of folders) {
    for (const pid of agentPids(dataDir)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
  folders.clear();
});

/** A fresh data folder, removed (with its agents killed) after the test. */
export function dataFolder(): string {
  const dir = tempDir();
  folders.add(dir);
  return dir;
}

/** A host pid the test caused (e.g. a background host): killed after the test if still alive. */
export function trackHost(pid: number): void {
  hostPids.add(pid);
}

/** Environment for a CLI process: the test's own, minus anything that would point it at another folder. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const key of ['CORRAL_DATA_DIR', 'CORRAL_SOCKET', 'CORRAL_AGENT_ID', 'CORRAL_STATUS_FILE']) if (!(key in extra)) delete env[key];
  return env;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `corral ARGS…` to its end. */
export function corral(args: string[], { env = {}, cwd = REPO, timeoutMs = 25_000 }: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CLI, ...args], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`corral ${args.join(' ')} did not end within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `corral ARGS… --json`, parsed; fails the test on a non-zero exit. */
export async function corralJson<T>(args: string[]): Promise<T> {
  const result = await corral([...args, '--json']);
  if (result.code !== 0) throw new Error(`corral ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export interface Host {
  child: ChildProcess;
  pid: number;
  dataDir: string;
  socketPath: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `corral serve --no-web ARGS…` (not waiting for it). */
export function spawnHost(dataDir: string, args: string[] = []): Omit<Host, 'socketPath'> & { stdout: () => string } {
  const child = spawn(NODE, [CLI, 'serve', '--no-web', '--data-dir', dataDir, '--sample-ms', '100', ...args], { cwd: REPO, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  trackHost(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return { child, pid: child.pid!, dataDir, stdout: () => stdout, stderr: () => stderr, exited };
}

/** A host on `dataDir`, once it prints its socket line. */
export async function startHost(dataDir: string): Promise<Host> {
  const host = spawnHost(dataDir);
  const gone = host.exited.then(({ code }): never => {
    throw new Error(`corral serve exited ${code} before listening: ${host.stderr()}`);
  });
  const line = await Promise.race([waitFor(() => /^Corral local socket: (.+)\n/.exec(host.stdout()), { timeoutMs: 20_000, what: 'the socket line' }), gone]);
  return { ...host, socketPath: line[1]! };
}

/** Live agent processes of `dataDir` (their CORRAL_STATUS_FILE is inside it), from /proc. */
export function agentPids(dataDir: string): number[] {
  const marker = `CORRAL_STATUS_FILE=${dataDir}${path.sep}`;
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').some((entry) => entry.startsWith(marker)) && isPidAlive(Number(name))) found.push(Number(name));
    } catch {
      // gone meanwhile, or another user's
    }
  }
  return found;
}
