/** `corral logs ID [-f] [--stdout|--stderr] [--tail N]`: an agent's output (stdout to stdout, stderr to stderr). */
import type { LogStream } from '../../../src-preload/contract';
import { parseCommand, wholeNumber } from '../args';
import { getAgent, hasEnded } from '../agents';
import { usageError } from '../exit-codes';
import { connectToHost } from '../host';
import { LogFollower, readTail, type Sinks } from '../log-reader';
import { untilEnded } from './wait';

export const LOGS_USAGE = 'corral logs ID [-f|--follow] [--stdout|--stderr] [--tail N] [--data-dir D]';

export const SINKS: Required<Sinks> = { stdout: (data) => process.stdout.write(data), stderr: (data) => process.stderr.write(data) };

export async function logs(argv: string[]): Promise<number> {
  const { values, positionals, dataDir } = parseCommand<{ follow?: boolean; stdout?: boolean; stderr?: boolean; tail?: string }>(
    argv,
    { follow: { type: 'boolean', short: 'f' }, stdout: { type: 'boolean' }, stderr: { type: 'boolean' }, tail: { type: 'string', short: 'n' } },
    LOGS_USAGE,
  );
  if (positionals.length !== 1) throw usageError('Name exactly one agent id.', LOGS_USAGE);
  if (values.stdout === true && values.stderr === true) throw usageError('--stdout and --stderr exclude each other; give neither for both.', LOGS_USAGE);
  const lines = wholeNumber(values.tail, '--tail', LOGS_USAGE) ?? null;
  const streams: LogStream[] = values.stdout === true ? ['stdout'] : values.stderr === true ? ['stderr'] : ['stdout', 'stderr'];
  const agentId = positionals[0]!;
  const client = await connectToHost(dataDir);
  try {
    await getAgent(client, agentId);
    const ends: Record<LogStream, number> = { stdout: 0, stderr: 0 };
    for (const stream of streams) {
      const { data, end } = await readTail(client, agentId, stream, lines);
      SINKS[stream](data);
      ends[stream] = end;
    }
    if (values.follow !== true) return 0;
    const sinks = Object.fromEntries(streams.map((stream) => [stream, SINKS[stream]])) as Sinks;
    await follow(client, agentId, sinks, ends);
    return 0;
  } finally {
    await client.close();
  }
}

/** Writes new output until the agent has ended (then everything it wrote), or the host goes away. */
export async function follow(client: Parameters<typeof getAgent>[0], agentId: string, sinks: Sinks, start: Record<LogStream, number>): Promise<void> {
  const follower = new LogFollower(client, agentId, sinks, start);
  try {
    const ended = untilEnded(client, [agentId]);
    await follower.begin();
    const views = await ended;
    if (views.every(hasEnded)) await follower.catchUp();
  } finally {
    follower.stop();
  }
}
