/**
 * `corral shutdown [--stop-agents]`: ends the host of the data folder. Agents
 * keep running (the next host re-adopts them) unless `--stop-agents`, which
 * stops every one first. The host is ended by SIGTERM to the lock's holder —
 * the same path as Ctrl-C in its terminal, so it saves its state and exits 0.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ClientError, connect, isProcessAlive, readLockHolder } from '../../client/index';
import { parseCommand } from '../args';
import { valueOf } from '../agents';
import { CliError, EXIT } from '../exit-codes';

export const SHUTDOWN_USAGE = 'corral shutdown [--stop-agents] [--data-dir D]';
/** The host's own close deadline is 15 s; past this it is stuck. */
const EXIT_DEADLINE_MS = 20_000;

export async function shutdown(argv: string[]): Promise<number> {
  const { values, dataDir } = parseCommand<{ 'stop-agents'?: boolean }>(argv, { 'stop-agents': { type: 'boolean' } }, SHUTDOWN_USAGE, { positionals: false });
  let client;
  try {
    client = await connect({ dataDir, validate: false });
  } catch (error) {
    if (error instanceof ClientError && (error.kind === 'no-host' || error.kind === 'dead-owner')) {
      process.stderr.write(`No Corral host is running on ${dataDir}; nothing to shut down.\n`);
      return 0;
    }
    throw new CliError(EXIT.failed, error instanceof Error ? error.message : String(error));
  }
  let code = 0;
  const holder = readLockHolder(dataDir);
  try {
    if (holder === null) throw new CliError(EXIT.failed, `The host of ${dataDir} answers but its lock file is unreadable, so its pid is unknown; stop it where it runs (Ctrl-C).`);
    if (values['stop-agents'] === true) {
      const cleanup = valueOf(await client.call('stopAll', {}), 'stop every agent');
      process.stderr.write(`Stopped ${cleanup.stopped.length} agent(s).\n`);
      if (cleanup.unkillable.length > 0) {
        process.stderr.write(`Processes of ${cleanup.unkillable.join(', ')} survived SIGKILL; see \`corral status ID\` once a host runs again.\n`);
        code = EXIT.failed;
      }
    }
  } finally {
    await client.close();
  }
  try {
    process.kill(holder.pid, 'SIGTERM');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw new CliError(EXIT.failed, `Could not signal the host (pid ${holder.pid}): ${(error as Error).message}`);
  }
  const deadline = Date.now() + EXIT_DEADLINE_MS;
  while (isProcessAlive(holder.pid)) {
    if (Date.now() > deadline) throw new CliError(EXIT.failed, `The host (pid ${holder.pid}) did not exit within ${EXIT_DEADLINE_MS / 1000} s; end it with \`kill -9 ${holder.pid}\` (agents keep running).`);
    await delay(25);
  }
  process.stderr.write(`The Corral host on ${dataDir} (pid ${holder.pid}) has shut down.\n`);
  return code;
}
