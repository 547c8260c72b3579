/**
 * `src-main/serve.ts` as a real child process for tests: one process
 * (`node --import tsx`), so the pid we signal is the host itself; its agents
 * are in their own sessions and survive whatever happens to it. Killed after
 * the test if still running (onCleanup).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { NODE, trackPid } from '../helpers/agents';
import { waitFor } from '../helpers/wait';
import { onCleanup, WireTestClient, wsUrl } from './web-harness';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVE = path.join(REPO, 'src-main', 'serve.ts');

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  token: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A running serve.ts child with its output so far; killed after the test if still running. */
export interface SpawnedServe {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts serve.ts with exactly `args` (for tests of its flags); see `startServe` for a ready host. */
export function spawnServe(args: string[]): SpawnedServe {
  const env = { ...process.env };
  delete env.CORRAL_DATA_DIR;
  const child = spawn(NODE, ['--import', 'tsx', SERVE, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env });
  if (child.pid !== undefined) trackPid(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // 'close', not 'exit': the output is complete by then, for tests that read it after the end.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Starts serve.ts on a random port over `dataDir` and waits for its URL line. */
export async function startServe(dataDir: string, extraArgs: string[] = []): Promise<ServeProcess> {
  const spawned = spawnServe(['--port', '0', '--data-dir', dataDir, '--sample-ms', '100', ...extraArgs]);
  const { exited, stdout, stderr } = spawned;
  const gone = exited.then(({ code, signal }): never => {
    throw new Error(`serve exited (code ${code}, signal ${signal}) before its URL line; stderr: ${stderr()}`);
  });
  const found = waitFor(() => stdout().match(/^Corral web host: http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43})\n$/), {
    timeoutMs: 20_000,
    what: 'the URL line',
  }).catch((error: Error) => {
    throw new Error(`${error.message}; stdout: ${stdout()}; stderr: ${stderr()}`);
  });
  const line = await Promise.race([found, gone]);
  return { ...spawned, port: Number(line[1]), token: line[2] as string };
}

/** A contract client of the host, with the page's own Origin and token; closed after the test. */
export async function connectServe(served: { port: number; token: string }): Promise<WireTestClient> {
  const ws = new WebSocket(wsUrl(served.port, served.token), { origin: `http://127.0.0.1:${served.port}` });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const client = new WireTestClient(ws);
  onCleanup(() => client.close());
  return client;
}
