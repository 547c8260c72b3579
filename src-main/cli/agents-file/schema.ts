/**
 * The agents file (`corral apply FILE`): one zod schema for what the file may
 * say, its types inferred. Every field an agent's request has reuses the
 * contract's own schema (`spawnRequestFieldsSchema`, the policy schemas), so
 * a rule on a request is written once and the file gets the same messages as
 * the New agent dialog. The file's own keys are snake_case; the fields inside
 * a policy object are the contract's, verbatim (`maxRestarts`, `quietMs`, …).
 */
import { z } from 'zod';
import {
  DEFAULT_RESTART_POLICY,
  DEFAULT_STALL_POLICY,
  agentIdSchema,
  nicenessSchema,
  resourceGuardSchema,
  restartPolicySchema,
  spawnRequestFieldsSchema,
  stallPolicySchema,
} from '../../../src-preload/contract';

const request = spawnRequestFieldsSchema.shape;

/** The kind a custom issue carries, so the loader can tell a bad pattern from other problems. */
export const BAD_PATTERN = 'bad-pattern';

/** A regular expression (JavaScript syntax, no flags), refused at load when it does not compile. */
const patternSchema = z
  .string({ error: 'a log pattern must be text' })
  .min(1, 'a log pattern must not be empty')
  .superRefine((pattern, ctx) => {
    try {
      new RegExp(pattern);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `bad regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`, params: { kind: BAD_PATTERN } });
    }
  });

/** What a dependant waits for: the dependency `started`, `completed` (exit code 0), or a line of its output matching `log`. */
export const conditionSchema = z.union([z.enum(['started', 'completed']), z.strictObject({ log: patternSchema })], {
  error: 'a dependency condition is "started", "completed" or { log: "pattern" }',
});
export type DependencyCondition = z.infer<typeof conditionSchema>;

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `restart: on-failure` is the mode with the default limits; an object overrides only the fields it names. */
const restartSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { ...DEFAULT_RESTART_POLICY, mode: value } : isPlainObject(value) ? { ...DEFAULT_RESTART_POLICY, ...value } : value),
  restartPolicySchema,
);

/** `stall: false` (or null) turns stall detection off; an object overrides the default's fields. */
const stallSchema = z.preprocess(
  (value) => (value === false ? null : isPlainObject(value) ? { ...DEFAULT_STALL_POLICY, ...value } : value),
  stallPolicySchema.nullable(),
);

/** A guard names a memory and/or a CPU limit and an action; the limit it does not name is off, `sustainedMs` is the dialog's 30 s. */
const guardSchema = z.preprocess(
  (value) => (value === false ? null : isPlainObject(value) ? { memoryMb: null, cpuPercent: null, sustainedMs: 30_000, ...value } : value),
  resourceGuardSchema.nullable(),
);

/** YAML reads `8080` or `true` as a number or a boolean: in argv and env they become their text, as a shell would pass them. */
const asText = (value: unknown) => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value);

const commandSchema = z.preprocess((value) => (Array.isArray(value) ? value.map(asText) : value), request.command);

const envSchema = z.preprocess((value) => (isPlainObject(value) ? Object.fromEntries(Object.entries(value).map(([key, v]) => [key, asText(v)])) : value), request.env.unwrap());

/** One agent of the file: everything the New agent dialog offers, plus its dependencies. */
export const fileAgentSchema = z.strictObject({
  /**
   * argv, no shell: an array only. A string would need a splitting rule (and
   * invites pipes and `&&`, which without a shell silently become arguments);
   * write `[sh, -c, "a | b"]` when a shell is wanted.
   */
  command: commandSchema,
  /** The display name; default: the agent's key. */
  name: request.agentName.optional(),
  /** Free-form kind (the dialog's Type); default `agents-file`. */
  type: request.agentType.optional(),
  model: request.model,
  prompt: request.prompt,
  /** Written to the agent's stdin, which is then closed. */
  stdin: request.stdin,
  /** Share of work, 0–100 (informational). */
  load: request.loadPercentage,
  /** Relative to the file's folder; default: the file's folder. */
  cwd: request.cwd,
  env: envSchema.optional(),
  /** Names of variables whose values are taken from the environment of `corral apply` (never written in the file). */
  secret_env: z.array(request.env.unwrap().keyType, { error: 'secret_env is a list of variable names' }).optional(),
  allow_loader_env: request.allowLoaderEnv,
  restart: restartSchema.optional(),
  stall: stallSchema.optional(),
  guard: guardSchema.optional(),
  niceness: nicenessSchema.nullable().optional(),
  /** Stopping it stops its sub-agents first (default true). */
  stop_children_first: request.stopChildrenFirst,
  /** Another agent of this file (by key), or any agent id. */
  parent: z.string({ error: 'parent must be an agent name or id' }).min(1, 'parent must not be empty').optional(),
  /** Agents of this file (by key) that must reach a condition before this one starts. */
  depends_on: z.record(z.string(), conditionSchema, { error: 'depends_on maps agent names to a condition' }).optional(),
});
export type FileAgentSpec = z.infer<typeof fileAgentSchema>;

/** The whole file. */
export const agentsFileSchema = z.strictObject(
  {
    /** Optional prefix of every agent id (`<project>.<key>`), so two files may use the same keys. */
    project: agentIdSchema.optional(),
    agents: z
      .record(agentIdSchema, fileAgentSchema, { error: 'the file needs an "agents:" map of agent names to their settings' })
      .refine((agents) => Object.keys(agents).length > 0, 'agents must name at least one agent'),
  },
  { error: 'an agents file is a map with an "agents:" key (and optionally "project:")' },
);
export type AgentsFileSpec = z.infer<typeof agentsFileSchema>;
