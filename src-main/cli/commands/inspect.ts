/** `corral ls` and `corral status`: what the host knows about its agents. */
import type { AgentView } from '../../../src-preload/contract';
import { isLive } from '../../client/zod-free';
import { parseCommand } from '../args';
import { getAgent, toRow, valueOf } from '../agents';
import { usageError } from '../exit-codes';
import { connectToHost } from '../host';
import { formatDuration, formatTable, paintState, printJson, useColour } from '../output';

export const LS_USAGE = 'corral ls [--all] [--json] [--data-dir D]';
export const STATUS_USAGE = 'corral status ID [--json] [--data-dir D]';

/** Live agents (and those waiting to restart); with `--all`, ended ones too. Oldest first. */
export async function ls(argv: string[]): Promise<number> {
  const { values, dataDir } = parseCommand<{ all?: boolean; json?: boolean }>(argv, { all: { type: 'boolean' }, json: { type: 'boolean' } }, LS_USAGE, { positionals: false });
  const client = await connectToHost(dataDir);
  try {
    const all = valueOf(await client.call('monitorAllAgents'), 'list the agents');
    const shown = Object.values(all)
      .filter((view) => values.all === true || isLive(view.state) || view.state === 'backoff')
      .sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.agentId.localeCompare(b.agentId));
    if (values.json === true) {
      printJson(shown.map(toRow));
      return 0;
    }
    if (shown.length === 0) {
      const ended = Object.keys(all).length;
      process.stdout.write(ended > 0 && values.all !== true ? `No live agents (${ended} ended: corral ls --all).\n` : 'No agents. Start one with `corral run -- PROGRAM`.\n');
      return 0;
    }
    const colour = useColour();
    const rows = shown.map((view) => {
      const row = toRow(view);
      return [
        row.id,
        paintState(row.state, colour),
        row.pid === null ? '-' : String(row.pid),
        row.cpuPercent === null || row.processes === 0 ? '-' : `${row.cpuPercent.toFixed(1)}%`,
        row.memoryMb === null || row.processes === 0 ? '-' : `${row.memoryMb.toFixed(1)} MB`,
        formatDuration(row.runtimeSeconds),
        row.parent ?? '-',
        row.name,
      ];
    });
    process.stdout.write(`${formatTable(['ID', 'STATE', 'PID', 'CPU', 'MEMORY', 'UPTIME', 'PARENT', 'NAME'], rows)}\n`);
    return 0;
  } finally {
    await client.close();
  }
}

/** One agent in full; `--json` prints the contract's AgentView. */
export async function status(argv: string[]): Promise<number> {
  const { values, positionals, dataDir } = parseCommand<{ json?: boolean }>(argv, { json: { type: 'boolean' } }, STATUS_USAGE);
  if (positionals.length !== 1) throw usageError('Name exactly one agent id.', STATUS_USAGE);
  const client = await connectToHost(dataDir);
  try {
    const view = await getAgent(client, positionals[0]!);
    if (values.json === true) printJson(view);
    else process.stdout.write(describe(view, useColour()));
    return 0;
  } finally {
    await client.close();
  }
}

function describe(view: AgentView, colour: boolean): string {
  const row = toRow(view);
  const lines: [string, string][] = [
    ['ID', row.id],
    ['Name', row.name],
    ['Type', row.type || '-'],
    ['State', `${paintState(row.state, colour)} (${row.health})`],
    ['PID', row.pid === null ? '-' : String(row.pid)],
    ['Parent', row.parent ?? '-'],
    ['Processes', String(row.processes)],
    ['CPU', row.cpuPercent === null ? '-' : `${row.cpuPercent.toFixed(1)}%`],
    ['Memory', row.memoryMb === null ? '-' : `${row.memoryMb.toFixed(1)} MB`],
    ['Started', row.startedAt ?? '-'],
    ['Uptime', formatDuration(row.runtimeSeconds)],
  ];
  if (row.endedAt !== null) lines.push(['Ended', row.endedAt]);
  if (view.lastExit !== null) lines.push(['Exit', view.lastExit.summary]);
  if (row.restarts > 0) lines.push(['Restarts', String(row.restarts)]);
  if (view.progress !== null || view.progressMessage !== null) lines.push(['Progress', `${view.progress ?? '-'}% ${view.progressMessage ?? ''}`.trim()]);
  if (row.error !== null) lines.push(['Error', row.error]);
  for (const note of view.notes) lines.push(['Note', note]);
  const width = Math.max(...lines.map(([key]) => key.length));
  return lines.map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${value}\n`).join('');
}
