/**
 * One agent's run as the supervisor holds it, and its two views: the status
 * the world sees and the record the state file keeps.
 */
import type { ChildProcess } from 'node:child_process';
import { runtimeSecondsAt } from '../../../src-preload/contract';
import { decideHealth } from '../policies/health';
import { HistoryRing } from './history';
import { AgentStop } from './agent-stop';
import type { AgentPaths } from './launch';
import { emptyLogs, type AgentLogs } from '../logs/log-rotation';
import type { AgentCgroup } from '../process/cgroup/agent-cgroup';
import { guardLimitsOf, type KernelLimits } from '../process/cgroup/limits';
import { isDeadState, statusName, type ProcEntry, type ProcessIdentity, type TreeAnchor } from '../process/process-table';
import { policiesOf } from '../policies/policies';
import { ProgressReader } from './progress';
import { quoteForDisplay } from '../process/quote';
import { GuardWatch } from '../policies/resource-guard';
import { restartsInARow } from '../policies/restart-policy';
import { sealSecrets, type OpenedSecrets, type SecretBox } from './secrets';
import type { PersistedAgent } from '../state/state-store';
import { toMb, type TreeSample } from '../process/tree-sample';
import { LIVE_STATES, type AgentState, type AgentStatus, type DeploymentRequest, type DeploymentResponse, type RunRecord } from '../types';

export interface AgentRun {
  request: DeploymentRequest;
  paths: AgentPaths;
  state: AgentState;
  /** The state as of the last write to the state file. */
  persistedState: AgentState;
  pid: number | null;
  /** Start-time token of the root process; with pid, its identity. */
  startTime: string | null;
  bootId: string | null;
  child: ChildProcess | null;
  /** Resolves when the spawn request has been answered. */
  settled: Promise<unknown>;
  /** Resolves when the root's 'exit' has been recorded (or at once when there is no child). */
  exited: Promise<void>;
  exitCode: number | null;
  signal: string | null;
  startedAtMs: number | null;
  endedAtMs: number | null;
  error: string | null;
  notes: string[];
  adopted: boolean;
  /** This run's stop: who asked, the stop under way, its stage, what it did. */
  stop: AgentStop;
  knownMembers: ProcessIdentity[];
  /** The cgroup its processes were born in (process/cgroup/); null when the heuristic tracker follows them. */
  cgroup: AgentCgroup | null;
  /** What its cgroup can hold and holds of the guard's limits (process/cgroup/limits.ts); null before a spawn or recovery set it. */
  limits: KernelLimits | null;
  /** Per stream, where its bytes live across rotations (log-rotation.ts). Shared by every run of this agent id. */
  logs: AgentLogs;
  latest: TreeSample | null;
  history: HistoryRing;
  progress: ProgressReader;
  progressValue: number | null;
  progressMessage: string | null;
  response: DeploymentResponse | null;
  /** Every run of this agent id on record, oldest first (run-history.ts). Shared by every run, like `logs`. */
  runs: RunRecord[];
  /** This run's entry in `runs`; null for a record loaded without one. */
  record: RunRecord | null;
  /** Why it never started, with what was tried. */
  spawnFailure: { message: string; argv: string[]; cwd: string; path: string } | null;
  /** In backoff: when it starts again. */
  nextRestartAt: number | null;
  lastOutputAtMs: number | null;
  /** When it was last resumed from a pause: its stall clock starts over there (agent-pause.ts). */
  resumedAtMs: number | null;
  stalledSinceMs: number | null;
  guard: GuardWatch;
  /** Secret keys whose values are not known (kept in memory by a host that restarted, or not decryptable). */
  missingSecrets: string[];
}

export function newRun(request: DeploymentRequest, paths: AgentPaths, historyCapacity: number): AgentRun {
  return {
    request,
    paths,
    state: 'spawning',
    persistedState: 'spawning',
    pid: null,
    startTime: null,
    bootId: null,
    child: null,
    settled: Promise.resolve(),
    exited: Promise.resolve(),
    exitCode: null,
    signal: null,
    startedAtMs: null,
    endedAtMs: null,
    error: null,
    notes: [],
    adopted: false,
    stop: new AgentStop(),
    knownMembers: [],
    cgroup: null,
    limits: null,
    logs: emptyLogs(),
    latest: null,
    history: new HistoryRing(historyCapacity),
    progress: new ProgressReader(paths.statusFile),
    progressValue: null,
    progressMessage: null,
    response: null,
    runs: [],
    record: null,
    spawnFailure: null,
    nextRestartAt: null,
    lastOutputAtMs: null,
    resumedAtMs: null,
    stalledSinceMs: null,
    guard: new GuardWatch(),
    missingSecrets: [],
  };
}

export function isLive(run: AgentRun): boolean {
  return LIVE_STATES.has(run.state);
}

/** The root process's identity, once its start time is known. */
export function rootIdentity(run: AgentRun): ProcessIdentity | null {
  return run.pid !== null && run.startTime !== null ? { pid: run.pid, startTime: run.startTime } : null;
}

/** The root found after Corral restarted becomes the run's (for a spawn cut short, its pid and start time were never saved). */
export function adoptRoot(run: AgentRun, root: ProcEntry): void {
  run.pid = root.pid;
  run.startTime = root.startTime;
  run.startedAtMs ??= root.startedAtMs ?? Date.now();
  if (run.record) run.record.pid = root.pid;
}

/** The answer a run gave (or would have given), for requestId replays after a restart of Corral. */
export function responseOf(run: AgentRun): DeploymentResponse {
  const agentId = run.request.agentId;
  if (run.response) return run.response;
  if (run.pid === null) return { agentId, status: 'failed', error: run.error ?? 'Did not start.', errorKind: 'spawn-failed' };
  if (isLive(run)) return { agentId, status: 'running', pid: run.pid };
  return { agentId, status: 'exited', pid: run.pid, exitCode: run.exitCode, signal: run.signal };
}

/** Where the agent's tree hangs: its root, the session it leads, and members seen before. */
export function anchorOf(run: AgentRun): TreeAnchor {
  const sessionId = process.platform === 'win32' || run.pid === null ? null : run.pid;
  return { root: rootIdentity(run), sessionId, knownMembers: run.knownMembers, cgroup: run.cgroup };
}

/** Adds a note once. */
export function addNote(run: AgentRun, note: string): void {
  if (!run.notes.includes(note)) run.notes.push(note);
  if (run.notes.length > 20) run.notes.splice(0, run.notes.length - 20);
}

/** Replaces the note starting with `prefix` (a running total), or adds it. */
export function setNote(run: AgentRun, prefix: string, note: string): void {
  const at = run.notes.findIndex((existing) => existing.startsWith(prefix));
  if (at >= 0) run.notes[at] = note;
  else addNote(run, note);
}

export function toStatus(run: AgentRun, nowMs: number): AgentStatus {
  const sample = run.latest;
  const root = isLive(run) || run.endedAtMs === null ? (sample?.root ?? null) : null;
  // Our own child's zombie is only its exit not yet delivered (Node reaps every child): news only for an adopted root.
  const isZombie = root !== null && root.stateCode === 'Z' && run.child === null;
  const rootAlive = root !== null && !isDeadState(root.stateCode);
  const usage = rootAlive ? (sample?.rootUsage ?? null) : null;
  const started = run.startedAtMs;
  const policies = policiesOf(run.request);
  const stalled = run.state === 'running' && run.stalledSinceMs !== null;
  return {
    agentId: run.request.agentId,
    agentName: run.request.agentName,
    agentType: run.request.agentType,
    parentAgentId: run.request.parentAgentId ?? null,
    model: run.request.model ?? null,
    requestId: run.request.requestId,
    pid: run.pid,
    pgid: run.pid !== null && process.platform !== 'win32' ? run.pid : null,
    state: run.state,
    health: decideHealth(run.state, isZombie, stalled),
    processAlive: isLive(run) && (rootAlive || (sample === null && run.pid !== null)),
    processStatus: processStatusOf(run, root),
    isZombie,
    exitCode: run.exitCode,
    signal: run.signal,
    cpuPercent: usage?.cpuPercent ?? null,
    memoryMb: toMb(usage?.rssBytes ?? null),
    numThreads: usage?.numThreads ?? null,
    runtimeSeconds: runtimeSecondsAt(started, run.endedAtMs, nowMs),
    cmdline: run.request.command.map(quoteForDisplay).join(' '),
    command: [...run.request.command],
    startedAt: started === null ? null : new Date(started).toISOString(),
    endedAt: run.endedAtMs === null ? null : new Date(run.endedAtMs).toISOString(),
    progress: run.progressValue,
    progressMessage: run.progressMessage,
    persistentStatus: run.persistedState,
    descendantCount: sample?.descendantCount ?? 0,
    zombieDescendants: sample?.zombieDescendants ?? 0,
    treeCpuPercent: sample ? sample.treeCpuPercent : null,
    treeMemoryMb: sample ? sample.treeMemoryMb : null,
    treeNumThreads: sample ? sample.treeNumThreads : null,
    error: run.error,
    notes: [...run.notes],
    adopted: run.adopted,
    stopProgress: run.stop.progress,
    stopReport: run.stop.report,
    logDir: run.paths.dir,
    policies,
    restarts: restartsInARow(run.runs, policies.restart),
    nextRestartAt: run.state === 'backoff' ? run.nextRestartAt : null,
    stalledSince: stalled ? new Date(run.stalledSinceMs!).toISOString() : null,
    // Kept after the end: when it last printed stays a fact about the run.
    lastOutputAt: run.lastOutputAtMs === null ? null : new Date(run.lastOutputAtMs).toISOString(),
    guardAlert: isLive(run) ? run.guard.current : null,
    lastExit: run.runs.at(-1)?.exit ?? null,
    runCount: run.runs.at(-1)?.run ?? 0,
    containment: run.cgroup ? 'cgroup' : 'process-group',
    pressure: isLive(run) && run.cgroup ? (sample?.pressure ?? null) : null,
    limitEnforcement: guardLimitsOf(policies.guard, run.limits),
    secretEnvKeys: secretKeysOf(run),
  };
}

export function secretKeysOf(run: AgentRun): string[] {
  return [...Object.keys(run.request.secretEnv ?? {}), ...run.missingSecrets].sort();
}

function processStatusOf(run: AgentRun, root: TreeSample['root']): string {
  if (root) return statusName(root.stateCode);
  if (run.state === 'spawning') return 'not-started';
  if (isLive(run)) return run.latest ? 'unknown' : 'running';
  return run.pid === null ? 'not-started' : 'exited';
}

/** Larger stdin payloads are not copied into every write of the state file. */
const MAX_PERSISTED_STDIN = 64 * 1024;

export function toPersisted(run: AgentRun, box: SecretBox | null): PersistedAgent {
  // Secret values never reach the file in clear: only sealed by the host's box, or not at all.
  const { stdin, secretEnv, ...rest } = run.request;
  return {
    request: stdin !== undefined && stdin.length <= MAX_PERSISTED_STDIN ? { ...rest, stdin } : rest,
    secrets: sealSecrets(secretEnv, run.missingSecrets, box),
    runs: run.runs,
    nextRestartAt: run.nextRestartAt,
    state: run.state,
    pid: run.pid,
    startTime: run.startTime,
    bootId: run.bootId,
    exitCode: run.exitCode,
    signal: run.signal,
    startedAt: run.startedAtMs === null ? null : new Date(run.startedAtMs).toISOString(),
    endedAt: run.endedAtMs === null ? null : new Date(run.endedAtMs).toISOString(),
    error: run.error,
    notes: run.notes,
    adopted: run.adopted,
    stopReport: run.stop.report,
    stopProgress: run.stop.progress,
    knownMembers: run.knownMembers,
    logs: run.logs,
  };
}

/** `secrets`: the saved ones as opened by the host's box (openSecrets, when Corral starts). */
export function fromPersisted(saved: PersistedAgent, paths: AgentPaths, historyCapacity: number, secrets: OpenedSecrets): AgentRun {
  const request: DeploymentRequest = Object.keys(secrets.secretEnv).length > 0 ? { ...saved.request, secretEnv: secrets.secretEnv } : saved.request;
  const run = newRun(request, paths, historyCapacity);
  const runs = saved.runs.map((record) => ({ ...record }));
  return {
    ...run,
    runs,
    // The run in progress when saved is the last one on record, unless it had already ended.
    record: runs.at(-1)?.exit === null ? runs.at(-1)! : null,
    nextRestartAt: saved.nextRestartAt,
    missingSecrets: secrets.missing,
    state: saved.state,
    persistedState: saved.state,
    pid: saved.pid,
    startTime: saved.startTime,
    bootId: saved.bootId,
    exitCode: saved.exitCode,
    signal: saved.signal,
    startedAtMs: saved.startedAt === null ? null : Date.parse(saved.startedAt),
    endedAtMs: saved.endedAt === null ? null : Date.parse(saved.endedAt),
    error: saved.error,
    notes: [...saved.notes, ...secrets.notes.filter((note) => !saved.notes.includes(note))],
    adopted: saved.adopted,
    stop: new AgentStop({ report: saved.stopReport, progress: saved.stopProgress }),
    knownMembers: saved.knownMembers,
    logs: saved.logs,
  };
}
