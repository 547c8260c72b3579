/**
 * The engine's public types. Everything that crosses the engine's boundary is
 * named here, so the adapters (IPC, web host) and the tests share one shape;
 * shapes the UI sees too are the contract's, re-exported or extended.
 */

import type {
  AgentState,
  AgentView,
  CleanupView,
  ExitView,
  GuardAlertView,
  HistoryPointView,
  ProcessView,
  RunView,
  SeenMarkView,
  SpawnRequest,
  StopProgressView,
  StopReportView,
  SummaryView,
} from '../../src-preload/contract';

// Shapes that cross every boundary unchanged are declared once, as the contract's zod schemas; the engine uses
// them under its own names. Where the engine knows more than the UI sees, its type extends the contract's view.
export type { AgentHealth, AgentPolicies, AgentState, ResourceGuard, RestartPolicy, StallPolicy, StopStage } from '../../src-preload/contract';
export { LIVE_STATES } from '../../src-preload/contract';
export type ExitClassification = ExitView;
export type RunRecord = RunView;
export type GuardAlert = GuardAlertView;
export type StopProgress = StopProgressView;
export type StopReport = StopReportView;
export type SeenMark = SeenMarkView;
/** A request to start one agent (the seed's DeploymentRequest), as the contract's request schema infers it. */
export type DeploymentRequest = SpawnRequest;

/** Kinds of error the engine reports. Closed union: adapters map each to a code. */
export type ErrorKind =
  | 'invalid-argument'
  | 'not-found'
  | 'already-running'
  | 'not-running'
  | 'spawn-failed'
  | 'permission-denied'
  | 'io-error'
  | 'closed'
  | 'data-dir-locked';

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

/** One process of an agent's tree as last sampled (its `command` is read on demand by `getProcessTree`, else null). */
export interface ProcessInfo extends ProcessView {
  pgid: number;
}

/** Everything known about one agent (the seed's status dict, camelCase, plus tree figures): the UI's view and what only the engine uses. */
export interface AgentStatus extends AgentView {
  requestId: string;
  pgid: number | null;
  processAlive: boolean;
  isZombie: boolean;
  /** Root process CPU, psutil scale (100 = one core). Null when unreadable. */
  cpuPercent: number | null;
  memoryMb: number | null;
  numThreads: number | null;
  /** The argv, shell-quoted for display only. */
  cmdline: string;
  command: string[];
  /** The state as last written to the state file. */
  persistentStatus: AgentState;
  /** Folder holding stdout.log and stderr.log. */
  logDir: string;
  /** Names of its secret environment variables (never their values). */
  secretEnvKeys: string[];
}

/** Result of `cleanup`. */
export interface CleanupReport extends CleanupView {
  reports: Record<string, StopReport>;
}

/** Aggregate figures (the seed's process summary). */
export interface ProcessSummary extends SummaryView {
  running: number;
  zombie: number;
  completed: number;
  failed: number;
  cancelled: number;
  lost: number;
  crashLooping: number;
  stalled: number;
  agents: AgentStatus[];
}

/** One point of an agent's retained history: the tree's figures and the root process's own. */
export interface HistoryPoint extends HistoryPointView {
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
  /** When its bytes were seen (logs/log-index.ts): the first mark is at or before `offset`; empty when unknown. */
  seen: SeenMark[];
}

/** New bytes appended to an agent's log file. */
export interface LogEvent {
  agentId: string;
  stream: 'stdout' | 'stderr';
  /** Byte offset in the file where `data` starts. */
  offset: number;
  data: Uint8Array;
  /** When the tail first saw `offset` (ms since the epoch, logs/log-index.ts); absent when unknown. */
  seenAt?: number;
}

export interface SupervisorEvents {
  state: StateEvent;
  status: StatusEvent;
  log: LogEvent;
  warning: { message: string; at: string };
  /** A stage of a stop began (the UI counts down to its deadline). */
  stopStage: StopProgress & { agentId: string };
}
