/**
 * Reads an agents file: YAML (JSON is YAML too) → the schema → one spawn
 * request per agent, with its dependencies checked (every name known, no
 * cycle) and its secrets taken from the caller's environment. Every refusal
 * is an `AgentsFileError` naming the file, the line and column, and the fix.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { agentIdSchema, spawnRequestSchema } from '../../../src-preload/contract';
import { type AgentsFileError, type AgentsFileErrorKind, type LoadResult } from './errors';
import { FINGERPRINT_ENV_PREFIX, fingerprintKey, fingerprintOf, type FileRequest } from './fingerprint';
import { findCycle, waves } from './graph';
import { positionOf } from './positions';
import { BAD_PATTERN, agentsFileSchema, fileAgentSchema, type AgentsFileSpec, type DependencyCondition, type FileAgentSpec } from './schema';

/** The `type` of an agent whose file names none. */
export const DEFAULT_AGENT_TYPE = 'agents-file';

/** A dependency of one agent on another of the same file. */
export interface Dependency {
  name: string;
  agentId: string;
  condition: DependencyCondition;
}

/** One agent of a loaded file. */
export interface FileAgent {
  /** Its key in the file. */
  name: string;
  /** `<project>.<name>`, or the name when the file has no project. */
  agentId: string;
  /** What `apply` spawns (a fresh requestId is added per spawn); carries the fingerprint variable. */
  request: FileRequest;
  /** Hash of the request (see fingerprint.ts): equal on the next apply means unchanged. */
  fingerprint: string;
  dependsOn: Dependency[];
}

/** A loaded, checked agents file. */
export interface AgentsFile {
  /** Absolute path. */
  file: string;
  project: string | null;
  /** In file order. */
  agents: FileAgent[];
  /** Agent names by wave: wave 0 depends on nothing, wave n only on earlier waves (what may start in parallel). */
  waves: string[][];
}

export interface LoadOptions {
  /**
   * Where `secret_env` values come from (default: this process's environment).
   * Null: do not resolve them (for `down`, which spawns nothing); the requests then carry no secret values.
   */
  environment?: Readonly<Record<string, string | undefined>> | null;
}

/** Reads and checks the agents file at `file`. */
export async function loadAgentsFile(file: string, options: LoadOptions = {}): Promise<LoadResult<AgentsFile>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return fail({ kind: 'unreadable', file, position: null, path: '', names: [], message: `cannot read the agents file: ${(error as Error).message}` });
  }
  return parseAgentsFile(text, path.resolve(file), options, file);
}

/** Checks agents-file `text` as if read from `file` (relative paths resolve against its folder). */
export function parseAgentsFile(text: string, file: string, options: LoadOptions = {}, shownAs = file): LoadResult<AgentsFile> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problem = (kind: AgentsFileErrorKind, at: readonly PropertyKey[], message: string, names: string[] = [], keyOf?: string) =>
    fail({ kind, file: shownAs, position: positionOf(doc, lines, at, keyOf), path: at.join('.'), names, message });

  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const { line, col } = lines.linePos(syntax.pos[0]);
    return fail({ kind: 'syntax', file: shownAs, position: { line, column: col }, path: '', names: [], message: `not valid YAML: ${syntax.message}` });
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const parsed = agentsFileSchema.safeParse(data);
  if (!parsed.success) return schemaProblem(parsed.error, data, problem);
  return buildAgents(parsed.data, file, options.environment === undefined ? process.env : options.environment, problem);
}

type Problem = (kind: AgentsFileErrorKind, at: readonly PropertyKey[], message: string, names?: string[], keyOf?: string) => LoadResult<never>;

function fail(error: AgentsFileError): { ok: false; error: AgentsFileError } {
  return { ok: false, error };
}

const TOP_KEYS = Object.keys(agentsFileSchema.shape);
const AGENT_KEYS = Object.keys(fileAgentSchema.shape);

/** The first issue zod found, with its place in the file; how many more there are is said, not listed (fix one, run again). */
function schemaProblem(error: z.ZodError, data: unknown, problem: Problem): LoadResult<never> {
  const issue = error.issues[0]!;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  if (issue.code === 'unrecognized_keys') {
    const allowed = issue.path.length === 0 ? TOP_KEYS : issue.path.length === 2 && issue.path[0] === 'agents' ? AGENT_KEYS : null;
    const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
    const hint = allowed === null ? '' : `; the keys here are ${allowed.join(', ')}`;
    return problem('unknown-key', issue.path, `${where}unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}${hint}${more}`, issue.keys, issue.keys[0]);
  }
  if (issue.code === 'invalid_key') {
    // A key that is not a valid name (an agent's id): point at the key, with the id rule's own words.
    const key = String(issue.path.at(-1));
    const parent = issue.path.slice(0, -1);
    return problem('invalid', parent, `${parent.join('.')}: "${key}" is not a valid name: ${issue.issues[0]?.message ?? issue.message}${more}`, [key], key);
  }
  if (issue.code === 'invalid_type' && issue.path.length > 0 && valueAt(data, issue.path) === undefined) {
    return problem('invalid', issue.path.slice(0, -1), `${issue.path.join('.')} is required: ${issue.message}${more}`);
  }
  const kind = issue.code === 'custom' && issue.params?.['kind'] === BAD_PATTERN ? 'bad-pattern' : 'invalid';
  return problem(kind, issue.path, `${where}${issue.message}${more}`);
}

function valueAt(data: unknown, at: readonly PropertyKey[]): unknown {
  let value = data;
  for (const step of at) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[step] : undefined;
  return value;
}

/** Request field → the file's key, to place a whole-request refusal (e.g. a loader variable) at the key to change. */
const FILE_KEY: Partial<Record<string, keyof FileAgentSpec>> = {
  agentName: 'name',
  agentType: 'type',
  loadPercentage: 'load',
  secretEnv: 'secret_env',
  allowLoaderEnv: 'allow_loader_env',
  stopChildrenFirst: 'stop_children_first',
  parentAgentId: 'parent',
};

function buildAgents(spec: AgentsFileSpec, file: string, environment: Exclude<LoadOptions['environment'], undefined>, problem: Problem): LoadResult<AgentsFile> {
  const dir = path.dirname(file);
  const project = spec.project ?? null;
  const entries = Object.entries(spec.agents);
  const idOf = (name: string) => (project === null ? name : `${project}.${name}`);
  const seen = new Map<string, string>();
  for (const [name] of entries) {
    const id = idOf(name);
    const checked = agentIdSchema.safeParse(id);
    if (!checked.success) return problem('invalid', ['agents'], `agent id "${id}" (project + "." + name): ${checked.error.issues[0]!.message}; shorten the name or the project`, [name], name);
    const twin = seen.get(id.toLowerCase());
    if (twin !== undefined) return problem('invalid', ['agents'], `agents "${twin}" and "${name}" differ only in case; their log folders would clash on some systems: rename one`, [twin, name], name);
    seen.set(id.toLowerCase(), name);
  }
  const names = new Set(entries.map(([name]) => name));
  for (const [name, agent] of entries) {
    for (const dependency of Object.keys(agent.depends_on ?? {})) {
      if (!names.has(dependency)) {
        const known = [...names].join(', ');
        return problem('unknown-dependency', ['agents', name, 'depends_on'], `agents.${name}.depends_on names "${dependency}", which is not an agent of this file (its agents: ${known})`, [dependency], dependency);
      }
    }
    for (const key of Object.keys(agent.env ?? {})) {
      if (key.startsWith(FINGERPRINT_ENV_PREFIX)) return problem('invalid', ['agents', name, 'env'], `agents.${name}.env: ${FINGERPRINT_ENV_PREFIX}* is reserved (apply marks its agents with it); rename ${key}`, [key], key);
    }
  }
  const graph = new Map(entries.map(([name, agent]) => [name, Object.keys(agent.depends_on ?? {})]));
  const cycle = findCycle(graph);
  if (cycle !== null) {
    return problem('cycle', ['agents', cycle[0]!, 'depends_on'], `depends_on goes round in a circle: ${cycle.join(' → ')}; remove one of these dependencies`, cycle, cycle[1]);
  }

  const agents: FileAgent[] = [];
  for (const [name, agent] of entries) {
    const secretNames = agent.secret_env ?? [];
    const missing = environment === null ? [] : secretNames.filter((key) => (environment[key] ?? '') === '');
    if (missing.length > 0) {
      const list = missing.join(', ');
      return problem(
        'missing-secret',
        ['agents', name, 'secret_env'],
        `agents.${name}.secret_env: ${list} ${missing.length > 1 ? 'are' : 'is'} not set in this environment; export ${missing.length > 1 ? 'them' : 'it'} before running corral apply (secret values are never written in the file)`,
        missing,
      );
    }
    const parent = agent.parent === undefined ? undefined : names.has(agent.parent) ? idOf(agent.parent) : agent.parent;
    const request: FileRequest = {
      agentId: idOf(name),
      agentName: agent.name ?? name,
      agentType: agent.type ?? DEFAULT_AGENT_TYPE,
      ...(parent === undefined ? {} : { parentAgentId: parent }),
      ...(agent.model === undefined ? {} : { model: agent.model }),
      ...(agent.prompt === undefined ? {} : { prompt: agent.prompt }),
      ...(agent.load === undefined ? {} : { loadPercentage: agent.load }),
      command: agent.command,
      cwd: path.resolve(dir, agent.cwd ?? '.'),
      env: { ...agent.env },
      ...(agent.stdin === undefined ? {} : { stdin: agent.stdin }),
      ...(agent.allow_loader_env === undefined ? {} : { allowLoaderEnv: agent.allow_loader_env }),
      ...(secretNames.length === 0 ? {} : { secretEnv: Object.fromEntries(secretNames.map((key) => [key, environment?.[key] ?? ''])) }),
      ...(agent.restart === undefined ? {} : { restart: agent.restart }),
      ...(agent.stall === undefined ? {} : { stall: agent.stall }),
      ...(agent.guard === undefined ? {} : { guard: agent.guard }),
      ...(agent.niceness === undefined ? {} : { niceness: agent.niceness }),
      ...(agent.stop_children_first === undefined ? {} : { stopChildrenFirst: agent.stop_children_first }),
    };
    // The whole-request rules (a key both plain and secret, loader variables), the contract's own; unresolved secrets are stood in for.
    const standIn = environment === null && request.secretEnv !== undefined ? Object.fromEntries(secretNames.map((key) => [key, 'x'])) : request.secretEnv;
    const whole = spawnRequestSchema.safeParse({ ...request, secretEnv: standIn, requestId: 'check' });
    if (!whole.success) {
      const issue = whole.error.issues[0]!;
      const field = String(issue.path[0] ?? '');
      const key = FILE_KEY[field] ?? field;
      return problem('invalid', ['agents', name, ...(key === '' ? [] : [key]), ...issue.path.slice(1)], `agents.${name}${key === '' ? '' : `.${key}`}: ${issue.message}`);
    }
    const fingerprint = fingerprintOf(request);
    request.env = { ...request.env, [fingerprintKey(fingerprint)]: file };
    const dependsOn = Object.entries(agent.depends_on ?? {}).map(([dependency, condition]) => ({ name: dependency, agentId: idOf(dependency), condition }));
    agents.push({ name, agentId: request.agentId, request, fingerprint, dependsOn });
  }
  return { ok: true, value: { file, project, agents, waves: waves(graph) } };
}
