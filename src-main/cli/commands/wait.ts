/** `corral wait ID…`: blocks until every agent has ended; exits with the (last failing) agent's exit code. */
import type { AgentView } from '../../../src-preload/contract';
import type { CorralClient } from '../../client/index';
import { parseCommand } from '../args';
import { exitCodeOf, getAgent, hasEnded } from '../agents';
import { CliError, EXIT, usageError } from '../exit-codes';
import { connectToHost } from '../host';

export const WAIT_USAGE = 'corral wait ID… [--data-dir D]';

export async function wait(argv: string[]): Promise<number> {
  const { positionals, dataDir } = parseCommand(argv, {}, WAIT_USAGE);
  if (positionals.length === 0) throw usageError('Name at least one agent id.', WAIT_USAGE);
  const client = await connectToHost(dataDir);
  try {
    const views = await untilEnded(client, positionals);
    // The pipeline's convention: the last failure decides (0 when all succeeded).
    return views.reduce((code, view) => (exitCodeOf(view) !== 0 ? exitCodeOf(view) : code), 0);
  } finally {
    await client.close();
  }
}

/**
 * Resolves with the agents' views once every one has ended (status events,
 * checked against a first read so an agent that already ended resolves at
 * once). Rejects with exit code 4 for an unknown id, 1 when the host goes away.
 */
export async function untilEnded(client: CorralClient, agentIds: string[]): Promise<AgentView[]> {
  const latest = new Map<string, AgentView>();
  let wake: () => void = () => {};
  const changed = () => wake();
  const unsubscribe = client.subscribe('status', (event) => {
    for (const agentId of agentIds) {
      const view = event.agents[agentId];
      if (view !== undefined) latest.set(agentId, view);
    }
    changed();
  });
  try {
    for (const agentId of agentIds) if (!latest.has(agentId)) latest.set(agentId, await getAgent(client, agentId));
    let closed = false;
    void client.closed.then(() => {
      closed = true;
      changed();
    });
    for (;;) {
      const views = agentIds.map((agentId) => latest.get(agentId)!);
      if (views.every(hasEnded)) return views;
      if (closed) throw new CliError(EXIT.failed, 'The Corral host went away while waiting; check it with `corral ls`, and run the command again.');
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    unsubscribe();
  }
}
