/**
 * The engine's public surface: what `createSupervisor` accepts and returns.
 * Every host (Electron IPC, the web host, the bench, the tests) uses only this.
 */
import type { ContainmentMode } from './process/cgroup/containment';
import type { OrphanProcess, OrphanStopReport } from './process/orphans';
import type { ProcessIdentity, ProcessReader } from './process/process-table';
import type { SecretBox, SecretStorage } from './agent/secrets';
import type { HostKind } from './state/data-dir-lock';
import type { ConfOptions, KeyValueFile } from './state/state-store';
import type {
  AgentPolicies,
  AgentStatus,
  CleanupReport,
  DeploymentRequest,
  DeploymentResponse,
  HistoryPoint,
  KillOptions,
  LogSlice,
  ProcessInfo,
  ProcessSummary,
  RunRecord,
  StopTimeouts,
  SupervisorEvents,
} from './types';

export interface SupervisorOptions {
  /** Holds state.json and agents/<agentId>/ logs. Created 0700 if missing. */
  dataDir: string;
  /** Sampling period. Default 1000 ms. */
  sampleIntervalMs?: number;
  /** How much history each agent keeps. Default 10 minutes. */
  historyMs?: number;
  /** Stage timeouts of a graceful stop. Default 10 s / 5 s / 5 s. */
  stopTimeouts?: Partial<StopTimeouts>;
  /** How often log files are tailed. Default 100 ms. */
  logPollMs?: number;
  /** Opens the state file: conf by default; the desktop app passes electron-store. */
  openStore?: (options: ConfOptions) => KeyValueFile;
  /** Coalescing window of state writes. Default 20 ms. */
  stateFlushMs?: number;
  /** Overrides the platform's process reader (the bench compares them). */
  processReader?: ProcessReader;
  /** Period of the background orphan sweep (see orphans.ts). Default 10 s. */
  orphanSweepMs?: number;
  /** A live agent's stdout.log or stderr.log over this size is rotated (copy + truncate). Default 256 MiB. */
  logMaxBytes?: number;
  /** Rotated files kept per stream (`stdout.log.1` …); 0 disables rotation. Default 3. */
  logMaxFiles?: number;
  /** Under this much free space on the data dir's filesystem, live agents get a note. Default 256 MiB. */
  lowDiskFreeBytes?: number;
  /** Seals secret env values for the state file (Electron safeStorage; a promise is awaited by start()). Absent: secrets live in memory only. */
  secretBox?: SecretBox | null | Promise<SecretBox | null>;
  /** Who holds the data folder's lock, as a second host on the folder is told. Default `engine`. */
  hostKind?: HostKind;
  /**
   * Turns a run's request into what is spawned, just before each spawn (a first
   * run, a run again, a restart); the result is never saved. A host names the
   * programs it ships symbolically and resolves them here (api/shipped-programs.ts). Default: as is.
   */
  resolveRequest?: (request: DeploymentRequest) => DeploymentRequest;
  /**
   * Variables every agent gets in its environment, read at each spawn: the host's facts
   * (CORRAL_SOCKET and CORRAL_DATA_DIR once its local socket listens: local/socket-host.ts's
   * `agentEnv()`), so they win over a request's own env, as CORRAL_AGENT_ID does. Default: none.
   */
  agentEnv?: () => Readonly<Record<string, string>>;
  /**
   * `auto` (default): each agent in a cgroup of its own where a writable cgroup2 hierarchy exists
   * (process/cgroup/containment.ts); `process-group`: the heuristic tracker, as does the environment
   * variable CORRAL_CONTAINMENT=process-group.
   */
  containment?: ContainmentMode;
}

/** A change of an agent's policies; absent fields keep theirs. */
export type PolicyChange = Partial<AgentPolicies>;

export interface Supervisor {
  readonly dataDir: string;
  /** Problems the user should see (e.g. a corrupt state file set aside). */
  readonly warnings: readonly string[];
  /** Whether secret env values survive a restart of Corral (sealed) or live in memory only. */
  readonly secretStorage: SecretStorage;
  /** Starts a run. One the OS refuses before any process exists leaves nothing behind (no agent, no run, no notice): the answer is `failed` with the error. */
  spawnAgent(request: DeploymentRequest): Promise<DeploymentResponse>;
  getAgentStatus(agentId: string): Promise<AgentStatus>;
  monitorAllAgents(): Promise<Record<string, AgentStatus>>;
  getProcessSummary(): Promise<ProcessSummary>;
  checkProcessHealth(agentId: string): Promise<boolean>;
  /** The retained samples, oldest first. */
  getAgentHistory(agentId: string): Promise<HistoryPoint[]>;
  /** The agent's processes as last sampled, root first, with their command lines. */
  getProcessTree(agentId: string): Promise<ProcessInfo[]>;
  /** The request the agent's last run was started with (stdin over 64 KiB is not kept across restarts). */
  getAgentRequest(agentId: string): Promise<DeploymentRequest>;
  /** Up to `maxBytes` of a log file, ending at `before` (default: the end). */
  readLog(agentId: string, stream: LogSlice['stream'], options: { before?: number; maxBytes: number }): Promise<LogSlice>;
  /** Starts an ended agent again with its last request (a fresh count of restarts in a row). */
  runAgain(agentId: string): Promise<DeploymentResponse>;
  /** A graceful stop of what runs (or of a restart that is due), then a new run of the same request (trigger `user`); a program gone meanwhile is recorded as a spawn-failed run. */
  restartAgent(agentId: string): Promise<DeploymentResponse>;
  /** Its runs on record, oldest first (bounded: run-history.ts). */
  getRunHistory(agentId: string): Promise<RunRecord[]>;
  /** Changes its policies now and for later runs; a niceness is applied to its live tree at once. */
  updatePolicies(agentId: string, change: PolicyChange): Promise<AgentStatus>;
  /**
   * Freezes a running agent's whole tree (cgroup.freeze, else SIGSTOP to every member): `paused` until resumed or
   * stopped, never stalled, never acted on by a guard. Paused already: unchanged. Any other state: `not-running`.
   */
  pauseAgent(agentId: string): Promise<AgentStatus>;
  /** Lets a paused agent's tree run again (thaw, else SIGCONT). Running already: unchanged. Any other state: `not-running`. */
  resumeAgent(agentId: string): Promise<AgentStatus>;
  /** Forgets an ended agent and deletes its log folder. A live (or paused) agent must be stopped first. */
  removeAgent(agentId: string): Promise<void>;
  /** Removes every agent that has ended for good (not live, stopping or waiting to restart); their ids. */
  removeFinished(): Promise<string[]>;
  /** Resolves true when nothing of the agent is left alive. */
  killAgent(agentId: string, options?: KillOptions): Promise<boolean>;
  /** Stops one agent, or all of them in parallel; an agent's sub-agents first, under its `stopChildrenFirst` policy (agent/stop-children.ts). */
  cleanup(options?: { agentId?: string; force?: boolean; timeouts?: Partial<StopTimeouts> }): Promise<CleanupReport>;
  /** Nudges the parents of zombie descendants; returns the agent ids acted on. */
  reapZombies(): Promise<string[]>;
  /** Sweeps now for processes of ours that no live agent accounts for (Linux; elsewhere none). */
  findOrphans(): Promise<OrphanProcess[]>;
  /** Stops listed orphans (by pid + start time) with the staged stop; anything not a current orphan is refused. */
  stopOrphans(identities: readonly ProcessIdentity[], options?: { force?: boolean; timeouts?: Partial<StopTimeouts> }): Promise<OrphanStopReport>;
  /** Takes one sample now (also emits `status`). */
  sampleNow(): Promise<void>;
  on<K extends keyof SupervisorEvents>(event: K, listener: (payload: SupervisorEvents[K]) => void): () => void;
  /** Stops sampling, tailing and timers and saves state. Agents keep running. */
  close(): Promise<void>;
}
