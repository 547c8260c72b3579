/**
 * Reaching the data folder's host from a command: connect to its socket, or
 * (for `corral run`, unless `--no-start`) start a headless host in the
 * background first — like PM2's daemon — saying so once on stderr.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ClientError, connect, isProcessAlive, readLockHolder, type CorralClient } from '../client/index';
import { CliError, EXIT } from './exit-codes';

/** The background host's output (its URL line, its log lines), in the data folder. */
export const HOST_LOG_NAME = 'host.log';
/** How long a started host may take to listen (a cold start on a loaded machine). */
const START_DEADLINE_MS = 30_000;

/** Connects to the host of `dataDir`; a missing or dead host is exit code 3 with what to do. */
export async function connectToHost(dataDir: string): Promise<CorralClient> {
  try {
    return await connect({ dataDir, validate: false });
  } catch (error) {
    throw asCliError(error);
  }
}

function asCliError(error: unknown): CliError {
  if (error instanceof ClientError) return new CliError(error.kind === 'no-host' || error.kind === 'dead-owner' ? EXIT.noHost : EXIT.failed, error.message);
  return new CliError(EXIT.failed, error instanceof Error ? error.message : String(error));
}

/** Connects, starting a background host when none owns the folder and `autoStart` allows. */
export async function connectOrStart(dataDir: string, autoStart: boolean, entry: string[]): Promise<CorralClient> {
  try {
    return await connect({ dataDir, validate: false });
  } catch (error) {
    if (!(error instanceof ClientError) || (error.kind !== 'no-host' && error.kind !== 'dead-owner')) throw asCliError(error);
    if (!autoStart) throw new CliError(EXIT.noHost, `${error.message.replace(/ \(or let `corral run` start it\)/, '')} (--no-start was given, so none was started.)`);
    const holder = readLockHolder(dataDir);
    // A live holder without a socket cannot be helped by starting another host: it would be refused.
    if (holder !== null && isProcessAlive(holder.pid) && error.kind === 'no-host') throw asCliError(error);
  }
  return startHost(dataDir, entry);
}

/** Starts `corral serve --no-web` detached, waits for its socket, and connects. */
async function startHost(dataDir: string, entry: string[]): Promise<CorralClient> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const logFile = path.join(dataDir, HOST_LOG_NAME);
  const logFd = openSync(logFile, 'a', 0o600);
  const env: NodeJS.ProcessEnv = { ...process.env, CORRAL_DATA_DIR: dataDir };
  // The host is no agent: its own environment passes to every agent it starts.
  delete env.CORRAL_AGENT_ID;
  delete env.CORRAL_STATUS_FILE;
  delete env.CORRAL_SOCKET;
  const [program, ...args] = entry as [string, ...string[]];
  const child = spawn(program, [...args, 'serve', '--no-web', '--data-dir', dataDir], { detached: true, stdio: ['ignore', logFd, logFd], env, cwd: dataDir });
  closeSync(logFd);
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', () => (exited = true));
  child.unref();
  process.stderr.write(`Started a Corral host in the background (pid ${child.pid ?? '?'}) on ${dataDir}; its log is ${logFile}. Stop it with \`corral shutdown\`.\n`);

  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    try {
      return await connect({ dataDir, validate: false });
    } catch (error) {
      if (!(error instanceof ClientError) || (error.kind !== 'no-host' && error.kind !== 'dead-owner')) throw asCliError(error);
    }
    // Ours gave up (e.g. another `corral run` started one first): keep waiting only while some host holds the folder.
    const holder = readLockHolder(dataDir);
    const anotherIsComing = holder !== null && holder.pid !== child.pid && isProcessAlive(holder.pid);
    if ((exited && !anotherIsComing) || Date.now() > deadline) {
      throw new CliError(EXIT.failed, `The Corral host started on ${dataDir} did not come up. Its log (${logFile}) ends:\n${tail(logFile, 10)}\nFix what it says, or start one yourself with \`corral serve\`.`);
    }
    await delay(40);
  }
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
