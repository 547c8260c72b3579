/**
 * Views: what the UI is allowed to see, and the result every call answers
 * with. JSON-safe (the same values travel over IPC and over a WebSocket).
 * Shapes the engine shares are inferred from `schemas.ts`; the rest are
 * declared here, and the engine's own types extend them where they carry more.
 */
import type {
  AgentHealth,
  AgentState,
  ExitView,
  GuardAction,
  GuardLimitsView,
  LogStream,
  PressureView,
  ResourceGuard,
  RestartPolicy,
  StallPolicy,
  StopProgressView,
  StopReportView,
} from './schemas';

/** Every policy an agent runs under; changeable while it runs (`updateAgentPolicies`). */
export interface AgentPolicies {
  restart: RestartPolicy;
  /** Null: stall detection off. */
  stall: StallPolicy | null;
  /** Null: no resource guard. */
  guard: ResourceGuard | null;
  /** Scheduling niceness, -20 (first) … 19 (last); null: inherited from Corral. */
  niceness: number | null;
  /**
   * Stopping it stops its live sub-agents first (default true). Optional only so that policy sets
   * built without it (the New agent form's) stay valid; the engine's views always carry it.
   */
  stopChildrenFirst?: boolean;
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
  /** psutil-style status of the root process, or `exited` / `not-started` / `unknown`. */
  processStatus: string;
  exitCode: number | null;
  /** Signal name that ended the root process, e.g. `SIGTERM`. */
  signal: string | null;
  /** Root plus descendants. psutil scale (100 = one core). Null when unreadable. */
  treeCpuPercent: number | null;
  treeMemoryMb: number | null;
  treeNumThreads: number | null;
  /** As of the status it came in: it moves on its own and alone is no change (see `runtimeSecondsAt`). */
  runtimeSeconds: number;
  /** ISO timestamps. */
  startedAt: string | null;
  endedAt: string | null;
  /** From the agent's CORRAL_STATUS_FILE. */
  progress: number | null;
  progressMessage: string | null;
  descendantCount: number;
  zombieDescendants: number;
  /** Why it failed to start, or another error the user should see. */
  error: string | null;
  /** Things the user should know: re-adopted, exit code unknown, malformed status file… */
  notes: string[];
  /** True when this run was found alive at start-up and adopted (Corral is not its parent). */
  adopted: boolean;
  /** The stop in progress, for a countdown; null when none. */
  stopProgress: StopProgressView | null;
  /** The last stop's report, if it was stopped. */
  stopReport: StopReportView | null;
  /** The policies in force (defaults filled in). */
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
  /** How its processes are tracked and stopped: its own cgroup (nothing escapes), or process group, session, ppid walk and marker. */
  containment: 'cgroup' | 'process-group';
  /** Its cgroup's pressure while it lives (null for a process-group agent, or once it has ended); absent from hosts older than the field. */
  pressure?: PressureView | null;
  /** Per limit of its guard: enforced by the kernel (its cgroup) or watched by Corral's guard alone, and why. */
  limitEnforcement: GuardLimitsView;
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
  /** The agent id in its marker, CORRAL_AGENT_ID (that agent has ended, or is unknown to this Corral). */
  agentId: string;
  name: string;
  ppid: number;
  /** Full command line when it could be read, else null. */
  command: string | null;
  /** ISO time it started, when known. */
  startedAt: string | null;
}

/** What `stopOrphans` did. */
export interface OrphanStopView {
  /** Ended by the stop. */
  stopped: number;
  /** Already gone when the stop began. */
  alreadyEnded: number;
  /** Survived SIGKILL. */
  survivors: { pid: number; name: string }[];
  /** Not signalled: `recycled` (the pid is another process now) or `not-an-orphan` (not, or no longer, an orphan of ours). */
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
  /** Epoch ms. */
  at: number;
  treeCpuPercent: number | null;
  treeMemoryMb: number | null;
}

/** One process of an agent's tree. */
export interface ProcessView {
  pid: number;
  ppid: number;
  /** psutil-style status: running, sleeping, disk-sleep, stopped, zombie, dead, idle, unknown. */
  status: string;
  cpuPercent: number | null;
  memoryMb: number | null;
  numThreads: number | null;
  /** Short command name (the kernel's comm). */
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
  /** When its bytes were seen, for merging the two streams in the order they were written; empty when unknown. */
  seen: SeenMarkView[];
}

/**
 * Bytes of a stream from `offset` on were seen by the engine at `at` (ms since
 * the epoch, the engine's clock), until the next mark: marks come in offset
 * order, the first at or before the data's start.
 */
export interface SeenMarkView {
  offset: number;
  at: number;
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
  'not-running', // the agent is not in a state the call acts on (e.g. pausing one that has ended); nothing changed
  'spawn-failed',
  'permission-denied',
  'io-error',
  'closed', // the engine is shutting down
  'data-dir-locked', // another Corral host holds the data folder (the message names it)
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

/**
 * An agent's runtime in seconds (0.1 s steps) at `nowMs`: from its start to its end, or to `nowMs`
 * while it has not ended. The engine's `runtimeSeconds` is this at its tick; a status event leaves out
 * an agent whose runtime alone moved, so a UI computes it from the agent's times and the event's `at`.
 */
export function runtimeSecondsAt(startedAtMs: number | null, endedAtMs: number | null, nowMs: number): number {
  return startedAtMs === null ? 0 : Math.max(0, Math.round(((endedAtMs ?? nowMs) - startedAtMs) / 100) / 10);
}
