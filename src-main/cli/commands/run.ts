/**
 * `corral run [flags] -- PROGRAM [ARGS…]`: starts an agent and prints its id
 * (or, with `--follow`, its output until it ends, then exits with its exit
 * code). When no host owns the data folder it starts one in the background,
 * unless `--no-start`. Inside an agent, `--parent` defaults to that agent
 * (CORRAL_AGENT_ID), so an orchestrator's workers appear under it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SpawnRequest } from '../../../src-preload/contract';
import { parseCommand } from '../args';
import { exitCodeOf, getAgent, valueOf } from '../agents';
import { CliError, EXIT, usageError } from '../exit-codes';
import { connectOrStart } from '../host';
import { printJson } from '../output';
import { follow, SINKS } from './logs';

export const RUN_USAGE =
  'corral run [--name N] [--id ID] [--type T] [--model M] [--parent ID] [--load PERCENT] [--cwd D] [--env K=V]… [--secret-env K]… [--restart no|on-failure|always] ' +
  '[--prompt TEXT | --prompt-file F] [--follow] [--json] [--no-start] [--data-dir D] -- PROGRAM [ARGS…]';

interface RunFlags {
  name?: string;
  id?: string;
  type?: string;
  model?: string;
  parent?: string;
  load?: string;
  cwd?: string;
  env?: string[];
  'secret-env'?: string[];
  restart?: string;
  prompt?: string;
  'prompt-file'?: string;
  follow?: boolean;
  json?: boolean;
  'no-start'?: boolean;
}

/** `entry`: how to run this command again (program and arguments), for starting a host. */
export async function run(argv: string[], entry: string[]): Promise<number> {
  const { values, positionals, dataDir } = parseCommand<RunFlags>(
    argv,
    {
      name: { type: 'string' },
      id: { type: 'string' },
      type: { type: 'string' },
      model: { type: 'string' },
      parent: { type: 'string' },
      load: { type: 'string' },
      cwd: { type: 'string' },
      env: { type: 'string', multiple: true },
      'secret-env': { type: 'string', multiple: true },
      restart: { type: 'string' },
      prompt: { type: 'string' },
      'prompt-file': { type: 'string' },
      follow: { type: 'boolean' },
      json: { type: 'boolean' },
      'no-start': { type: 'boolean' },
    },
    RUN_USAGE,
  );
  const request = await buildRequest(values, positionals);
  const client = await connectOrStart(dataDir, values['no-start'] !== true, entry);
  try {
    const started = valueOf(await client.call('spawnAgent', request), `start ${request.agentId}`);
    if (started.status === 'failed') {
      throw new CliError(EXIT.failed, `${request.agentId} did not start: ${started.error ?? 'unknown error'}. Check the program and --cwd, then run it again.`);
    }
    if (values.json === true) printJson(started);
    else if (values.follow !== true) process.stdout.write(`${started.agentId}\n`);
    if (values.follow !== true) return 0;
    await follow(client, started.agentId, SINKS, { stdout: 0, stderr: 0 });
    return exitCodeOf(await getAgent(client, started.agentId));
  } finally {
    await client.close();
  }
}

async function buildRequest(values: RunFlags, command: string[]): Promise<SpawnRequest> {
  if (command.length === 0) throw usageError('Name the program to run after `--`, e.g. corral run -- sleep 60.', RUN_USAGE);
  if (values.prompt !== undefined && values['prompt-file'] !== undefined) throw usageError('--prompt and --prompt-file exclude each other.', RUN_USAGE);
  const program = command[0]!;
  const name = values.name ?? path.basename(program);
  const agentId = values.id ?? `${slug(name)}-${randomUUID().slice(0, 8)}`;
  // Inside an agent, its workers are its children unless told otherwise.
  const parent = values.parent ?? (process.env.CORRAL_AGENT_ID || undefined);
  const env: Record<string, string> = {};
  for (const pair of values.env ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw usageError(`--env takes KEY=VALUE; got ${JSON.stringify(pair)}.`, RUN_USAGE);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const secretEnv: Record<string, string> = {};
  for (const key of values['secret-env'] ?? []) {
    const value = process.env[key];
    if (value === undefined || value === '') throw usageError(`--secret-env ${key}: ${key} is not set in this environment; export it first (its value is taken from here, never from the command line).`, RUN_USAGE);
    secretEnv[key] = value;
  }
  let restart: SpawnRequest['restart'];
  if (values.restart !== undefined) {
    if (values.restart !== 'no' && values.restart !== 'on-failure' && values.restart !== 'always') throw usageError(`--restart is no, on-failure or always; got ${JSON.stringify(values.restart)}.`, RUN_USAGE);
    // Only here is a contract value needed: loading the schemas costs more than the rest of the command.
    const { DEFAULT_RESTART_POLICY } = await import('../../../src-preload/contract/schemas');
    restart = { ...DEFAULT_RESTART_POLICY, mode: values.restart };
  }
  let loadPercentage: number | undefined;
  if (values.load !== undefined) {
    loadPercentage = Number(values.load);
    if (values.load.trim() === '' || !Number.isFinite(loadPercentage) || loadPercentage < 0 || loadPercentage > 100) throw usageError(`--load is a share of work from 0 to 100; got ${JSON.stringify(values.load)}.`, RUN_USAGE);
  }
  let prompt = values.prompt;
  if (values['prompt-file'] !== undefined) {
    try {
      prompt = readFileSync(values['prompt-file'], 'utf8');
    } catch (error) {
      throw usageError(`--prompt-file: could not read ${values['prompt-file']}: ${(error as Error).message}`, RUN_USAGE);
    }
  }
  return {
    requestId: randomUUID(),
    agentId,
    agentName: name,
    agentType: values.type ?? 'cli',
    command,
    // The caller's directory, not the host's: a relative program or path means what it means here.
    cwd: path.resolve(values.cwd ?? process.cwd()),
    ...(parent === undefined ? {} : { parentAgentId: parent }),
    ...(values.model === undefined ? {} : { model: values.model }),
    ...(loadPercentage === undefined ? {} : { loadPercentage }),
    ...(prompt === undefined ? {} : { prompt }),
    ...(Object.keys(env).length === 0 ? {} : { env }),
    ...(Object.keys(secretEnv).length === 0 ? {} : { secretEnv }),
    ...(restart === undefined ? {} : { restart }),
  };
}

/** A readable id stem from a name: lower case, safe characters only. */
function slug(name: string): string {
  const stem = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 40)
    .replace(/[-.]+$/, '');
  return stem === '' ? 'agent' : stem;
}
