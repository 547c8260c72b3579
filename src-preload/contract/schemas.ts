/**
 * Every shape the UI and the engine share, declared once as a zod schema; the
 * TypeScript types are inferred from them. The hosts parse call inputs with
 * these schemas, the engine checks requests and its state file with them, and
 * the views (`views.ts`) and the engine's types (`supervisor/types.ts`) are
 * built from the inferred types, so a field changes in one place only.
 */
import { z } from 'zod';

const text = (what: string, max: number) =>
  z
    .string({ error: `${what} must be text` })
    .max(max, `${what} is longer than ${max} characters`)
    .refine((value) => !value.includes('\0'), `${what} must not contain a NUL byte`);

const whole = (what: string, min: number, max: number) =>
  z.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`).min(min, `${what} is at least ${min}`).max(max, `${what} is at most ${max}`);

// ── Lifecycle ────────────────────────────────────────────────────────────────

/**
 * Lifecycle of one agent. `lost`: it ended while Corral was not running.
 * `paused`: its whole tree is frozen (cgroup.freeze, or SIGSTOP) until resumed; never stalled, never acted on by a guard.
 * `backoff`: it ended and its restart policy restarts it at `nextRestartAt`.
 * `crash-looping`: it kept failing and its policy's restart limit was reached.
 */
export const agentStateSchema = z.enum(['spawning', 'running', 'paused', 'stopping', 'backoff', 'completed', 'failed', 'crash-looping', 'cancelled', 'lost']);
export type AgentState = z.infer<typeof agentStateSchema>;

export const AGENT_STATES: readonly AgentState[] = agentStateSchema.options;

/** Lifecycle states in which the agent's root process may still be alive: figures are live, it can be stopped. */
export const LIVE_STATES: ReadonlySet<AgentState> = new Set<AgentState>(['spawning', 'running', 'paused', 'stopping']);

/** Whether an agent in this state may still have live processes (see LIVE_STATES). */
export function isLive(state: AgentState): boolean {
  return LIVE_STATES.has(state);
}

/**
 * What a glance at an agent should say (decided in one place: the engine's
 * `health.ts`). `stalled`: live, but silent and idle for longer than its stall
 * policy allows (waiting for input, or hung). `restarting`: waiting out its
 * restart backoff.
 */
export const agentHealthSchema = z.enum(['healthy', 'stalled', 'restarting', 'zombie', 'completed', 'failed', 'cancelled', 'unknown']);
export type AgentHealth = z.infer<typeof agentHealthSchema>;

// ── Stops ────────────────────────────────────────────────────────────────────

/** Which stage of a graceful stop is running (or ended a process). */
export const stopStageSchema = z.enum(['term1', 'term2', 'kill']);
export type StopStage = z.infer<typeof stopStageSchema>;

const perStageSchema = z.object({ term1: z.number(), term2: z.number(), kill: z.number() });

/** A stop in progress: the UI counts down to `deadline`. */
export const stopProgressSchema = z.object({
  stage: stopStageSchema,
  forced: z.boolean(),
  /** Epoch ms when this stage gives up and the next begins. */
  deadline: z.number(),
  /** Every stage's length (ms), so the UI can show all three. */
  stageMs: perStageSchema,
});
export type StopProgressView = z.infer<typeof stopProgressSchema>;

/** What a finished stop of one agent did (the fields of every stop report, a sub-agent's included). */
const stopReportFields = {
  agentId: z.string(),
  forced: z.boolean(),
  /** stopped: everything is gone; unkillable: something survived SIGKILL; already-ended: nothing to do. */
  outcome: z.enum(['stopped', 'unkillable', 'already-ended']),
  startedAt: z.string(),
  durationMs: z.number(),
  /** Processes found before the first signal. */
  processCount: z.number(),
  /** How many processes each stage ended. */
  endedByStage: perStageSchema,
  survivors: z.array(z.object({ pid: z.number(), name: z.string() })),
};

/** What a finished stop did. */
export const stopReportSchema = z.object({
  ...stopReportFields,
  /**
   * The live sub-agents (agents whose parentAgentId is this one, and theirs) that this stop stopped
   * first, under the `stopChildrenFirst` policy: one flat list, each with its own report, every
   * grandchild before its parent. Empty when there were none or the policy is off; absent in reports
   * saved before sub-agents were stopped with their parent.
   */
  children: z.array(z.object(stopReportFields)).optional(),
});
export type StopReportView = z.infer<typeof stopReportSchema>;

// ── Exits and runs ───────────────────────────────────────────────────────────

/** How one run ended. `summary` says it in one sentence; the other fields are for programs. */
export const exitSchema = z.object({
  /**
   * exited: the program ended with a code; signalled: a signal Corral did not send ended it;
   * stopped: Corral stopped it (a user, Stop all, or a resource guard); spawn-failed: it never started;
   * unknown: it ended while Corral was not running (or while adopted), so the code is unknown.
   */
  kind: z.enum(['exited', 'signalled', 'stopped', 'spawn-failed', 'unknown']),
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  /** For `stopped`: the stage that was running when the process ended, and who asked. */
  stopStage: stopStageSchema.nullable(),
  stoppedBy: z.enum(['user', 'guard']).nullable(),
  /** A SIGKILL that Corral did not send: the kernel's OOM killer is the usual sender. */
  possiblyOutOfMemory: z.boolean(),
  /** True when it is certain: its cgroup's `memory.events` counted an OOM kill during the run (absent when not known). */
  oomKilled: z.boolean().optional(),
  /** For `spawn-failed`: what was tried. */
  spawn: z.object({ argv: z.array(z.string()), cwd: z.string(), path: z.string() }).nullable(),
  summary: z.string(),
});
export type ExitView = z.infer<typeof exitSchema>;

/** One run of an agent (its first start, a restart, a run again). */
export const runRecordSchema = z.object({
  /** 1-based, counting every run of this agent id still on record. */
  run: z.number().int().positive(),
  trigger: z.enum(['user', 'restart', 'guard']),
  pid: z.number().int().positive().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  durationMs: z.number().nonnegative().nullable(),
  /** Null while the run goes on. */
  exit: exitSchema.nullable(),
  peakCpuPercent: z.number().nullable(),
  peakMemoryMb: z.number().nullable(),
  /**
   * Logical offsets (readLog's) where this run's output starts in each log: the Logs tab draws its marker
   * line there. Absent until the run's process has its files (and on runs recorded before it was kept).
   */
  logStart: z.object({ stdout: z.number().int().nonnegative(), stderr: z.number().int().nonnegative() }).optional(),
});
export type RunView = z.infer<typeof runRecordSchema>;

// ── Policies ─────────────────────────────────────────────────────────────────

/** When an ended agent is started again, and how often. */
export const restartPolicySchema = z.strictObject({
  /** `no`: never; `on-failure`: after a failure; `always`: after any end but a stop. */
  mode: z.enum(['no', 'on-failure', 'always'], { error: 'restart mode is no, on-failure or always' }),
  /** Restarts in a row (runs shorter than `resetAfterMs`) before the agent is marked `crash-looping`. */
  maxRestarts: whole('Max restarts', 0, 1000),
  /** The first restart waits this long; each next one twice as long, up to `maxDelayMs`. */
  initialDelayMs: whole('First delay (ms)', 100, 3_600_000),
  maxDelayMs: whole('Longest delay (ms)', 100, 86_400_000),
  /** A run that lasted this long was stable: the count of restarts in a row starts again. */
  resetAfterMs: whole('Stable after (ms)', 1000, 86_400_000),
});
export type RestartPolicy = z.infer<typeof restartPolicySchema>;
export type RestartMode = RestartPolicy['mode'];

export const DEFAULT_RESTART_POLICY: RestartPolicy = { mode: 'no', maxRestarts: 5, initialDelayMs: 1000, maxDelayMs: 60_000, resetAfterMs: 60_000 };

/** A live agent with no output for `quietMs` while its tree's mean CPU stays under `cpuBelowPercent` is `stalled`. */
export const stallPolicySchema = z.strictObject({
  quietMs: whole('Quiet for (ms)', 1000, 7 * 86_400_000),
  cpuBelowPercent: z.number({ error: 'CPU threshold must be a number' }).min(0, 'CPU threshold is at least 0').max(100_000, 'CPU threshold is at most 100000'),
});
export type StallPolicy = z.infer<typeof stallPolicySchema>;

export const DEFAULT_STALL_POLICY: StallPolicy = { quietMs: 5 * 60_000, cpuBelowPercent: 5 };

/** Limits on the agent's whole tree, and what to do once one has held for `sustainedMs`. */
export const resourceGuardSchema = z
  .strictObject({
    /** Null: no limit on memory. */
    memoryMb: z.number({ error: 'Memory limit must be a number' }).positive('Memory limit must be above 0').max(16 * 1024 * 1024, 'Memory limit is at most 16 TiB').nullable(),
    /** psutil scale: 100 = one core. Null: no limit on CPU. */
    cpuPercent: z.number({ error: 'CPU limit must be a number' }).positive('CPU limit must be above 0').max(100_000, 'CPU limit is at most 100000').nullable(),
    sustainedMs: whole('Sustained for (ms)', 1000, 86_400_000),
    action: z.enum(['notify', 'stop', 'restart'], { error: 'guard action is notify, stop or restart' }),
  })
  .refine((guard) => guard.memoryMb !== null || guard.cpuPercent !== null, 'a resource guard needs a memory or a CPU limit');
export type ResourceGuard = z.infer<typeof resourceGuardSchema>;
export type GuardAction = ResourceGuard['action'];

/**
 * Who holds one of the guard's limits: `enforced`, the kernel (the agent's cgroup's `memory.max` / `cpu.max`);
 * `watched`, Corral's resource guard alone (sampled, acted on after `sustainedMs`). `why` says so in words.
 */
export const limitEnforcementSchema = z.object({ by: z.enum(['enforced', 'watched']), why: z.string() });
export type LimitEnforcementView = z.infer<typeof limitEnforcementSchema>;

/** Per limit of the agent's guard; null where the guard sets no such limit (or there is no guard). */
export const guardLimitsSchema = z.object({ memory: limitEnforcementSchema.nullable(), cpu: limitEnforcementSchema.nullable() });
export type GuardLimitsView = z.infer<typeof guardLimitsSchema>;

/** One resource's pressure: the share of the last 10 s some of the agent's processes waited for it (PSI `some avg10`), 0–100; null when unreadable. */
const pressurePercentSchema = z.number().min(0).max(100).nullable();

/** Per-agent pressure from its cgroup's `cpu.pressure`, `memory.pressure`, `io.pressure` (read at most once a second). */
export const pressureSchema = z.object({ cpu: pressurePercentSchema, memory: pressurePercentSchema, io: pressurePercentSchema });
export type PressureView = z.infer<typeof pressureSchema>;

/** Scheduling niceness, -20 (first) … 19 (last). */
export const nicenessSchema = whole('Niceness', -20, 19);

/** The policies a request may set (absent: the default) and `updateAgentPolicies` may change (absent: as it is). */
const policyFields = {
  restart: restartPolicySchema.optional(),
  /** Null: no stall detection. */
  stall: stallPolicySchema.nullable().optional(),
  /** Null: no resource guard. */
  guard: resourceGuardSchema.nullable().optional(),
  /** Null: inherited from Corral. */
  niceness: nicenessSchema.nullable().optional(),
  /** Stopping it stops its live sub-agents first, in parallel, each with its own stop. Absent: true. */
  stopChildrenFirst: z.boolean({ error: 'stopChildrenFirst must be true or false' }).optional(),
};

// ── Requests ─────────────────────────────────────────────────────────────────

/** Agent ids name folders: no separators, no leading dot, bounded length. */
export const AGENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const agentIdSchema = z
  .string({ error: 'agentId must be a string' })
  .regex(AGENT_ID_PATTERN, 'agentId must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** The input of every call about one agent. */
export const agentRefSchema = z.strictObject({ agentId: agentIdSchema });

const envKeySchema = z
  .string()
  .min(1, 'environment variable names must not be empty')
  .max(1000, 'environment variable names are at most 1000 characters')
  .refine((key) => !key.includes('='), 'environment variable names must not contain "="')
  .refine((key) => !key.includes('\0'), 'environment variable names must not contain a NUL byte');

/**
 * The longest one argument may be, in UTF-8 bytes: Linux's MAX_ARG_STRLEN
 * (32 pages = 128 KiB) counts the terminating NUL, so 128 KiB − 1. Longer and
 * exec fails with E2BIG. (All arguments and the environment together are
 * bounded too, by ARG_MAX: `getconf ARG_MAX`.)
 */
export const MAX_ARG_BYTES = 128 * 1024 - 1;
const ARG_TOO_LONG = `one argument is at most ${MAX_ARG_BYTES} bytes (the OS limit, 128 KiB − 1, in UTF-8); send large text on stdin`;

const utf8 = new TextEncoder();

/** Bytes of `text` in UTF-8, as Node encodes it for exec (a lone surrogate becomes U+FFFD, 3 bytes). */
export function utf8Length(text: string): number {
  return utf8.encode(text).length;
}

/** The largest prompt or stdin payload the UI may send (an agent's argv limit is far lower; big prompts go on stdin). */
export const MAX_PROMPT_CHARS = 1_000_000;

/**
 * Environment keys that change how the dynamic loader loads every program the
 * agent runs (library injection): every `LD_*` key (glibc's ld.so and musl
 * read LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT, LD_BIND_NOW, LD_DEBUG,
 * LD_PROFILE, LD_ORIGIN_PATH, …; the list grows, so the prefix decides) and
 * every `DYLD_*` key (macOS dyld). Names are case-sensitive, as the loaders
 * read them. A request may pass them only with `allowLoaderEnv: true`; the
 * host's own inherited environment is not checked (it is the user's own).
 */
export function isLoaderEnvKey(key: string): boolean {
  return key.startsWith('LD_') || key.startsWith('DYLD_');
}

/** The refusal of a loader key, in words a user can act on (under the Environment field). */
export function loaderEnvMessage(key: string): string {
  return `${key} changes how every program loads; set "allow loader variables" to pass it`;
}

/**
 * Programs that ship with Corral, named in a request's `command` by these
 * whole arguments instead of by path: the host resolves them at each spawn,
 * so a saved request still runs after Corral moved (an AppImage is mounted at
 * a new path on every launch). `{corral:node}` as the program is the host's
 * Node (with its environment); `{corral:demo-agent}` is the demo agent script.
 */
export const SHIPPED_PROGRAM = { node: '{corral:node}', demoAgent: '{corral:demo-agent}' } as const;

/** The request's fields, before the whole-object checks of `spawnRequestSchema` (a saved request is checked with these only). */
export const spawnRequestFieldsSchema = z.strictObject({
  /** Caller's id for this request; repeating it returns the first answer instead of spawning twice. */
  requestId: text('requestId', 200).min(1, 'requestId must not be empty'),
  /** Stable agent id (AGENT_ID_PATTERN). Names the log folder. */
  agentId: agentIdSchema,
  /** Human name shown in the UI. */
  agentName: text('Name', 200).min(1, 'Name must not be empty'),
  /** Free-form kind of agent (e.g. "claude-code", "worker"). */
  agentType: text('Type', 100),
  /** The agent that asked for this one, for the tree view. */
  parentAgentId: agentIdSchema.optional(),
  /** Model name, informational. */
  model: text('Model', 200).optional(),
  /** The prompt, informational unless it also appears in `command` or `stdin`. */
  prompt: text('Prompt', MAX_PROMPT_CHARS).optional(),
  /** Share of work assigned, 0–100, informational. */
  loadPercentage: z.number({ error: 'Load must be a number' }).min(0, 'Load is 0–100').max(100, 'Load is 0–100').optional(),
  /** argv, no shell. argv[0] is resolved on PATH; SHIPPED_PROGRAM arguments name programs Corral ships. */
  command: z
    .array(
      z
        .string()
        .max(MAX_ARG_BYTES, ARG_TOO_LONG) // a UTF-16 unit is at least one UTF-8 byte: the cheap check first
        .refine((arg) => utf8Length(arg) <= MAX_ARG_BYTES, ARG_TOO_LONG)
        .refine((arg) => !arg.includes('\0'), 'command arguments must not contain a NUL byte'),
      { error: 'command must be a list of arguments' },
    )
    .min(1, 'command must name a program')
    .max(4096, 'command has too many arguments')
    .refine((argv) => (argv[0] ?? '').trim().length > 0, 'command[0] (the program) must not be empty'),
  /** Working directory; must exist. Defaults to the supervisor's own cwd. */
  cwd: text('Working directory', 4096).min(1, 'Working directory must not be empty').optional(),
  /** Extra environment, merged over the supervisor's own. Loader keys (LD_*, DYLD_*) need `allowLoaderEnv`. */
  env: z.record(envKeySchema, text('environment values', 131_072)).optional(),
  /** Written to the agent's stdin, which is then closed (for prompts too large for one argument). Any text, NUL included: only its size is bounded. */
  stdin: z.string({ error: 'stdin must be text' }).max(MAX_PROMPT_CHARS, `stdin is longer than ${MAX_PROMPT_CHARS} characters`).optional(),
  /** Lets `env` carry loader keys (LD_*, DYLD_*); see isLoaderEnvKey. */
  allowLoaderEnv: z.boolean({ error: 'allowLoaderEnv must be true or false' }).optional(),
  /** Environment values that are secret: passed to the agent, never shown, saved only encrypted, masked in log views. */
  secretEnv: z.record(envKeySchema, text('secret values', 131_072).min(1, 'a secret value must not be empty')).optional(),
  // Absent: never restart, the default stall policy, no guard, inherited niceness, sub-agents stopped first.
  ...policyFields,
});

/** A spawn request as the UI sends it (the engine's DeploymentRequest). */
export const spawnRequestSchema = spawnRequestFieldsSchema.superRefine((request, ctx) => {
  const secretKeys = Object.keys(request.secretEnv ?? {});
  for (const key of secretKeys.filter((key) => request.env?.[key] !== undefined).sort()) {
    ctx.addIssue({ code: 'custom', path: ['secretEnv'], message: `${key} is both a plain and a secret variable; keep one` });
  }
  if (request.allowLoaderEnv === true) return;
  for (const key of [...Object.keys(request.env ?? {}), ...secretKeys].filter(isLoaderEnvKey).sort()) {
    ctx.addIssue({ code: 'custom', path: ['env'], message: loaderEnvMessage(key) });
  }
});

export type SpawnRequest = z.infer<typeof spawnRequestSchema>;

// ── Log reads ────────────────────────────────────────────────────────────────

export const logStreamSchema = z.enum(['stdout', 'stderr']);
export type LogStream = z.infer<typeof logStreamSchema>;

export const LOG_READ_MAX_BYTES = 1024 * 1024;

/** `updateAgentPolicies`'s input: the policies to change, now and for the agent's next runs. */
export const policyChangeSchema = z.strictObject({ agentId: agentIdSchema, ...policyFields });

/** `readLog`'s input. */
export const logReadSchema = z.strictObject({
  agentId: agentIdSchema,
  stream: logStreamSchema,
  /** Read the bytes that end here (exclusive); omit for the end of the file. */
  before: z.number().int().min(0).optional(),
  maxBytes: z.number().int().min(1).max(LOG_READ_MAX_BYTES),
});
