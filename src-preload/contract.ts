/**
 * The contract between the UI and its host (Electron main, or the web host):
 * every call, its channel, its input schema and its output type, and every
 * event, in one place.
 *
 * Main (`src-main/ipc`), the web host (`src-main/web`), the preload bridge and
 * the renderer all take their types from here, so adding a call means adding
 * one entry to `calls` and the compiler points at every place that must
 * follow. This module imports nothing but zod: it is loaded in the renderer's
 * world too, and must not drag the engine (or Node) in with it. The view types
 * below are therefore declared here, as JSON-safe structural subsets of the
 * engine's own types (the same values travel over IPC and over a WebSocket).
 */
import { z } from 'zod';

// ── Views: what the UI is allowed to see ─────────────────────────────────────

/**
 * Lifecycle of one agent. `lost`: it ended while Corral was not running.
 * `backoff`: it ended and its restart policy restarts it at `nextRestartAt`.
 * `crash-looping`: it kept failing and its policy's restart limit was reached.
 */
export type AgentState = 'spawning' | 'running' | 'stopping' | 'backoff' | 'completed' | 'failed' | 'crash-looping' | 'cancelled' | 'lost';

export const AGENT_STATES: readonly AgentState[] = ['spawning', 'running', 'stopping', 'backoff', 'completed', 'failed', 'crash-looping', 'cancelled', 'lost'];

/**
 * What a glance at an agent should say. `stalled`: live, but silent and idle
 * for longer than its stall policy allows (waiting for input, or hung).
 * `restarting`: waiting out its restart backoff.
 */
export type AgentHealth = 'healthy' | 'stalled' | 'restarting' | 'zombie' | 'completed' | 'failed' | 'cancelled' | 'unknown';

/** Which stage of a graceful stop is running (or ended a process). */
export type StopStage = 'term1' | 'term2' | 'kill';

/** A stop in progress: the UI counts down to `deadline`. */
export interface StopProgressView {
  stage: StopStage;
  forced: boolean;
  /** Epoch ms when this stage gives up and the next begins. */
  deadline: number;
  /** Every stage's length, so the UI can show all three. */
  stageMs: Record<StopStage, number>;
}

/** What a finished stop did. */
export interface StopReportView {
  agentId: string;
  forced: boolean;
  outcome: 'stopped' | 'unkillable' | 'already-ended';
  startedAt: string;
  durationMs: number;
  processCount: number;
  endedByStage: Record<StopStage, number>;
  survivors: { pid: number; name: string }[];
}

/** When an ended agent is started again. `no`: never; `on-failure`: after a failure; `always`: after any end but a stop. */
export type RestartMode = 'no' | 'on-failure' | 'always';

export interface RestartPolicy {
  mode: RestartMode;
  /** Restarts in a row (runs shorter than `resetAfterMs`) before the agent is marked `crash-looping`. */
  maxRestarts: number;
  /** The first restart waits this long; each next one twice as long, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A run that lasted this long was stable: the count of restarts in a row starts again. */
  resetAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { mode: 'no', maxRestarts: 5, initialDelayMs: 1000, maxDelayMs: 60_000, resetAfterMs: 60_000 };

/** A live agent with no output for `quietMs` while its tree's mean CPU stays under `cpuBelowPercent` is `stalled`. */
export interface StallPolicy {
  quietMs: number;
  cpuBelowPercent: number;
}

export const DEFAULT_STALL_POLICY: StallPolicy = { quietMs: 5 * 60_000, cpuBelowPercent: 5 };

/** What a resource guard does once its limit has held for `sustainedMs`. */
export type GuardAction = 'notify' | 'stop' | 'restart';

/** Limits on the agent's whole tree; null: no limit on that figure. */
export interface ResourceGuard {
  memoryMb: number | null;
  /** psutil scale: 100 = one core. */
  cpuPercent: number | null;
  sustainedMs: number;
  action: GuardAction;
}

/** Every policy an agent runs under; changeable while it runs (`updateAgentPolicies`). */
export interface AgentPolicies {
  restart: RestartPolicy;
  /** Null: stall detection off. */
  stall: StallPolicy | null;
  /** Null: no resource guard. */
  guard: ResourceGuard | null;
  /** Scheduling niceness, -20 (first) … 19 (last); null: inherited from Corral. */
  niceness: number | null;
}

/** A guard whose limit is being exceeded (`since`), and whether it has fired. */
export interface GuardAlertView {
  metric: 'memory' | 'cpu';
  value: number;
  limit: number;
  since: string;
  /** The limit held for `sustainedMs` and the action ran. */
  fired: boolean;
  action: GuardAction;
}

/** How one run ended. `summary` says it in one sentence; the other fields are for programs. */
export interface ExitView {
  /**
   * exited: the program ended with a code; signalled: a signal Corral did not send ended it;
   * stopped: Corral stopped it (a user, Stop all, or a resource guard); spawn-failed: it never started;
   * unknown: it ended while Corral was not running (or while adopted), so the code is unknown.
   */
  kind: 'exited' | 'signalled' | 'stopped' | 'spawn-failed' | 'unknown';
  code: number | null;
  signal: string | null;
  /** For `stopped`: the stage that was running when the process ended, and who asked. */
  stopStage: StopStage | null;
  stoppedBy: 'user' | 'guard' | null;
  /** A SIGKILL that Corral did not send: the kernel's OOM killer is the usual sender. */
  possiblyOutOfMemory: boolean;
  /** For `spawn-failed`: what was tried. */
  spawn: { argv: string[]; cwd: string; path: string } | null;
  summary: string;
}

/** One run of an agent (its first start, a restart, a run again). */
export interface RunView {
  /** 1-based, counting every run of this agent id still on record. */
  run: number;
  trigger: 'user' | 'restart' | 'guard';
  pid: number | null;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  /** Null while the run goes on. */
  exit: ExitView | null;
  peakCpuPercent: number | null;
  peakMemoryMb: number | null;
}

/** One agent's status, as the list and the detail header show it. */
export interface AgentView {
  agentId: string;
  agentName: string;
  agentType: string;
  parentAgentId: string | null;
  model: string | null;
  state: AgentState;
  health: AgentHealth;
  /** Root process id, for display only; null before start. */
  pid: number | null;
  processStatus: string;
  exitCode: number | null;
  signal: string | null;
  /** Root plus descendants. psutil scale (100 = one core). Null when unreadable. */
  treeCpuPercent: number | null;
  treeMemoryMb: number | null;
  treeNumThreads: number | null;
  runtimeSeconds: number;
  startedAt: string | null;
  endedAt: string | null;
  progress: number | null;
  progressMessage: string | null;
  descendantCount: number;
  zombieDescendants: number;
  error: string | null;
  notes: string[];
  adopted: boolean;
  stopProgress: StopProgressView | null;
  stopReport: StopReportView | null;
  policies: AgentPolicies;
  /** Restarts in a row so far (reset by a stable run or a run started by hand). */
  restarts: number;
  /** In `backoff`: epoch ms of the next start. */
  nextRestartAt: number | null;
  /** When its stall began (health `stalled`); null when not stalled. */
  stalledSince: string | null;
  /** When it last wrote to stdout or stderr (or started, if it has not). */
  lastOutputAt: string | null;
  guardAlert: GuardAlertView | null;
  /** How the latest run ended; null while it runs (or never ran). */
  lastExit: ExitView | null;
  /** Runs so far: the latest run's number (getRunHistory keeps the latest MAX_RUNS of them). */
  runCount: number;
}

/** Aggregate figures over every known agent. */
export interface SummaryView {
  totalAgents: number;
  byState: Record<AgentState, number>;
  zombieDescendants: number;
  totalMemoryMb: number;
  totalCpuPercent: number;
  /** Processes of ours no live agent accounts for, as of the engine's last orphan sweep (every ~10 s and on demand). */
  orphanCount: number;
}

/** A process this Corral started (it carries the agent marker) that no live agent accounts for. */
export interface OrphanView {
  pid: number;
  /** With pid, its identity: `stopOrphans` must present both. */
  startTime: string;
  /** The agent id in its marker (that agent has ended, or is unknown to this Corral). */
  agentId: string;
  name: string;
  ppid: number;
  /** Full command line when it could be read, else null. */
  command: string | null;
  startedAt: string | null;
}

/** What `stopOrphans` did. */
export interface OrphanStopView {
  stopped: number;
  alreadyEnded: number;
  survivors: { pid: number; name: string }[];
  /** Not signalled: `recycled` (the pid is another process now) or `not-an-orphan`. */
  refused: { pid: number; reason: 'recycled' | 'not-an-orphan' }[];
}

/** Everything the detail view's Request tab shows. Environment values are never sent. */
export interface AgentRequestView {
  requestId: string;
  agentId: string;
  agentName: string;
  agentType: string;
  parentAgentId: string | null;
  model: string | null;
  prompt: string | null;
  loadPercentage: number | null;
  command: string[];
  /** The argv, shell-quoted for display only. */
  cmdline: string;
  cwd: string | null;
  envKeys: string[];
  /** Keys of environment values marked secret: never sent, only named. */
  secretEnvKeys: string[];
  /** Bytes written to stdin, when any. */
  stdinBytes: number | null;
  /** Folder holding stdout.log and stderr.log. */
  logDir: string;
}

/** One retained sample. */
export interface HistoryPointView {
  at: number;
  treeCpuPercent: number | null;
  treeMemoryMb: number | null;
}

/** One process of an agent's tree. */
export interface ProcessView {
  pid: number;
  ppid: number;
  status: string;
  cpuPercent: number | null;
  memoryMb: number | null;
  numThreads: number | null;
  name: string;
  /** Full command line when it could be read, else null. */
  command: string | null;
}

/** The answer to a spawn request. */
export interface SpawnResultView {
  agentId: string;
  status: 'running' | 'exited' | 'failed';
  pid: number | null;
  exitCode: number | null;
  signal: string | null;
  error: string | null;
  errorCode: ErrorCode | null;
}

/** What `stopAll` did. */
export interface CleanupView {
  stopped: string[];
  unkillable: string[];
  alreadyEnded: string[];
}

export type LogStream = 'stdout' | 'stderr';

/** A slice of a log file. Bytes travel as base64 (JSON-safe on every transport). */
export interface LogSliceView {
  agentId: string;
  stream: LogStream;
  /** Byte offset where `data` starts. */
  offset: number;
  /** base64 of the bytes. */
  data: string;
  /** The file's size when read. */
  size: number;
}

/** A launch template offered by the New agent dialog. */
export interface PresetView {
  id: string;
  label: string;
  description: string;
  agentType: string;
  /** argv; `{prompt}` is replaced by the prompt field. Empty for "Custom command". */
  command: string[];
  env: Record<string, string>;
  model: string | null;
  /** False when command[0] is not found on PATH. */
  available: boolean;
  /** Why it is unavailable, in words a user can act on. */
  unavailableReason: string | null;
}

/** Facts about the host the UI runs in. */
export interface HostInfoView {
  host: 'electron' | 'web';
  version: string;
  platform: string;
  dataDir: string;
  /** False in the web host: it has no file manager to open. */
  canOpenFolders: boolean;
  /** Things the user should see once (e.g. a corrupt state file set aside). */
  warnings: string[];
  /** `encrypted`: secret values are saved encrypted by the OS keychain (Electron safeStorage); `memory-only`: never saved, lost when the host stops. */
  secretStorage: 'encrypted' | 'memory-only';
  /** Where Prometheus metrics are served (web host with --metrics-port), else null. */
  metricsUrl: string | null;
}

/** Kinds of notice; each can be turned off. */
export const NOTICE_KINDS = ['failed', 'crash-looping', 'stalled', 'threshold', 'unkillable', 'zombie', 'warning'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** Settings the user changes, persisted by the host. */
export interface SettingsView {
  /** Per kind: true shows it (desktop notification and in-app toast). */
  notifications: Record<NoticeKind, boolean>;
}

// ── Results ──────────────────────────────────────────────────────────────────

/** Every error code a call may return. Closed: the UI switches on it. */
export const ERROR_CODES = [
  'invalid-argument',
  'not-found',
  'already-running',
  'spawn-failed',
  'permission-denied',
  'io-error',
  'closed', // the engine is shutting down
  'unsupported', // this host cannot do that (e.g. open a folder from the web host)
  'forbidden', // the request did not come from our own window / an authenticated client
  'internal', // a bug or an unexpected failure; the message says what
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface CallError {
  code: ErrorCode;
  /** What went wrong, in words a user can act on. */
  message: string;
}

/** The answer to every call: hosts never throw across the bridge. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: CallError };

// ── Input schemas ────────────────────────────────────────────────────────────

/** Agent ids name folders: no separators, no leading dot, bounded length. Same rule as the engine's. */
export const AGENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const text = (what: string, max: number) =>
  z
    .string({ error: `${what} must be text` })
    .max(max, `${what} is longer than ${max} characters`)
    .refine((value) => !value.includes('\0'), `${what} must not contain a NUL byte`);

export const agentIdSchema = z
  .string({ error: 'agentId must be a string' })
  .regex(AGENT_ID_PATTERN, 'agentId must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit');

const agentRef = z.strictObject({ agentId: agentIdSchema });

const envKeySchema = z
  .string()
  .min(1, 'environment variable names must not be empty')
  .max(1000, 'environment variable names are at most 1000 characters')
  .refine((key) => !key.includes('='), 'environment variable names must not contain "="')
  .refine((key) => !key.includes('\0'), 'environment variable names must not contain a NUL byte');

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

const whole = (what: string, min: number, max: number) =>
  z.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`).min(min, `${what} is at least ${min}`).max(max, `${what} is at most ${max}`);

export const restartPolicySchema = z.strictObject({
  mode: z.enum(['no', 'on-failure', 'always'], { error: 'restart mode is no, on-failure or always' }),
  maxRestarts: whole('Max restarts', 0, 1000),
  initialDelayMs: whole('First delay (ms)', 100, 3_600_000),
  maxDelayMs: whole('Longest delay (ms)', 100, 86_400_000),
  resetAfterMs: whole('Stable after (ms)', 1000, 86_400_000),
});

export const stallPolicySchema = z.strictObject({
  quietMs: whole('Quiet for (ms)', 1000, 7 * 86_400_000),
  cpuBelowPercent: z.number({ error: 'CPU threshold must be a number' }).min(0, 'CPU threshold is at least 0').max(100_000, 'CPU threshold is at most 100000'),
});

export const resourceGuardSchema = z
  .strictObject({
    memoryMb: z.number({ error: 'Memory limit must be a number' }).positive('Memory limit must be above 0').max(16 * 1024 * 1024, 'Memory limit is at most 16 TiB').nullable(),
    cpuPercent: z.number({ error: 'CPU limit must be a number' }).positive('CPU limit must be above 0').max(100_000, 'CPU limit is at most 100000').nullable(),
    sustainedMs: whole('Sustained for (ms)', 1000, 86_400_000),
    action: z.enum(['notify', 'stop', 'restart'], { error: 'guard action is notify, stop or restart' }),
  })
  .refine((guard) => guard.memoryMb !== null || guard.cpuPercent !== null, 'a resource guard needs a memory or a CPU limit');

export const nicenessSchema = whole('Niceness', -20, 19);

/** The request's fields, before the whole-object checks of `spawnRequestSchema`. */
export const spawnRequestFieldsSchema = z.strictObject({
  requestId: text('requestId', 200).min(1, 'requestId must not be empty'),
  agentId: agentIdSchema,
  agentName: text('Name', 200).min(1, 'Name must not be empty'),
  agentType: text('Type', 100),
  parentAgentId: agentIdSchema.optional(),
  model: text('Model', 200).optional(),
  prompt: text('Prompt', MAX_PROMPT_CHARS).optional(),
  loadPercentage: z.number({ error: 'Load must be a number' }).min(0, 'Load is 0–100').max(100, 'Load is 0–100').optional(),
  command: z
    .array(z.string().max(131_072, 'one argument is at most 128 KiB; send large text on stdin').refine((arg) => !arg.includes('\0'), 'command arguments must not contain a NUL byte'), {
      error: 'command must be a list of arguments',
    })
    .min(1, 'command must name a program')
    .max(4096, 'command has too many arguments')
    .refine((argv) => (argv[0] ?? '').trim().length > 0, 'command[0] (the program) must not be empty'),
  cwd: text('Working directory', 4096).min(1, 'Working directory must not be empty').optional(),
  env: z.record(envKeySchema, text('environment values', 131_072)).optional(),
  // Any text may go to a pipe, NUL included; only its size is bounded.
  stdin: z.string({ error: 'stdin must be text' }).max(MAX_PROMPT_CHARS, `stdin is longer than ${MAX_PROMPT_CHARS} characters`).optional(),
  /** Lets `env` carry loader keys (LD_*, DYLD_*); see isLoaderEnvKey. */
  allowLoaderEnv: z.boolean({ error: 'allowLoaderEnv must be true or false' }).optional(),
  /** Environment values that are secret: passed to the agent, never shown, saved only encrypted, masked in log views. */
  secretEnv: z.record(envKeySchema, text('secret values', 131_072).min(1, 'a secret value must not be empty')).optional(),
  restart: restartPolicySchema.optional(),
  /** Absent: the default stall policy; null: no stall detection. */
  stall: stallPolicySchema.nullable().optional(),
  guard: resourceGuardSchema.nullable().optional(),
  niceness: nicenessSchema.nullable().optional(),
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

export const LOG_READ_MAX_BYTES = 1024 * 1024;

const logReadSchema = z.strictObject({
  agentId: agentIdSchema,
  stream: z.enum(['stdout', 'stderr']),
  /** Read the bytes that end here (exclusive); omit for the end of the file. */
  before: z.number().int().min(0).optional(),
  maxBytes: z.number().int().min(1).max(LOG_READ_MAX_BYTES),
});

// ── Calls ────────────────────────────────────────────────────────────────────

/** Type-only key that carries a call's output type; no value ever has it. */
declare const outputType: unique symbol;

export interface CallSpec<TInput extends z.ZodType = z.ZodType, TOutput = unknown> {
  /** The IPC channel (and WebSocket method) name. */
  readonly channel: `corral:${string}`;
  /** Schema of the single argument; hosts parse every payload with it before use. */
  readonly input: TInput;
  readonly [outputType]?: TOutput;
}

function defineCall<TOutput>() {
  return <TInput extends z.ZodType>(spec: { channel: `corral:${string}`; input: TInput }): CallSpec<TInput, TOutput> => spec;
}

/** Every call, by name. The name is the method on `window.corral`. */
export const calls = {
  /** Facts about the host; warnings to show once. */
  getHostInfo: defineCall<HostInfoView>()({ channel: 'corral:getHostInfo', input: z.void() }),
  /** Every agent's status, keyed by agent id. */
  monitorAllAgents: defineCall<Record<string, AgentView>>()({ channel: 'corral:monitorAllAgents', input: z.void() }),
  /** Totals over every agent. */
  getProcessSummary: defineCall<SummaryView>()({ channel: 'corral:getProcessSummary', input: z.void() }),
  getAgent: defineCall<AgentView>()({ channel: 'corral:getAgent', input: agentRef }),
  getAgentRequest: defineCall<AgentRequestView>()({ channel: 'corral:getAgentRequest', input: agentRef }),
  /** Retained samples of the agent's tree, oldest first. */
  getAgentHistory: defineCall<HistoryPointView[]>()({ channel: 'corral:getAgentHistory', input: agentRef }),
  /** The agent's processes as last sampled, root first. */
  getProcessTree: defineCall<ProcessView[]>()({ channel: 'corral:getProcessTree', input: agentRef }),
  /** Launch templates, with whether each program is on PATH. */
  listPresets: defineCall<PresetView[]>()({ channel: 'corral:listPresets', input: z.void() }),
  /** Starts an agent. A program that cannot start is a `failed` result, not an error. */
  spawnAgent: defineCall<SpawnResultView>()({ channel: 'corral:spawnAgent', input: spawnRequestSchema }),
  /** Starts an ended agent again with the request it was started with. */
  runAgain: defineCall<SpawnResultView>()({ channel: 'corral:runAgain', input: agentRef }),
  /** Stops an agent's whole tree: gracefully in three stages, or at once with `force`. */
  stopAgent: defineCall<StopReportView>()({
    channel: 'corral:stopAgent',
    input: z.strictObject({ agentId: agentIdSchema, force: z.boolean().optional() }),
  }),
  /** Stops every live agent in parallel. */
  stopAll: defineCall<CleanupView>()({ channel: 'corral:stopAll', input: z.strictObject({ force: z.boolean().optional() }) }),
  /** Forgets an ended agent and deletes its logs. */
  removeAgent: defineCall<null>()({ channel: 'corral:removeAgent', input: agentRef }),
  /** Nudges the parents of zombie descendants; returns the agent ids acted on. */
  reapZombies: defineCall<string[]>()({ channel: 'corral:reapZombies', input: z.void() }),
  /** Reads up to `maxBytes` of a log file ending at `before` (paging older content). */
  readLog: defineCall<LogSliceView>()({ channel: 'corral:readLog', input: logReadSchema }),
  /** Chooses whose logs this client receives as `log` events (replaces the previous choice). */
  followLogs: defineCall<null>()({
    channel: 'corral:followLogs',
    input: z.strictObject({ agentIds: z.array(agentIdSchema).max(100, 'follow at most 100 agents at once') }),
  }),
  /** Sweeps now for orphans: processes of ours (agent marker, our data dir) that no live agent accounts for. */
  listOrphans: defineCall<OrphanView[]>()({ channel: 'corral:listOrphans', input: z.void() }),
  /** Stops listed orphans with the staged stop (or SIGKILL with `force`); pid + start time must still match. */
  stopOrphans: defineCall<OrphanStopView>()({
    channel: 'corral:stopOrphans',
    input: z.strictObject({
      orphans: z
        .array(z.strictObject({ pid: z.number().int().min(2).max(2 ** 31 - 1), startTime: z.string().min(1).max(40) }), { error: 'orphans must be a list of { pid, startTime }' })
        .min(1, 'name at least one orphan')
        .max(1000, 'stop at most 1000 orphans at once'),
      force: z.boolean().optional(),
    }),
  }),
  /** The agent's runs on record, oldest first (bounded; see the engine's MAX_RUNS). */
  getRunHistory: defineCall<RunView[]>()({ channel: 'corral:getRunHistory', input: agentRef }),
  /** Changes an agent's policies now (niceness is applied to its live tree) and for its next runs. */
  updateAgentPolicies: defineCall<AgentView>()({
    channel: 'corral:updateAgentPolicies',
    input: z.strictObject({
      agentId: agentIdSchema,
      restart: restartPolicySchema.optional(),
      stall: stallPolicySchema.nullable().optional(),
      guard: resourceGuardSchema.nullable().optional(),
      niceness: nicenessSchema.nullable().optional(),
    }),
  }),
  getSettings: defineCall<SettingsView>()({ channel: 'corral:getSettings', input: z.void() }),
  /** Turns notice kinds on or off; kinds not named keep their setting. Saved at once. */
  updateSettings: defineCall<SettingsView>()({
    channel: 'corral:updateSettings',
    input: z.strictObject({ notifications: z.partialRecord(z.enum(NOTICE_KINDS), z.boolean()) }),
  }),
  /** Opens the agent's log folder in the file manager (desktop app only). */
  openLogFolder: defineCall<null>()({ channel: 'corral:openLogFolder', input: agentRef }),
} as const;

export type CallName = keyof typeof calls;
export type CallInput<K extends CallName> = z.input<(typeof calls)[K]['input']>;
export type CallOutput<K extends CallName> = (typeof calls)[K] extends CallSpec<z.ZodType, infer O> ? O : never;
export type CallArgs<K extends CallName> = [CallInput<K>] extends [void] ? [] : [input: CallInput<K>];

export const CALL_NAMES = Object.keys(calls) as CallName[];

// ── Events ───────────────────────────────────────────────────────────────────

/** Pushed at most once per sampling tick: every agent's status and the totals. */
export interface StatusEventView {
  seq: number;
  at: string;
  agents: Record<string, AgentView>;
  summary: SummaryView;
  /** Agents removed since the last event. */
  removed: string[];
}

/** New bytes of a followed agent's log, coalesced (at most ~20 per second per agent). */
export interface LogEventView {
  agentId: string;
  stream: LogStream;
  offset: number;
  /** base64 */
  data: string;
}

/** Something the user should be told about now (the host shows it as a desktop notification too). */
export interface NoticeView {
  kind: NoticeKind;
  agentId: string | null;
  title: string;
  body: string;
  at: string;
}

/** Every event, by name, with its channel. */
export const events = {
  status: { channel: 'corral:event:status' },
  log: { channel: 'corral:event:log' },
  notice: { channel: 'corral:event:notice' },
} as const satisfies Record<string, { channel: `corral:event:${string}` }>;

export interface EventPayloads {
  status: StatusEventView;
  log: LogEventView;
  notice: NoticeView;
}

export type EventName = keyof typeof events;
export const EVENT_NAMES = Object.keys(events) as EventName[];

/** The API the preload exposes as `window.corral` (and the WebSocket client implements). */
export type CorralApi = {
  readonly [K in CallName]: (...args: CallArgs<K>) => Promise<Result<CallOutput<K>>>;
} & {
  /** Calls `listener` for every `event`; returns the function that stops it. */
  readonly subscribe: <E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) => () => void;
};

// ── WebSocket framing (the web host) ─────────────────────────────────────────

/** Client → host: one call. */
export const wireRequestSchema = z.strictObject({
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  call: z.string().max(100),
  input: z.unknown().optional(),
});

export type WireRequest = z.infer<typeof wireRequestSchema>;

/** Host → client: a call's answer, or an event. */
export type WireMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { [E in EventName]: { type: 'event'; event: E; payload: EventPayloads[E] } }[EventName];

/** The largest frame the web host accepts (a spawn request with a big prompt fits). */
export const WIRE_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/** The query parameter carrying the web host's token, in the page URL and the WebSocket URL. */
export const TOKEN_PARAM = 'token';

/** The WebSocket path on the web host. */
export const WIRE_PATH = '/corral-ws';
