/** `corral stop`, `corral restart`, `corral pause`, `corral resume`, `corral rm`: changing what runs. */
import type { StopReportView } from '../../../src-preload/contract';
import { isLive } from '../../client/zod-free';
import { parseCommand } from '../args';
import { callFailure, getAgent, valueOf } from '../agents';
import { CliError, EXIT, usageError } from '../exit-codes';
import { connectToHost } from '../host';
import { printJson } from '../output';

export const STOP_USAGE = 'corral stop ID…|--all [--force] [--json] [--data-dir D]';
export const RESTART_USAGE = 'corral restart ID [--data-dir D]';
export const RM_USAGE = 'corral rm ID…|--finished [--data-dir D]';
export const PAUSE_USAGE = 'corral pause ID… [--data-dir D]';
export const RESUME_USAGE = 'corral resume ID… [--data-dir D]';

/** Stops agents (their whole trees, in parallel); exit 1 when anything survived, 4 when an id is unknown. */
export async function stop(argv: string[]): Promise<number> {
  const { values, positionals, dataDir } = parseCommand<{ all?: boolean; force?: boolean; json?: boolean }>(
    argv,
    { all: { type: 'boolean' }, force: { type: 'boolean' }, json: { type: 'boolean' } },
    STOP_USAGE,
  );
  if ((values.all === true) === positionals.length > 0) throw usageError('Name the agents to stop, or give --all (not both).', STOP_USAGE);
  const force = values.force === true;
  const client = await connectToHost(dataDir);
  try {
    if (values.all === true) {
      const cleanup = valueOf(await client.call('stopAll', { force }), 'stop every agent');
      const summary = { stopped: cleanup.stopped, unkillable: cleanup.unkillable, alreadyEnded: cleanup.alreadyEnded };
      if (values.json === true) printJson(summary);
      else process.stdout.write(`Stopped ${cleanup.stopped.length} agent(s)${cleanup.alreadyEnded.length > 0 ? `; ${cleanup.alreadyEnded.length} had already ended` : ''}.\n`);
      if (cleanup.unkillable.length > 0) throw survivors(cleanup.unkillable.map((agentId) => ({ agentId, survivors: [] })));
      return 0;
    }
    const results = await Promise.all(positionals.map(async (agentId) => ({ agentId, result: await client.call('stopAgent', { agentId, force }) })));
    const failed = results.filter((entry) => !entry.result.ok);
    const reports: StopReportView[] = results.flatMap((entry) => (entry.result.ok ? [entry.result.value] : []));
    if (values.json === true) printJson(reports);
    else for (const report of reports) process.stdout.write(`${report.agentId}: ${describeStop(report)}\n`);
    if (failed.length > 0) {
      const errors = failed.map((entry) => callFailure((entry.result as { ok: false; error: { code: never; message: string } }).error, `stop ${entry.agentId}`));
      // Not found wins (exit 4) only when nothing else went wrong.
      const code = errors.every((error) => error.exitCode === EXIT.notFound) ? EXIT.notFound : EXIT.failed;
      throw new CliError(code, errors.map((error) => error.message).join('\n'));
    }
    const unkillable = reports.filter((report) => report.outcome === 'unkillable');
    if (unkillable.length > 0) throw survivors(unkillable);
    return 0;
  } finally {
    await client.close();
  }
}

function describeStop(report: StopReportView): string {
  if (report.outcome === 'already-ended') return 'had already ended';
  const how = report.forced ? 'forced (SIGKILL)' : 'stopped';
  return report.outcome === 'stopped' ? `${how} in ${(report.durationMs / 1000).toFixed(1)} s` : 'some processes survived SIGKILL';
}

function survivors(reports: Pick<StopReportView, 'agentId' | 'survivors'>[]): CliError {
  const named = reports.map(({ agentId, survivors: left }) => (left.length === 0 ? agentId : `${agentId} (${left.map((p) => `pid ${p.pid} ${p.name}`).join(', ')})`));
  return new CliError(
    EXIT.failed,
    `Processes of ${named.join(', ')} survived SIGKILL (uninterruptible, or another user's). See \`corral status ID\`; they end once whatever holds them lets go.`,
  );
}

/** Stops the agent if it runs, then starts it again with the request it was started with. */
export async function restart(argv: string[]): Promise<number> {
  const { positionals, dataDir } = parseCommand(argv, {}, RESTART_USAGE);
  if (positionals.length !== 1) throw usageError('Name exactly one agent id.', RESTART_USAGE);
  const agentId = positionals[0]!;
  const client = await connectToHost(dataDir);
  try {
    const view = await getAgent(client, agentId);
    if (isLive(view.state) || view.state === 'backoff') {
      const report = valueOf(await client.call('stopAgent', { agentId }), `stop ${agentId}`);
      if (report.outcome === 'unkillable') throw survivors([report]);
    }
    const started = valueOf(await client.call('runAgain', { agentId }), `start ${agentId} again`);
    if (started.status === 'failed') throw new CliError(EXIT.failed, `${agentId} did not start again: ${started.error ?? 'unknown error'}`);
    process.stdout.write(`${agentId}: restarted (pid ${started.pid ?? '-'})\n`);
    return 0;
  } finally {
    await client.close();
  }
}

/** Freezes agents' whole trees (`paused` until resumed or stopped); exit 1 when one is not running, 4 when an id is unknown. */
export function pause(argv: string[]): Promise<number> {
  return setPaused(argv, true);
}

/** Lets paused agents run again; exit 1 when one is not paused, 4 when an id is unknown. */
export function resume(argv: string[]): Promise<number> {
  return setPaused(argv, false);
}

async function setPaused(argv: string[], paused: boolean): Promise<number> {
  const usage = paused ? PAUSE_USAGE : RESUME_USAGE;
  const { positionals, dataDir } = parseCommand(argv, {}, usage);
  if (positionals.length === 0) throw usageError(`Name the agents to ${paused ? 'pause' : 'resume'}.`, usage);
  const client = await connectToHost(dataDir);
  try {
    // One at a time, in the order given: each line says what became of one agent.
    for (const agentId of positionals) {
      const view = valueOf(await client.call(paused ? 'pauseAgent' : 'resumeAgent', { agentId }), `${paused ? 'pause' : 'resume'} ${agentId}`);
      process.stdout.write(`${agentId}: ${view.state}\n`);
    }
    return 0;
  } finally {
    await client.close();
  }
}

/** Forgets ended agents (and deletes their logs); `--finished`: every ended one. */
export async function rm(argv: string[]): Promise<number> {
  const { values, positionals, dataDir } = parseCommand<{ finished?: boolean }>(argv, { finished: { type: 'boolean' } }, RM_USAGE);
  if ((values.finished === true) === positionals.length > 0) throw usageError('Name the agents to remove, or give --finished (not both).', RM_USAGE);
  const client = await connectToHost(dataDir);
  try {
    let ids = positionals;
    if (values.finished === true) {
      // The engine decides what "finished" is (the app's Clear finished asks the same).
      ids = valueOf(await client.call('removeFinished'), 'remove the ended agents');
    } else {
      for (const agentId of ids) {
        const view = await getAgent(client, agentId);
        if (isLive(view.state) || view.state === 'backoff') throw new CliError(EXIT.failed, `${agentId} is ${view.state}; stop it first (\`corral stop ${agentId}\`), then remove it.`);
      }
      for (const agentId of ids) valueOf(await client.call('removeAgent', { agentId }), `remove ${agentId}`);
    }
    process.stdout.write(ids.length === 0 ? 'No ended agents to remove.\n' : `Removed ${ids.join(', ')}.\n`);
    return 0;
  } finally {
    await client.close();
  }
}
