/**
 * `corral apply FILE` and `corral down FILE`: agents as code. The file is
 * loaded and checked before any host is reached (a bad file is exit 2 with
 * `file:line:column`); what happens is the agents-file module's business
 * (`../agents-file/`), this only connects it to the host and prints it.
 * Progress goes to stderr, the report to stdout (`--json`: the report as is).
 * A file agent's request holds secret values: only reports and progress are
 * printed, never a request.
 */
import { applyAgentsFile, downAgentsFile, formatAgentsFileError, loadAgentsFile, contractTarget, type ApplyProgress } from '../agents-file/index';
import { parseCommand } from '../args';
import { CliError, EXIT, usageError } from '../exit-codes';
import { connectOrStart, connectToHost } from '../host';
import { printJson } from '../output';

export const APPLY_USAGE = 'corral apply FILE [--json] [--no-start] [--data-dir D]';
export const DOWN_USAGE = 'corral down FILE [--json] [--data-dir D]';

/** Starts what the file describes and is not running as described; exit 1 when a step failed. */
export async function apply(argv: string[], entry: string[]): Promise<number> {
  const { values, positionals, dataDir } = parseCommand<{ json?: boolean; 'no-start'?: boolean }>(
    argv,
    { json: { type: 'boolean' }, 'no-start': { type: 'boolean' } },
    APPLY_USAGE,
  );
  const file = await load(positionals, APPLY_USAGE, true);
  const client = await connectOrStart(dataDir, values['no-start'] !== true, entry);
  try {
    const report = await applyAgentsFile(file, contractTarget(client), { onProgress: printProgress });
    if (values.json === true) printJson(report);
    else process.stdout.write(`Started ${report.started.length}, restarted ${report.restarted.length}, left ${report.left.length} unchanged${report.skipped.length > 0 ? `, skipped ${report.skipped.length}` : ''}.\n`);
    if (!report.ok) throw new CliError(EXIT.failed, `${report.error?.message ?? 'The apply failed.'} Fix it and run \`corral apply\` again: what already runs as described is left alone.`);
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

/** Stops what the file started, in reverse dependency order; exit 1 when a stop left survivors or failed. */
export async function down(argv: string[]): Promise<number> {
  const { values, positionals, dataDir } = parseCommand<{ json?: boolean }>(argv, { json: { type: 'boolean' } }, DOWN_USAGE);
  // No secrets are needed to stop agents: the caller's environment may lack them.
  const file = await load(positionals, DOWN_USAGE, false);
  const client = await connectToHost(dataDir);
  try {
    const report = await downAgentsFile(file, contractTarget(client), { onProgress: printProgress });
    if (values.json === true) printJson(report);
    else process.stdout.write(`Stopped ${report.stopped.length} agent(s).\n`);
    if (!report.ok) throw new CliError(EXIT.failed, report.errors.map((error) => error.message).join('\n'));
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

async function load(positionals: string[], usage: string, withSecrets: boolean) {
  if (positionals.length !== 1) throw usageError('Name one agents file (YAML or JSON).', usage);
  const loaded = await loadAgentsFile(positionals[0]!, withSecrets ? {} : { environment: null });
  if (!loaded.ok) throw new CliError(EXIT.usage, formatAgentsFileError(loaded.error));
  return loaded.value;
}

/** One line per step on stderr, so stdout stays the report. */
function printProgress(event: ApplyProgress): void {
  const line = describeProgress(event);
  if (line !== null) process.stderr.write(`${line}\n`);
}

function describeProgress(event: ApplyProgress): string | null {
  switch (event.type) {
    case 'plan':
    case 'down-plan':
      return event.plan.changes === 0 && event.type === 'plan' ? 'Nothing to change.' : null;
    case 'waiting':
      return `${event.agentId}: waiting for ${event.dependency} (${event.condition})`;
    case 'stopping':
      return `${event.agentId}: stopping`;
    case 'stopped':
      return `${event.agentId}: stopped`;
    case 'started':
      return `${event.agentId}: ${event.action === 'restart' ? 'restarted' : 'started'}`;
    case 'left':
      return null;
    case 'skipped':
      return `${event.agentId}: skipped (the apply failed first)`;
    case 'failed':
      return `${event.agentId ?? 'apply'}: ${event.message}`;
  }
}
