/**
 * The engine's public types. Everything that crosses the engine's boundary is
 * declared here, so the adapters (IPC, web host) and the tests share one shape.
 */

import type { AgentPolicies, ExitView, GuardAlertView, ResourceGuard, RestartPolicy, RunView, StallPolicy } from '../../src-preload/contract';

// Policies and run records are plain JSON shapes that cross every boundary unchanged: the contract declares them once.
export type { AgentPolicies, ResourceGuard, RestartPolicy, StallPolicy };
export type ExitClassification = ExitView;
export type RunRecord = RunView;
export type GuardAlert = GuardAlertView;

/** Lifecycle of one agent (see the contract's AgentState for backoff and crash-looping). */
export type AgentState = 'spawning' | 'running' | 'stopping' | 'backoff' | 'completed' | 'failed' | 'crash-looping' | 'cancelled' | 'lost';

/** What a glance at an agent should say. Decided in one place: `health.ts`. */
export type AgentHealth = 'healthy' | 'stalled' | 'restarting' | 'zombie' | 'completed' | 'failed' | 'cancelled' | 'unknown';

/** Lifecycle states in which the agent's root process may still be alive. */
export const LIVE_STATES: ReadonlySet<AgentState> = new Set(['spawning', 'running', 'stopping']);

/** A request to start one agent (the seed's DeploymentRequest). */
export interface DeploymentRequest {
  /** Caller's id for this request; repeating it returns the first answer instead of spawning twice. */
  requestId: string;
  /** Stable agent id: `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`. Names the log folder. */
  agentId: string;
  /** Human name shown in the UI. */
  agentName: string;
  /** Free-form kind of agent (e.g. "claude-code", "worker"). */
  agentType: string;
  /** The agent that asked for this one, for the tree view. */
  parentAgentId?: string;
  /** Model name, informational. */
  model?: string;
  /** The prompt, informational unless it also appears in `command` or `stdin`. */
  prompt?: string;
  /** Share of work assigned, 0–100, informational. */
  loadPercentage?: number;
  /** argv, no shell. argv[0] is resolved on PATH. */
  command: string[];
  /** Working directory; must exist. Defaults to the supervisor's own cwd. */
  cwd?: string;
  /** Extra environment, merged over the supervisor's own. Loader keys (LD_*, DYLD_*) need `allowLoaderEnv`. */
  env?: Record<string, string>;
  /** Lets `env` carry loader keys (LD_PRELOAD, DYLD_INSERT_LIBRARIES, …); refused otherwise. */
  allowLoaderEnv?: boolean;
  /** Written to the agent's stdin, which is then closed (for prompts too large for one argument). */
  stdin?: string;
  /** Environment values that are secret: passed to the agent, never shown, saved only sealed, masked in log output. */
  secretEnv?: Record<string, string>;
  /** Default: never restart. */
  restart?: RestartPolicy;
  /** Absent: the default stall policy; null: no stall detection. */
  stall?: StallPolicy | null;
  guard?: ResourceGuard | null;
  /** Scheduling niceness, -20…19; absent or null: inherited. */
  niceness?: number | null;
}

/** Kinds of error the engine reports. Closed union: adapters map each to a code. */
export type ErrorKind =
  | 'invalid-argument'
  | 'not-found'
  | 'already-running'
  | 'spawn-failed'
  | 'permission-denied'
  | 'io-error'
  | 'closed';

/** The answer to a spawn request. */
export interface DeploymentResponse {
  agentId: string;
  /** `running`: started and verified; `exited`: started but already ended; `failed`: could not start. */
  status: 'running' | 'exited' | 'failed';
  pid?: number;
  /** Set when `status` is `exited` (null when it ended by a signal). */
  exitCode?: number | null;
  /** Set when it ended by a signal. */
  signal?: string | null;
  /** Why it failed, in words a user can act on. */
  error?: string;
  /** The kind of failure, for programs. */
  errorKind?: ErrorKind;
}

/** One process of an agent's tree as last sampled. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** psutil-style status: running, sleeping, disk-sleep, stopped, zombie, dead, idle, unknown. */
  status: string;
  cpuPercent: number | null;
  memoryMb: number | null;
  numThreads: number | null;
  /** Short command name (the kernel's comm). */
  name: string;
  /** Full command line, read on demand by `getProcessTree`; null when unreadable or not asked for. */
  command: string | null;
}

/** Everything known about one agent (the seed's status dict, camelCase, plus tree figures). */
export interface AgentStatus {
  agentId: string;
  agentName: string;
  agentType: string;
  parentAgentId: string | null;
  model: string | null;
  requestId: string;
  pid: number | null;
  pgid: number | null;
  state: AgentState;
  health: AgentHealth;
  processAlive: boolean;
  /** psutil-style status of the root process, or `exited` / `not-started` / `unknown`. */
  processStatus: string;
  isZombie: boolean;
  exitCode: number | null;
  /** Signal name that ended the root process, e.g. `SIGTERM`. */
  signal: string | null;
  /** Root process CPU, psutil scale (100 = one core). Null when unreadable. */
  cpuPercent: number | null;
  memoryMb: number | null;
  numThreads: number | null;
  runtimeSeconds: number;
  /** The argv, shell-quoted for display only. */
  cmdline: string;
  command: string[];
  /** ISO timestamps. */
  startedAt: string | null;
  endedAt: string | null;
  /** From the agent's CORRAL_STATUS_FILE. */
  progress: number | null;
  progressMessage: string | null;
  /** The state as last written to the state file. */
  persistentStatus: AgentState;
  descendantCount: number;
  zombieDescendants: number;
  /** Root plus all descendants. */
  treeCpuPercent: number | null;
  treeMemoryMb: number | null;
  treeNumThreads: number | null;
  /** Why it failed to start, or other user-facing error. */
  error: string | null;
  /** Things the user should know: re-adopted, exit code unknown, malformed status file… */
  notes: string[];
  /** True when this run was found alive at start-up and adopted (Corral is not its parent). */
  adopted: boolean;
  /** The stop in progress, for a countdown; null when none. */
  stopProgress: StopProgress | null;
  /** The last stop's report, if it was stopped. */
  stopReport: StopReport | null;
  /** Folder holding stdout.log and stderr.log. */
  logDir: string;
  /** The policies in force (defaults filled in). */
  policies: AgentPolicies;
  /** Restarts in a row so far. */
  restarts: number;
  /** In `backoff`: epoch ms of the next start. */
  nextRestartAt: number | null;
  stalledSince: string | null;
  lastOutputAt: string | null;
  guardAlert: GuardAlert | null;
  /** How the latest run ended; null while it runs. */
  lastExit: ExitClassification | null;
  /** Runs so far (the latest run's number; only the latest MAX_RUNS are on record). */
  runCount: number;
  /** Names of its secret environment variables (never their values). */
  secretEnvKeys: string[];
}

/** Which stage of a stop ended a process. */
export type StopStage = 'term1' | 'term2' | 'kill';

/** A stop in progress. */
export interface StopProgress {
  stage: StopStage;
  forced: boolean;
  /** Epoch ms when this stage gives up and the next begins. */
  deadline: number;
  /** Every stage's length. */
  stageMs: Record<StopStage, number>;
}

/** What a stop did. */
export interface StopReport {
  agentId: string;
  forced: boolean;
  /** stopped: everything is gone; unkillable: something survived SIGKILL; already-ended: nothing to do. */
  outcome: 'stopped' | 'unkillable' | 'already-ended';
  startedAt: string;
  durationMs: number;
  /** Processes found before the first signal. */
  processCount: number;
  /** How many processes each stage ended. */
  endedByStage: Record<StopStage, number>;
  survivors: { pid: number; name: string }[];
}

/** Result of `cleanup`. */
export interface CleanupReport {
  stopped: string[];
  unkillable: string[];
  alreadyEnded: string[];
  reports: Record<string, StopReport>;
}

/** Aggregate figures (the seed's process summary). */
export interface ProcessSummary {
  totalAgents: number;
  byState: Record<AgentState, number>;
  running: number;
  zombie: number;
  completed: number;
  failed: number;
  cancelled: number;
  lost: number;
  crashLooping: number;
  stalled: number;
  zombieDescendants: number;
  totalMemoryMb: number;
  totalCpuPercent: number;
  /** Processes of ours no live agent accounts for, as of the last orphan sweep (orphans.ts). */
  orphanCount: number;
  agents: AgentStatus[];
}

/** One point of an agent's retained history. */
export interface HistoryPoint {
  /** Epoch ms. */
  at: number;
  treeCpuPercent: number | null;
  treeMemoryMb: number | null;
  cpuPercent: number | null;
  memoryMb: number | null;
}

/** Stop timeouts per stage (ms). */
export interface StopTimeouts {
  firstTermMs: number;
  secondTermMs: number;
  killMs: number;
}

export interface KillOptions {
  /** SIGKILL at once. */
  force?: boolean;
  /** Per-call override of the supervisor's stage timeouts. */
  timeouts?: Partial<StopTimeouts>;
}

/** Emitted on every lifecycle transition. */
export interface StateEvent {
  seq: number;
  agentId: string;
  state: AgentState;
  previousState: AgentState | null;
  at: string;
}

/** Emitted once per sampling tick with every agent's status. */
export interface StatusEvent {
  seq: number;
  at: string;
  agents: Record<string, AgentStatus>;
  /** Orphans found by the last sweep (a slower cadence than the tick: see orphans.ts). */
  orphanCount: number;
}

/** A slice of one log file, read on demand. */
export interface LogSlice {
  agentId: string;
  stream: 'stdout' | 'stderr';
  /** Byte offset where `data` starts. */
  offset: number;
  data: Uint8Array;
  /** The file's size when it was read. */
  size: number;
}

/** New bytes appended to an agent's log file. */
export interface LogEvent {
  agentId: string;
  stream: 'stdout' | 'stderr';
  /** Byte offset in the file where `data` starts. */
  offset: number;
  data: Uint8Array;
}

export interface SupervisorEvents {
  state: StateEvent;
  status: StatusEvent;
  log: LogEvent;
  warning: { message: string; at: string };
  /** A stage of a stop began (the UI counts down to its deadline). */
  stopStage: StopProgress & { agentId: string };
}
