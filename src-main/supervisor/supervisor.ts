/**
 * The engine: spawns agents, samples their trees once per tick, stops them
 * without leaving orphans, and keeps every transition on disk.
 * Host-agnostic: plain Node, never Electron (DESIGN.md decision 1).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { addNote, fromPersisted, isLive, newRun, rootIdentity, setNote, toPersisted, toStatus, type AgentRun } from './agent/agent-record';
import { readBootId } from './process/boot-id';
import { DEFAULT_LOW_DISK_FREE_BYTES, DiskSpaceWatch } from './logs/disk-space';
import { CorralError, messageOf } from './errors';
import { Emitter } from './events';
import { classifyExit, isFailure } from './policies/exit-classification';
import { agentPaths, appendCorralLine, launch } from './agent/launch';
import { readLogSlice, rotationPolicy } from './logs/log-rotation';
import { LogTail, type LogChange } from './logs/log-tail';
import { OrphanSweeper, type OrphanProcess, type OrphanStopReport } from './process/orphans';
import { policiesOf } from './policies/policies';
import { applyNiceness, requireNiceness } from './process/priority';
import { collectTree, isDeadState, type ProcEntry, type ProcessIdentity, type ProcessReader, type TreeAnchor } from './process/process-table';
import { createProcessReader } from './process/readers';
import { agentIdSchema, deploymentRequestSchema, describeIssues } from './request-schema';
import { shouldRestart } from './policies/restart-policy';
import { RestartTimers } from './policies/restart-timers';
import { beginRun, closeRecord, notePeaks } from './agent/run-history';
import { LogMasker, maskSlice } from './logs/secret-mask';
import { missingSecretsMessage, secretBytesOf, type SecretBox, type SecretStorage } from './agent/secrets';
import { SnapshotCache } from './process/snapshot-cache';
import { stalledSince } from './policies/stall';
import { StateStore, type ConfOptions, type KeyValueFile } from './state/state-store';
import { summarise } from './summary';
import { isAlive, terminateTree } from './process/terminate';
import { summariseTree } from './process/tree-sample';
import type {
  AgentPolicies,
  AgentState,
  AgentStatus,
  CleanupReport,
  DeploymentRequest,
  DeploymentResponse,
  ErrorKind,
  HistoryPoint,
  KillOptions,
  LogSlice,
  ProcessInfo,
  ProcessSummary,
  RunRecord,
  StopReport,
  StopTimeouts,
  SupervisorEvents,
} from './types';
import { nudgeZombieParents } from './process/zombies';

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
  /** Seals secret env values for the state file (Electron safeStorage). Absent: secrets live in memory only. */
  secretBox?: SecretBox | null;
}

/** A change of an agent's policies; absent fields keep theirs. */
export type PolicyChange = Partial<AgentPolicies>;

export interface Supervisor {
  readonly dataDir: string;
  /** Problems the user should see (e.g. a corrupt state file set aside). */
  readonly warnings: readonly string[];
  /** Whether secret env values survive a restart of Corral (sealed) or live in memory only. */
  readonly secretStorage: SecretStorage;
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
  /** Its runs on record, oldest first (bounded: run-history.ts). */
  getRunHistory(agentId: string): Promise<RunRecord[]>;
  /** Changes its policies now and for later runs; a niceness is applied to its live tree at once. */
  updatePolicies(agentId: string, change: PolicyChange): Promise<AgentStatus>;
  /** Forgets an ended agent and deletes its log folder. A live agent must be stopped first. */
  removeAgent(agentId: string): Promise<void>;
  /** Resolves true when nothing of the agent is left alive. */
  killAgent(agentId: string, options?: KillOptions): Promise<boolean>;
  /** Stops one agent, or all of them in parallel. */
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

const DEFAULT_TIMEOUTS: StopTimeouts = { firstTermMs: 10_000, secondTermMs: 5_000, killMs: 5_000 };
const REMEMBERED_REQUESTS = 1000;
const EXIT_EVENT_GRACE_MS = 2000;
/** A log tail held back because it could begin a secret is let go after this long without the rest. */
const MASK_HOLD_MS = 500;

/** Why a stop was asked for: by the user (or Stop all), or by a resource guard that may start it again. */
type StopCause = { by: 'user' | 'guard'; restart: boolean };
const BY_USER: StopCause = { by: 'user', restart: false };

export async function createSupervisor(options: SupervisorOptions): Promise<Supervisor> {
  if (typeof options?.dataDir !== 'string' || options.dataDir.length === 0) {
    throw new CorralError('invalid-argument', 'createSupervisor: dataDir must be a non-empty path');
  }
  const engine = new Engine(options);
  await engine.start();
  return engine;
}

class Engine implements Supervisor {
  readonly dataDir: string;
  readonly warnings: string[] = [];
  private readonly agents = new Map<string, AgentRun>();
  private readonly requests = new Map<string, Promise<DeploymentResponse>>();
  private readonly events = new Emitter<SupervisorEvents>((event, error) =>
    this.warn(`A "${String(event)}" listener threw: ${messageOf(error)}`),
  );
  private readonly reader: ProcessReader;
  private readonly snapshots: SnapshotCache;
  private readonly logTail: LogTail;
  private readonly timeouts: StopTimeouts;
  private readonly intervalMs: number;
  private readonly historyCapacity: number;
  private readonly bootId = readBootId();
  private readonly orphans: OrphanSweeper;
  private readonly diskSpace: DiskSpaceWatch;
  private stopOrphanSweep: () => void = () => undefined;
  private readonly restartTimers = new RestartTimers();
  private readonly masker: LogMasker;
  private readonly secretBox: SecretBox | null;
  readonly secretStorage: SecretStorage;
  private store!: StateStore;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private seq = 0;
  private closed = false;

  constructor(private readonly options: SupervisorOptions) {
    this.dataDir = path.resolve(options.dataDir);
    this.intervalMs = Math.max(10, options.sampleIntervalMs ?? 1000);
    this.historyCapacity = Math.max(1, Math.ceil((options.historyMs ?? 600_000) / this.intervalMs));
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.stopTimeouts };
    this.reader = options.processReader ?? createProcessReader();
    this.snapshots = new SnapshotCache(this.reader, this.dataDir);
    this.secretBox = options.secretBox ?? null;
    this.secretStorage = this.secretBox ? 'encrypted' : 'memory-only';
    this.masker = new LogMasker(
      (agentId) => secretBytesOf(this.agents.get(agentId)?.request),
      (event) => this.events.emit('log', event),
    );
    this.logTail = new LogTail({
      intervalMs: options.logPollMs,
      isWanted: () => this.events.count('log') > 0,
      onChunk: (event) => this.masker.push(event),
      onActivity: (agentId) => {
        const run = this.agents.get(agentId);
        if (run) run.lastOutputAtMs = Date.now();
      },
      logOf: (agentId, stream) => this.agents.get(agentId)?.logs[stream] ?? null,
      rotation: rotationPolicy(options.logMaxBytes, options.logMaxFiles),
      onChange: (agentId, change) => this.recordLogChange(agentId, change),
    });
    this.diskSpace = new DiskSpaceWatch(this.dataDir, options.lowDiskFreeBytes ?? DEFAULT_LOW_DISK_FREE_BYTES);
    this.orphans = new OrphanSweeper({
      dataDir: this.dataDir,
      reader: this.reader,
      snapshots: this.snapshots,
      intervalMs: Math.max(100, options.orphanSweepMs ?? 10_000),
      liveAgents: () =>
        [...this.agents.values()]
          .filter((run) => isLive(run))
          .map((run) => ({ agentId: run.request.agentId, anchor: this.anchorOf(run), startedAtMs: run.startedAtMs, spawning: run.state === 'spawning' })),
      onError: (message) => this.warn(message),
    });
  }

  async start(): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const { store, agents } = StateStore.open({
      dataDir: this.dataDir,
      openFile: this.options.openStore,
      flushDelayMs: this.options.stateFlushMs,
      warn: (message) => this.warn(message),
    });
    this.store = store;
    store.setSource(() => {
      const records: Record<string, ReturnType<typeof toPersisted>> = {};
      for (const [id, run] of this.agents) {
        run.persistedState = run.state;
        records[id] = toPersisted(run, this.secretBox);
      }
      return records;
    });
    for (const [agentId, saved] of Object.entries(agents)) {
      const run = fromPersisted(saved, agentPaths(this.dataDir, agentId), this.historyCapacity, this.secretBox);
      this.agents.set(agentId, run);
      await this.reconcile(run);
      this.requests.set(run.request.requestId, Promise.resolve(responseOf(run)));
    }
    if (this.agents.size > 0) this.store.flush();
    // A stop cut short by Corral's own end is finished, never left half-done (see reconcile).
    for (const run of this.agents.values()) {
      // A stop that had reached SIGKILL, or was forced, resumes forced; a graceful one starts its stages again.
      const force = run.stopProgress !== null && (run.stopProgress.forced || run.stopProgress.stage === 'kill');
      if (run.state === 'stopping') this.stop(run, { force }).catch((error: unknown) => this.warn(`Could not finish the stop of "${run.request.agentId}": ${messageOf(error)}`));
      // A restart that was due while Corral was away happens now; one not yet due keeps its time.
      if (run.state === 'backoff') this.scheduleRestart(run, run.nextRestartAt ?? Date.now(), 'restart');
    }
    this.scheduleTick();
    this.stopOrphanSweep = this.orphans.start();
  }

  // ---- requests -------------------------------------------------------------

  async spawnAgent(input: DeploymentRequest): Promise<DeploymentResponse> {
    this.assertOpen();
    const parsed = deploymentRequestSchema.safeParse(input);
    if (!parsed.success) return refusal(input, 'invalid-argument', `Invalid request: ${describeIssues(parsed.error)}`);
    const request = parsed.data;
    const earlier = this.requests.get(request.requestId);
    if (earlier) return earlier;
    const existing = this.agents.get(request.agentId);
    if (existing && (isLive(existing) || existing.stopping)) {
      const pid = existing.pid === null ? '' : ` (pid ${existing.pid})`;
      return refusal(request, 'already-running', `Agent "${request.agentId}" is already ${existing.state}${pid}. Stop it first or choose another id.`);
    }
    const answer = this.launchRun(request, 'user');
    this.requests.set(request.requestId, answer);
    if (this.requests.size > REMEMBERED_REQUESTS) this.requests.delete(this.requests.keys().next().value!);
    return answer;
  }

  async getAgentStatus(agentId: string): Promise<AgentStatus> {
    const run = this.requireRun(agentId);
    if (this.isStale(run)) await this.sampleNow();
    return toStatus(run, Date.now());
  }

  async monitorAllAgents(): Promise<Record<string, AgentStatus>> {
    this.assertOpen();
    if ([...this.agents.values()].some((run) => this.isStale(run))) await this.sampleNow();
    return this.allStatuses();
  }

  async getProcessSummary(): Promise<ProcessSummary> {
    return summarise(Object.values(await this.monitorAllAgents()), this.orphans.count);
  }

  async checkProcessHealth(agentId: string): Promise<boolean> {
    const run = this.agents.get(agentId);
    if (!run || this.closed) return false;
    const status = await this.getAgentStatus(agentId);
    return status.processAlive && status.health === 'healthy';
  }

  async getAgentHistory(agentId: string): Promise<HistoryPoint[]> {
    return this.requireRun(agentId).history.toArray();
  }

  async getProcessTree(agentId: string): Promise<ProcessInfo[]> {
    const run = this.requireRun(agentId);
    if (this.isStale(run)) await this.sampleNow();
    const processes = run.latest?.processes ?? [];
    const commands = await this.reader.commandLines(processes.map((process) => process.pid));
    return processes.map((process) => ({ ...process, command: commands.get(process.pid) ?? null }));
  }

  async getAgentRequest(agentId: string): Promise<DeploymentRequest> {
    return structuredClone(this.requireRun(agentId).request);
  }

  async runAgain(agentId: string): Promise<DeploymentResponse> {
    const run = this.requireRun(agentId);
    if (run.missingSecrets.length > 0) throw new CorralError('invalid-argument', missingSecretsMessage(agentId, run.missingSecrets));
    return this.spawnAgent({ ...structuredClone(run.request), requestId: randomUUID() });
  }

  async getRunHistory(agentId: string): Promise<RunRecord[]> {
    return structuredClone(this.requireRun(agentId).runs);
  }

  async updatePolicies(agentId: string, change: PolicyChange): Promise<AgentStatus> {
    const run = this.requireRun(agentId);
    const defined = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)) as PolicyChange;
    if (defined.niceness != null && isLive(run)) {
      const pids = run.latest?.liveMembers.map((member) => member.pid) ?? (run.pid === null ? [] : [run.pid]);
      requireNiceness(pids, defined.niceness); // refused (e.g. no right to raise priority): nothing changes
    }
    run.request = { ...run.request, ...defined };
    if (defined.guard !== undefined) run.guard.reset();
    if (run.state === 'backoff' && policiesOf(run.request).restart.mode === 'no') {
      // Restarts turned off while one was due: it ends as its last run did.
      this.cancelRestart(run);
      const lastExit = run.runs.at(-1)?.exit ?? null;
      this.transition(run, lastExit !== null && isFailure(lastExit) ? 'failed' : 'completed');
    }
    this.store.markDirty();
    return toStatus(run, Date.now());
  }

  async readLog(agentId: string, stream: LogSlice['stream'], options: { before?: number; maxBytes: number }): Promise<LogSlice> {
    const run = this.requireRun(agentId);
    if (stream !== 'stdout' && stream !== 'stderr') throw new CorralError('invalid-argument', `Unknown log stream "${String(stream)}"; use stdout or stderr.`);
    try {
      const read = (before: number | undefined, maxBytes: number) => readLogSlice(run.paths[stream], run.logs[stream], before, maxBytes);
      return { agentId, stream, ...maskSlice(read, options.before, options.maxBytes, secretBytesOf(run.request)) };
    } catch (error) {
      throw new CorralError('io-error', `Could not read the ${stream} log of "${agentId}": ${messageOf(error)}`);
    }
  }

  async removeAgent(agentId: string): Promise<void> {
    this.assertOpen();
    const run = this.requireRun(agentId);
    if (isLive(run) || run.stopping) {
      throw new CorralError('already-running', `Agent "${agentId}" is ${run.state}. Stop it before removing it.`);
    }
    this.cancelRestart(run);
    this.agents.delete(agentId);
    this.logTail.remove(agentId);
    this.masker.forget(agentId);
    this.requests.delete(run.request.requestId);
    this.store.markDirty();
    try {
      rmSync(run.paths.dir, { recursive: true, force: true });
    } catch (error) {
      this.warn(`Removed "${agentId}" but could not delete its logs at ${run.paths.dir}: ${messageOf(error)}`);
    }
  }

  async killAgent(agentId: string, options: KillOptions = {}): Promise<boolean> {
    const report = await this.stop(this.requireRun(agentId), options);
    return report.outcome !== 'unkillable';
  }

  async cleanup(options: { agentId?: string; force?: boolean; timeouts?: Partial<StopTimeouts> } = {}): Promise<CleanupReport> {
    this.assertOpen();
    const runs =
      options.agentId !== undefined
        ? [this.requireRun(options.agentId)]
        : [...this.agents.values()].filter((run) => isLive(run) || run.state === 'backoff' || run.stopping !== null || run.knownMembers.length > 0);
    // All at once: n agents take as long as the slowest, not the sum.
    const requestedAt = performance.now(); // one snapshot serves every stop of this cleanup
    const reports = await Promise.all(runs.map((run) => this.stop(run, { force: options.force, timeouts: options.timeouts }, requestedAt)));
    const result: CleanupReport = { stopped: [], unkillable: [], alreadyEnded: [], reports: {} };
    for (const report of reports) {
      result.reports[report.agentId] = report;
      if (report.outcome === 'stopped') result.stopped.push(report.agentId);
      else if (report.outcome === 'unkillable') result.unkillable.push(report.agentId);
      else result.alreadyEnded.push(report.agentId);
    }
    return result;
  }

  async reapZombies(): Promise<string[]> {
    this.assertOpen();
    const runs = this.sampledRuns();
    if (runs.length === 0) return [];
    const table = await this.snapshots.table(performance.now(), this.hintPids(runs));
    const trees = runs.map((run) => ({ agentId: run.request.agentId, members: collectTree(table, this.anchorOf(run)) }));
    const { actedOn, remaining } = await nudgeZombieParents(table, trees, this.reader);
    for (const [agentId, problems] of remaining) for (const problem of problems) this.noteOn(agentId, problem);
    return actedOn;
  }

  async findOrphans(): Promise<OrphanProcess[]> {
    this.assertOpen();
    return this.orphans.find();
  }

  async stopOrphans(identities: readonly ProcessIdentity[], options: { force?: boolean; timeouts?: Partial<StopTimeouts> } = {}): Promise<OrphanStopReport> {
    this.assertOpen();
    return this.orphans.stop(identities, { force: options.force === true, timeouts: { ...this.timeouts, ...options.timeouts } });
  }

  on<K extends keyof SupervisorEvents>(event: K, listener: (payload: SupervisorEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Restarts due later stay due: their times are saved and the next start keeps them.
    this.restartTimers.clear();
    this.stopOrphanSweep();
    await this.orphans.close();
    await this.ticking;
    // A stop in progress finishes and is saved: never a half-stopped agent on disk.
    await Promise.allSettled([...this.agents.values()].map((run) => run.stopping));
    await this.logTail.close(); // a rotation under way is given up whole: no `.rotating` copy is left behind
    for (const run of this.agents.values()) {
      // Agents outlive us: let go of their handles so the host can exit.
      run.child?.removeAllListeners();
      run.child?.stdin?.destroy();
      run.child?.unref();
    }
    this.store.close();
    this.reader.close();
    this.events.clear();
  }

  // ---- spawning -------------------------------------------------------------

  /** Starts a run and lets a stop asked for meanwhile wait for its answer. */
  private launchRun(request: DeploymentRequest, trigger: RunRecord['trigger']): Promise<DeploymentResponse> {
    const answer = this.startRun(request, trigger);
    this.agents.get(request.agentId)!.settled = answer; // startRun registered the run synchronously
    return answer;
  }

  private async startRun(request: DeploymentRequest, trigger: RunRecord['trigger']): Promise<DeploymentResponse> {
    const run = newRun(request, agentPaths(this.dataDir, request.agentId), this.historyCapacity);
    const previous = this.agents.get(request.agentId);
    if (previous) this.cancelRestart(previous);
    run.logs = previous?.logs ?? run.logs; // same files: offsets go on where the last run left them
    run.runs = previous?.runs ?? run.runs; // one history per agent id
    run.record = beginRun(run.runs, trigger, Date.now());
    // Registered before the first await, so a concurrent request for the same id is refused.
    this.agents.set(request.agentId, run);
    this.logTail.remove(request.agentId);
    this.transition(run, 'spawning', null);

    const launched = await launch(request, run.paths);
    if (!launched.ok) {
      run.error = launched.message;
      run.endedAtMs = Date.now();
      const cwd = request.cwd ?? process.cwd();
      const searched = request.env?.['PATH'] ?? process.env['PATH'] ?? '';
      run.spawnFailure = { message: launched.message, argv: [...request.command], cwd, path: searched };
      appendCorralLine(run.paths, `spawn failed: ${launched.message} (argv ${JSON.stringify(request.command)}, cwd ${cwd}, PATH ${searched})`);
      this.endRun(run, 'failed');
      return run.response = { agentId: request.agentId, status: 'failed', error: launched.message, errorKind: launched.kind };
    }

    const { child, pid } = launched;
    run.child = child;
    run.pid = pid;
    run.bootId = this.bootId;
    run.startedAtMs = Date.now();
    run.lastOutputAtMs = run.startedAtMs;
    run.record.pid = pid;
    if (request.niceness != null) {
      // As early as Node allows: children it forks from now on inherit it.
      for (const problem of applyNiceness([pid], request.niceness).problems) addNote(run, problem);
    }
    let exitRecorded!: () => void;
    run.exited = new Promise((resolve) => (exitRecorded = resolve));
    // 'exit', not 'close': a grandchild holding an inherited descriptor would delay 'close' forever.
    child.once('exit', (code, signal) => {
      this.recordExit(run, code, signal);
      exitRecorded();
    });
    child.on('error', (error) => this.noteOn(request.agentId, `Process error: ${messageOf(error)}`));
    this.logTail.add(request.agentId, 'stdout', run.paths.stdout, launched.stdoutOffset);
    this.logTail.add(request.agentId, 'stderr', run.paths.stderr, launched.stderrOffset);

    // Verified alive: the pid exists, is not a zombie, and its start time becomes its identity.
    const entry = await this.reader.read(pid);
    if (run.endedAtMs === null && entry && !isDeadState(entry.stateCode)) {
      run.startTime = entry.startTime;
      this.transition(run, 'running');
      return run.response = { agentId: request.agentId, status: 'running', pid };
    }
    if (entry) run.startTime = entry.startTime;
    await Promise.race([run.exited, delay(EXIT_EVENT_GRACE_MS)]);
    if (run.endedAtMs !== null) {
      return run.response = { agentId: request.agentId, status: 'exited', pid, exitCode: run.exitCode, signal: run.signal };
    }
    // Could not be read but did not exit either (a platform without cheap reads): trust the OS's 'spawn'.
    addNote(run, 'Could not verify the process after spawning; trusting the OS report.');
    this.transition(run, 'running');
    return run.response = { agentId: request.agentId, status: 'running', pid };
  }

  private recordExit(run: AgentRun, code: number | null, signal: NodeJS.Signals | null): void {
    run.exitCode = code;
    run.signal = signal;
    run.endedAtMs = Date.now();
    run.child = null;
    if (run.state === 'stopping') {
      run.exitStage = run.stopProgress?.stage ?? 'term1'; // the stage whose signal ended it
      this.store.markDirty(); // the stop decides the final state once the whole tree is gone
    } else if (isLive(run)) {
      this.endRun(run, code === 0 ? 'completed' : 'failed');
    } else {
      this.store.markDirty();
    }
    if (run.knownMembers.length <= 1) this.logTail.finish(run.request.agentId);
  }

  // ---- stopping -------------------------------------------------------------

  private stop(run: AgentRun, options: KillOptions, requestedAt = performance.now(), cause: StopCause = BY_USER): Promise<StopReport> {
    // A stop asked for mid-spawn applies to what the spawn produced.
    if (run.state === 'spawning') return run.settled.then(() => this.stop(run, options, requestedAt, cause));
    if (run.state === 'backoff') return Promise.resolve(this.stopBackoff(run));
    const force = options.force === true;
    // The user's word outranks a guard's: a stop asked for by hand never restarts.
    if (run.stopBy === null || cause.by === 'user') run.stopBy = cause;
    if (run.stopping && !force) return run.stopping;
    // A forced stop may overtake a graceful one; whichever is current when it ends decides the state.
    const wasLive = isLive(run);
    if (wasLive && run.state !== 'stopping') this.transition(run, 'stopping');
    const timeouts = { ...this.timeouts, ...options.timeouts };
    const stopping: Promise<StopReport> = terminateTree(
      { agentId: run.request.agentId, ...this.anchorOf(run) },
      {
        force,
        timeouts,
        reader: this.reader,
        snapshots: this.snapshots,
        requestedAt,
        onStage: (stage, deadline) => {
          if (run.stopping !== stopping) return;
          run.stopProgress = { stage, forced: force, deadline, stageMs: { term1: timeouts.firstTermMs, term2: timeouts.secondTermMs, kill: timeouts.killMs } };
          this.store.markDirty(); // a crash mid-stop resumes it as forceful as it was
          this.events.emit('stopStage', { agentId: run.request.agentId, ...run.stopProgress });
        },
      },
    ).then(async (report) => {
      if (run.stopping === stopping) await this.finishStop(run, report, wasLive);
      return report;
    });
    run.stopping = stopping;
    return stopping;
  }

  private async finishStop(run: AgentRun, report: StopReport, wasLive: boolean): Promise<void> {
    // The tree is gone; let Node deliver the root's exit status before deciding.
    if (run.child) await Promise.race([run.exited, delay(EXIT_EVENT_GRACE_MS)]);
    run.stopReport = report;
    run.stopping = null;
    run.exitStage ??= run.stopProgress?.stage ?? null;
    run.stopProgress = null;
    if (report.outcome === 'unkillable') {
      const who = report.survivors.map((survivor) => `pid ${survivor.pid} (${survivor.name})`).join(', ');
      addNote(run, `Unkillable: ${who} survived SIGKILL. Still tracked.`);
    }
    if (!wasLive) {
      this.store.markDirty(); // leftovers of a run that had already ended: its outcome stands
      return;
    }
    const root = rootIdentity(run);
    if (root && (await isAlive(root, this.reader))) {
      run.stopBy = null;
      run.exitStage = null;
      this.transition(run, 'running');
      return;
    }
    run.endedAtMs ??= Date.now();
    this.endRun(run, 'cancelled');
  }

  // ---- ends and restarts ----------------------------------------------------

  /**
   * A run has ended: its record is closed with how it ended, and its restart
   * policy decides what comes next (restart after a backoff, crash-looping, or
   * the plain end state).
   */
  private endRun(run: AgentRun, state: 'completed' | 'failed' | 'cancelled' | 'lost', unseen: 'corral-away' | 'adopted' | null = null): void {
    const stop = run.stopBy && state === 'cancelled' ? { stage: run.exitStage ?? 'term1', by: run.stopBy.by } : null;
    const exit = classifyExit({ code: run.exitCode, signal: run.signal, stop, spawnFailure: run.spawnFailure, unseen });
    const endedAt = run.endedAtMs ?? Date.now();
    if (run.record) {
      closeRecord(run.record, exit, endedAt);
      notePeaks(run.record, run.latest?.treeCpuPercent ?? null, run.latest?.treeMemoryMb ?? null);
    }
    if (state === 'failed' || exit.kind === 'signalled') run.error ??= exit.summary;
    run.stalledSinceMs = null;
    run.guard.reset();
    const policy = policiesOf(run.request).restart;
    const decision = shouldRestart(exit, policy, run.runs, run.stopBy?.restart === true);
    if (decision.restart) {
      const trigger = run.stopBy?.restart ? 'guard' : 'restart';
      appendCorralLine(run.paths, `${exit.summary} Restarting in ${formatDelay(decision.delayMs)} (restart ${decision.attempt} of ${policy.maxRestarts}).`);
      this.transition(run, 'backoff');
      this.scheduleRestart(run, endedAt + decision.delayMs, trigger);
      return;
    }
    if (decision.crashLooping) {
      run.error = `Crash-looping: ${policy.maxRestarts} restart${policy.maxRestarts === 1 ? '' : 's'} in a row did not keep it running. Last run: ${exit.summary}`;
      appendCorralLine(run.paths, run.error);
      this.transition(run, 'crash-looping');
      return;
    }
    this.transition(run, state);
  }

  private scheduleRestart(run: AgentRun, atMs: number, trigger: RunRecord['trigger']): void {
    run.nextRestartAt = atMs;
    this.store.markDirty();
    const agentId = run.request.agentId;
    this.restartTimers.schedule(agentId, atMs, () => {
      this.restart(agentId, trigger).catch((error: unknown) => this.noteOn(agentId, `Could not restart: ${messageOf(error)}`));
    });
  }

  private cancelRestart(run: AgentRun): void {
    this.restartTimers.cancel(run.request.agentId);
    run.nextRestartAt = null;
  }

  private async restart(agentId: string, trigger: RunRecord['trigger']): Promise<void> {
    const run = this.agents.get(agentId);
    if (!run || run.state !== 'backoff' || this.closed) return;
    if (run.missingSecrets.length > 0) {
      run.nextRestartAt = null;
      run.error = missingSecretsMessage(agentId, run.missingSecrets);
      this.transition(run, 'failed');
      return;
    }
    await this.launchRun({ ...run.request, requestId: randomUUID() }, trigger);
  }

  /** Stopping an agent that waits for its restart: the restart is called off. */
  private stopBackoff(run: AgentRun): StopReport {
    this.cancelRestart(run);
    this.transition(run, 'cancelled');
    const none = { term1: 0, term2: 0, kill: 0 };
    return { agentId: run.request.agentId, forced: false, outcome: 'already-ended', startedAt: new Date().toISOString(), durationMs: 0, processCount: 0, endedByStage: none, survivors: [] };
  }

  /** Stall and resource guards, once per tick for a running agent. */
  private watch(run: AgentRun): void {
    const sample = run.latest;
    if (run.state !== 'running' || sample === null) {
      run.stalledSinceMs = null;
      return;
    }
    const policies = policiesOf(run.request);
    const lastOutputAtMs = run.lastOutputAtMs ?? run.startedAtMs ?? sample.at;
    const meanCpuPercent = policies.stall ? run.history.meanTreeCpuSince(sample.at - policies.stall.quietMs) : null;
    run.stalledSinceMs = stalledSince({ nowMs: sample.at, lastOutputAtMs, meanCpuPercent, policy: policies.stall });
    const fired = run.guard.observe({ atMs: sample.at, treeCpuPercent: sample.treeCpuPercent, treeMemoryMb: sample.treeMemoryMb }, policies.guard);
    if (!fired) return;
    const alert = run.guard.current!;
    const unit = alert.metric === 'memory' ? ' MB' : ' % CPU';
    const heldS = Math.round((sample.at - Date.parse(alert.since)) / 1000);
    addNote(run, `Resource guard: ${alert.metric} at ${Math.round(alert.value * 10) / 10}${unit}, over its limit of ${alert.limit}${unit} for ${heldS} s; action: ${alert.action}.`);
    this.store.markDirty();
    if (alert.action === 'notify') return;
    this.stop(run, {}, performance.now(), { by: 'guard', restart: alert.action === 'restart' }).catch((error: unknown) =>
      this.noteOn(run.request.agentId, `The resource guard could not stop it: ${messageOf(error)}`),
    );
  }

  // ---- sampling -------------------------------------------------------------

  sampleNow(): Promise<void> {
    this.assertOpen();
    // Never overlapping: a caller during a tick shares it.
    this.ticking ??= this.tick().finally(() => (this.ticking = null));
    return this.ticking;
  }

  private scheduleTick(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.sampleNow()
        .catch((error) => this.warn(`Sampling failed: ${messageOf(error)}`))
        .finally(() => this.scheduleTick());
    }, this.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.masker.releaseOlderThan(MASK_HOLD_MS);
    const runs = this.sampledRuns();
    this.checkDiskSpace(runs);
    if (runs.length > 0) {
      const table = await this.snapshots.table(performance.now(), this.hintPids(runs));
      const trees = runs.map((run) => {
        const anchor = this.anchorOf(run);
        return { run, anchor, members: collectTree(table, anchor) };
      });
      const usage = await this.reader.usage(table, trees.flatMap(({ members }) => members.map((entry) => entry.pid)));
      for (const { run, anchor, members } of trees) {
        const sample = summariseTree(table, anchor, members, usage);
        run.latest = sample;
        run.knownMembers = sample.liveMembers;
        run.history.push({
          at: sample.at,
          cpuPercent: sample.rootUsage?.cpuPercent ?? null,
          memoryMb: sample.rootUsage?.rssBytes == null ? null : sample.rootUsage.rssBytes / 1048576,
          treeCpuPercent: sample.treeCpuPercent,
          treeMemoryMb: sample.treeMemoryMb,
        });
        if (run.record && isLive(run)) notePeaks(run.record, sample.treeCpuPercent, sample.treeMemoryMb);
        this.readProgress(run);
        this.noticeEnd(run, sample.root);
        this.watch(run);
        if (!isLive(run) && sample.liveMembers.length === 0) this.logTail.finish(run.request.agentId);
      }
    }
    if (this.events.count('status') > 0) {
      this.events.emit('status', { seq: ++this.seq, at: new Date().toISOString(), agents: this.allStatuses(), orphanCount: this.orphans.count });
    }
  }

  /** A live agent's figures are fresh for one interval (at most half a second), then a status call samples anew. */
  private isStale(run: AgentRun): boolean {
    if (!isLive(run)) return false;
    return run.latest === null || Date.now() - run.latest.at > Math.min(this.intervalMs, 500);
  }

  /** Runs whose trees are worth a look: live ones, and ended ones with descendants still about. */
  private sampledRuns(): AgentRun[] {
    return [...this.agents.values()].filter((run) => isLive(run) || run.knownMembers.length > 0);
  }

  private hintPids(runs: AgentRun[]): number[] {
    return runs.flatMap((run) => (run.pid === null ? [] : [run.pid]));
  }

  /** Where the agent's tree hangs: its root, the session it leads, and members seen before. */
  private anchorOf(run: AgentRun): TreeAnchor {
    const root = rootIdentity(run);
    const sessionId = process.platform === 'win32' || run.pid === null ? null : run.pid;
    return { root, sessionId, knownMembers: run.knownMembers };
  }

  /** An adopted agent has no 'exit' event: its end is noticed when its root leaves the table. */
  private noticeEnd(run: AgentRun, root: ProcEntry | null): void {
    if (run.child || !isLive(run) || run.state === 'stopping') return;
    if (root && !isDeadState(root.stateCode)) return;
    run.endedAtMs = Date.now();
    addNote(run, 'Ended while adopted: Corral was not its parent, so its exit code is unknown.');
    this.endRun(run, 'lost', 'adopted');
  }

  private readProgress(run: AgentRun): void {
    if (!isLive(run)) return;
    const progress = run.progress.read();
    run.progressValue = progress.progress;
    run.progressMessage = progress.message;
    if (progress.problem) addNote(run, progress.problem);
  }

  // ---- recovery -------------------------------------------------------------

  /** A saved live record is re-adopted only when the same process (pid + start time, same boot) is still there. */
  private async reconcile(run: AgentRun): Promise<void> {
    if (!isLive(run)) return;
    const sameBoot = run.bootId === this.bootId;
    const entry = sameBoot && run.pid !== null ? await this.reader.read(run.pid) : null;
    const isSame = entry !== null && entry.startTime === run.startTime && !isDeadState(entry.stateCode);
    if (run.state === 'stopping') {
      // Corral died mid-stop: start() resumes the stop (from its first stage; which stage was
      // reached is not saved), so the agent never comes back as plain running nor stays half-stopped.
      run.adopted = isSame;
      addNote(run, isSame ? 'Corral restarted during its stop; the stop was resumed.' : 'Ended during its stop while Corral was not running; exit code unknown.');
      if (!sameBoot) run.knownMembers = [];
      if (isSame) this.tailFromEnd(run);
      return;
    }
    if (isSame) {
      run.adopted = true;
      if (run.state !== 'running') this.transition(run, 'running');
      addNote(run, 'Re-adopted after Corral restarted; its exit code will not be known.');
      this.tailFromEnd(run);
      return;
    }
    run.endedAtMs = Date.now();
    run.exitCode = null;
    run.signal = null;
    addNote(run, 'Exited while Corral was not running; exit code unknown.');
    if (!sameBoot) run.knownMembers = []; // pids from before a reboot mean nothing now
    this.endRun(run, 'lost', 'corral-away');
  }

  /** An adopted agent's logs are followed from what is on disk now. */
  private tailFromEnd(run: AgentRun): void {
    this.logTail.add(run.request.agentId, 'stdout', run.paths.stdout, fileSize(run.paths.stdout));
    this.logTail.add(run.request.agentId, 'stderr', run.paths.stderr, fileSize(run.paths.stderr));
  }

  // ---- plumbing -------------------------------------------------------------

  private transition(run: AgentRun, next: AgentState, previous: AgentState | null = run.state): void {
    run.state = next;
    this.store.markDirty();
    this.events.emit('state', { seq: ++this.seq, agentId: run.request.agentId, state: next, previousState: previous, at: new Date().toISOString() });
  }

  private allStatuses(): Record<string, AgentStatus> {
    const now = Date.now();
    const statuses: Record<string, AgentStatus> = {};
    for (const [id, run] of this.agents) statuses[id] = toStatus(run, now);
    return statuses;
  }

  private requireRun(agentId: string): AgentRun {
    this.assertOpen();
    const parsed = agentIdSchema.safeParse(agentId);
    if (!parsed.success) throw new CorralError('invalid-argument', `Invalid agent id ${JSON.stringify(agentId)}: ${describeIssues(parsed.error)}`);
    const run = this.agents.get(agentId);
    if (!run) throw new CorralError('not-found', `No agent with id "${agentId}".`);
    return run;
  }

  /** A rotation, a cut or a read problem of an agent's log: saved, noted, warned about as the change says. */
  private recordLogChange(agentId: string, change: LogChange): void {
    const run = this.agents.get(agentId);
    if (run && change.note) {
      if (change.replaces) setNote(run, change.replaces, change.note);
      else addNote(run, change.note);
    }
    if (!run && change.note && !change.warning) this.warn(`${agentId}: ${change.note}`);
    // Saved at once, not coalesced: a crash right after a rotation must not leave offsets one rotation behind. Rotations are rare.
    this.store.flush();
    if (change.warning) this.warn(change.warning);
  }

  /** Low free space where the logs live: a note on every live agent (once), a warning when it starts. */
  private checkDiskSpace(runs: AgentRun[]): void {
    const { note, warning } = this.diskSpace.check();
    if (warning) this.warn(warning);
    if (!note) return;
    for (const run of runs) if (isLive(run) && !run.notes.includes(note)) this.noteOn(run.request.agentId, note);
  }

  private noteOn(agentId: string, message: string): void {
    const run = this.agents.get(agentId);
    if (!run) return this.warn(`${agentId}: ${message}`);
    addNote(run, message);
    this.store.markDirty();
  }

  private warn(message: string): void {
    this.warnings.push(message);
    if (this.warnings.length > 100) this.warnings.shift();
    this.events.emit('warning', { message, at: new Date().toISOString() });
  }

  private assertOpen(): void {
    if (this.closed) throw new CorralError('closed', 'This supervisor has been closed.');
  }
}

function refusal(input: unknown, kind: ErrorKind, message: string): DeploymentResponse {
  const agentId = (input as { agentId?: unknown } | null)?.agentId;
  return { agentId: typeof agentId === 'string' ? agentId : '', status: 'failed', error: message, errorKind: kind };
}

/** The answer a saved run would have given, for requestId replays after a restart. */
function responseOf(run: AgentRun): DeploymentResponse {
  const agentId = run.request.agentId;
  if (run.pid === null) return { agentId, status: 'failed', error: run.error ?? 'Did not start.', errorKind: 'spawn-failed' };
  if (isLive(run)) return { agentId, status: 'running', pid: run.pid };
  return { agentId, status: 'exited', pid: run.pid, exitCode: run.exitCode, signal: run.signal };
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
