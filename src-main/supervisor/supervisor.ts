/**
 * The engine: a registry of agent runners (agent/agent-runner.ts owns each
 * agent's life) wired to the services they share — the sampler's tick, the
 * log tail, the orphan sweep, the state file — behind the public API
 * (supervisor-api.ts). Host-agnostic: plain Node, never Electron (DESIGN.md decision 1).
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AgentRunner } from './agent/agent-runner';
import { removeRunner } from './agent/remove-agent';
import { RequestReplay } from './agent/request-replay';
import { isFinished, restartRunner, runAgainRequest, startRequest, type StartRegistry } from './agent/requested-start';
import { needsStop, stopSubAgents } from './agent/stop-children';
import type { RunnerContext } from './agent/runner-context';
import { readyBox, secretBytesOf, type SecretStorage } from './agent/secrets';
import { CorralError, messageOf } from './errors';
import { Emitter } from './events';
import { DEFAULT_LOW_DISK_FREE_BYTES, DiskSpaceWatch } from './logs/disk-space';
import { createLogPipeline, readSlice } from './logs/log-pipeline';
import type { LogTail } from './logs/log-tail';
import type { LogMasker } from './logs/secret-mask';
import { readBootId } from './process/boot-id';
import { Containment } from './process/cgroup/containment';
import { OrphanSweeper, type OrphanProcess, type OrphanStopReport } from './process/orphans';
import type { ProcessIdentity, ProcessReader } from './process/process-table';
import { createProcessReader } from './process/readers';
import { SnapshotCache } from './process/snapshot-cache';
import { recoverAgents, resumeInterrupted } from './recovery';
import { agentIdSchema, deploymentRequestSchema, describeIssues, refusal } from './request-schema';
import { Sampler } from './sampler';
import { DataDirLock } from './state/data-dir-lock';
import { StateStore } from './state/state-store';
import { cleanupReport, summarise } from './summary';
import type { PolicyChange, Supervisor, SupervisorOptions } from './supervisor-api';
import type { AgentStatus, CleanupReport, DeploymentRequest, DeploymentResponse, HistoryPoint, KillOptions, LogSlice } from './types';
import type { ProcessInfo, ProcessSummary, RunRecord, StopTimeouts, SupervisorEvents } from './types';

export type { PolicyChange, Supervisor, SupervisorOptions } from './supervisor-api';

const DEFAULT_TIMEOUTS: StopTimeouts = { firstTermMs: 10_000, secondTermMs: 5_000, killMs: 5_000 };
/** A log tail held back because it could begin a secret is let go after this long without the rest. */
const MASK_HOLD_MS = 500;

export async function createSupervisor(options: SupervisorOptions): Promise<Supervisor> {
  if (typeof options?.dataDir !== 'string' || options.dataDir.length === 0) {
    throw new CorralError('invalid-argument', 'createSupervisor: dataDir must be a non-empty path');
  }
  const engine = new Engine(options);
  await engine.start().catch(async (error: unknown) => { await engine.close(); throw error; }); // nothing left running, no lock held
  return engine;
}

class Engine implements Supervisor {
  readonly dataDir: string;
  readonly warnings: string[] = [];
  get secretStorage(): SecretStorage { return this.ctx.secretBox ? 'encrypted' : 'memory-only'; }
  private readonly runners = new Map<string, AgentRunner>();
  private readonly requests = new RequestReplay();
  private readonly events = new Emitter<SupervisorEvents>((event, error) => this.warn(`A "${String(event)}" listener threw: ${messageOf(error)}`));
  private readonly reader: ProcessReader;
  private readonly snapshots: SnapshotCache;
  private readonly logTail: LogTail;
  private readonly masker: LogMasker;
  private readonly sampler: Sampler;
  private readonly orphans: OrphanSweeper;
  private readonly diskSpace: DiskSpaceWatch;
  private readonly ctx: RunnerContext;
  private readonly registry: StartRegistry;
  private store!: StateStore;
  private lock: DataDirLock | null = null;
  private stopOrphanSweep: () => void = () => undefined;
  private seq = 0;
  private closed = false;

  constructor(private readonly options: SupervisorOptions) {
    this.dataDir = path.resolve(options.dataDir);
    const intervalMs = Math.max(10, options.sampleIntervalMs ?? 1000);
    this.reader = options.processReader ?? createProcessReader();
    this.snapshots = new SnapshotCache(this.reader, this.dataDir);
    ({ tail: this.logTail, masker: this.masker } = createLogPipeline({
      pollMs: options.logPollMs,
      maxBytes: options.logMaxBytes,
      maxFiles: options.logMaxFiles,
      agent: (agentId) => this.runners.get(agentId)?.record,
      secretsOf: (agentId) => secretBytesOf(this.runners.get(agentId)?.record.request),
      isWanted: () => this.events.count('log') > 0,
      emit: (event) => this.events.emit('log', event),
      onActivity: (agentId) => this.runners.get(agentId)?.sawOutput(),
      noteChange: (agentId, change) => this.runners.get(agentId)?.logChanged(change),
      warn: (message) => this.warn(message),
    }));
    this.ctx = {
      dataDir: this.dataDir,
      bootId: readBootId(),
      reader: this.reader,
      snapshots: this.snapshots,
      logTail: this.logTail,
      timeouts: { ...DEFAULT_TIMEOUTS, ...options.stopTimeouts },
      historyCapacity: Math.max(1, Math.ceil((options.historyMs ?? 600_000) / intervalMs)),
      containment: this.openContainment(options.containment),
      secretBox: null, // the host's, once start() has it
      resolveRequest: options.resolveRequest ?? ((request) => request),
      events: this.events,
      nextSeq: () => ++this.seq,
      save: (at) => (at === 'now' ? this.store.flush() : this.store.markDirty()),
      saveAhead: (agentId, record) => this.store.writeAhead(agentId, record),
      warn: (message) => this.warn(message),
      isClosed: () => this.closed,
      stopChildren: (agentId, kill, requestedAt) => stopSubAgents(this.runners, agentId, kill, requestedAt, (message) => this.warn(message)),
      agentEnv: () => options.agentEnv?.() ?? {},
    };
    this.registry = { runners: this.runners, requests: this.requests, ctx: this.ctx, flush: () => this.store.flush() };
    this.sampler = new Sampler({
      reader: this.reader,
      snapshots: this.snapshots,
      intervalMs,
      runners: () => this.runners.values(),
      beforeTick: (sampled) => {
        this.masker.releaseOlderThan(MASK_HOLD_MS);
        // Low free space where the logs live: a note on every live agent (once), a warning when it starts.
        const { note, warning } = this.diskSpace.check();
        if (warning) this.warn(warning);
        if (note) for (const runner of sampled) if (runner.isLive && !runner.record.notes.includes(note)) runner.note(note);
      },
      afterTick: () => {
        if (this.events.count('status') === 0) return;
        this.events.emit('status', { seq: ++this.seq, at: new Date().toISOString(), agents: this.allStatuses(), orphanCount: this.orphans.count });
      },
      onError: (message) => this.warn(message),
    });
    this.diskSpace = new DiskSpaceWatch(this.dataDir, options.lowDiskFreeBytes ?? DEFAULT_LOW_DISK_FREE_BYTES);
    this.orphans = new OrphanSweeper({
      dataDir: this.dataDir,
      reader: this.reader,
      snapshots: this.snapshots,
      intervalMs: Math.max(100, options.orphanSweepMs ?? 10_000),
      containment: this.ctx.containment, // its cgroups stand in for environments in the background sweep
      liveAgents: () =>
        [...this.runners.values()]
          .filter((runner) => runner.isLive)
          .map((runner) => ({ agentId: runner.agentId, anchor: runner.anchor(), startedAtMs: runner.record.startedAtMs, spawning: runner.record.state === 'spawning' })),
      onError: (message) => this.warn(message),
    });
  }

  async start(): Promise<void> {
    this.lock = await DataDirLock.acquire(this.dataDir, this.reader, this.options.hostKind); // creates the folder; a second host fails here
    this.ctx.secretBox = await readyBox(this.options.secretBox, (message) => this.warn(message)); // before recovery opens saved secrets with it
    const { store, agents } = StateStore.open({ dataDir: this.dataDir, openFile: this.options.openStore, flushDelayMs: this.options.stateFlushMs, warn: (m) => this.warn(m) });
    this.store = store; // its spawn journal's newer records are merged into `agents`: recovery sees each agent's latest
    store.setSource(() => Object.fromEntries([...this.runners].map(([id, runner]) => [id, runner.persisted()])));
    for (const runner of await recoverAgents(this.ctx, agents)) {
      this.runners.set(runner.agentId, runner);
      this.requests.remember(runner.record.request.requestId, Promise.resolve(runner.response()));
    }
    if (this.runners.size > 0) this.store.flush(); // also empties the journal: state.json holds all of it now
    resumeInterrupted(this.runners.values());
    this.sampler.start();
    this.stopOrphanSweep = this.orphans.start();
  }

  // ---- runs -----------------------------------------------------------------

  async spawnAgent(input: DeploymentRequest): Promise<DeploymentResponse> {
    this.assertOpen();
    const parsed = deploymentRequestSchema.safeParse(input);
    if (!parsed.success) return refusal(input, 'invalid-argument', `Invalid request: ${describeIssues(parsed.error)}`);
    return this.requests.get(parsed.data.requestId) ?? startRequest(this.registry, parsed.data);
  }

  async runAgain(agentId: string): Promise<DeploymentResponse> {
    return this.spawnAgent(runAgainRequest(this.requireRunner(agentId)));
  }

  async restartAgent(agentId: string): Promise<DeploymentResponse> {
    return restartRunner(this.registry, this.requireRunner(agentId));
  }

  async removeFinished(): Promise<string[]> {
    this.assertOpen();
    const finished = [...this.runners.values()].filter(isFinished).map((runner) => runner.agentId);
    for (const agentId of finished) await this.removeAgent(agentId);
    return finished;
  }

  async updatePolicies(agentId: string, change: PolicyChange): Promise<AgentStatus> {
    const runner = this.requireRunner(agentId);
    runner.updatePolicies(change);
    return runner.status();
  }

  async removeAgent(agentId: string): Promise<void> {
    removeRunner(this.registry, this.requireRunner(agentId), this.masker);
  }

  async pauseAgent(agentId: string): Promise<AgentStatus> {
    return this.requireRunner(agentId).setPaused(true);
  }

  async resumeAgent(agentId: string): Promise<AgentStatus> {
    return this.requireRunner(agentId).setPaused(false);
  }

  // ---- reading --------------------------------------------------------------

  async getAgentStatus(agentId: string): Promise<AgentStatus> {
    const runner = this.requireRunner(agentId);
    if (this.sampler.isStale(runner)) await this.sampleNow();
    return runner.status();
  }

  async monitorAllAgents(): Promise<Record<string, AgentStatus>> {
    this.assertOpen();
    if ([...this.runners.values()].some((runner) => this.sampler.isStale(runner))) await this.sampleNow();
    return this.allStatuses();
  }

  async getProcessSummary(): Promise<ProcessSummary> {
    return summarise(Object.values(await this.monitorAllAgents()), this.orphans.count);
  }

  async checkProcessHealth(agentId: string): Promise<boolean> {
    if (!this.runners.has(agentId) || this.closed) return false;
    const status = await this.getAgentStatus(agentId);
    return status.processAlive && status.health === 'healthy';
  }

  async getAgentHistory(agentId: string): Promise<HistoryPoint[]> {
    return this.requireRunner(agentId).record.history.toArray();
  }

  async getProcessTree(agentId: string): Promise<ProcessInfo[]> {
    const runner = this.requireRunner(agentId);
    if (this.sampler.isStale(runner)) await this.sampleNow();
    return this.sampler.processesOf(runner);
  }

  async getAgentRequest(agentId: string): Promise<DeploymentRequest> {
    return structuredClone(this.requireRunner(agentId).record.request);
  }

  async getRunHistory(agentId: string): Promise<RunRecord[]> {
    return structuredClone(this.requireRunner(agentId).record.runs);
  }

  async readLog(agentId: string, stream: LogSlice['stream'], options: { before?: number; maxBytes: number }): Promise<LogSlice> {
    const { record } = this.requireRunner(agentId);
    return readSlice(record, stream, options, secretBytesOf(record.request));
  }

  sampleNow(): Promise<void> {
    this.assertOpen();
    return this.sampler.sampleNow();
  }

  // ---- stopping -------------------------------------------------------------

  async killAgent(agentId: string, options: KillOptions = {}): Promise<boolean> {
    const report = await this.requireRunner(agentId).stop(options);
    return report.outcome !== 'unkillable';
  }

  async cleanup(options: { agentId?: string; force?: boolean; timeouts?: Partial<StopTimeouts> } = {}): Promise<CleanupReport> {
    this.assertOpen();
    const runners = options.agentId !== undefined ? [this.requireRunner(options.agentId)] : [...this.runners.values()].filter(needsStop);
    // All at once: n agents take as long as the slowest, not the sum. A sub-agent its parent stops first joins that stop.
    const requestedAt = performance.now(); // one snapshot serves every stop of this cleanup
    const reports = await Promise.all(runners.map((runner) => runner.stop({ force: options.force, timeouts: options.timeouts }, requestedAt)));
    return cleanupReport(reports);
  }

  async reapZombies(): Promise<string[]> {
    this.assertOpen();
    const { actedOn, remaining } = await this.sampler.nudgeZombieParents();
    for (const [agentId, problems] of remaining) {
      for (const problem of problems) this.runners.get(agentId)?.note(problem);
    }
    return actedOn;
  }

  async findOrphans(): Promise<OrphanProcess[]> {
    this.assertOpen();
    return this.orphans.find();
  }

  async stopOrphans(identities: readonly ProcessIdentity[], options: { force?: boolean; timeouts?: Partial<StopTimeouts> } = {}): Promise<OrphanStopReport> {
    this.assertOpen();
    return this.orphans.stop(identities, { force: options.force === true, timeouts: { ...this.ctx.timeouts, ...options.timeouts } });
  }

  on<K extends keyof SupervisorEvents>(event: K, listener: (payload: SupervisorEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopOrphanSweep();
    await this.orphans.close();
    await this.sampler.close();
    // A stop in progress finishes and is saved: never a half-stopped agent on disk.
    await Promise.allSettled([...this.runners.values()].map((runner) => runner.record.stop.running));
    await this.logTail.close(); // a rotation under way is given up whole: no `.rotating` copy is left behind
    // Restarts due later stay due: their times are saved and the next start keeps them.
    for (const runner of this.runners.values()) runner.close();
    this.ctx.containment?.close(); // empty cgroups only: a live agent keeps its own
    this.store?.close(); // absent when start() failed before opening it
    this.lock?.release();
    this.reader.close();
    this.events.clear();
  }

  // ---- plumbing -------------------------------------------------------------

  private allStatuses(): Record<string, AgentStatus> {
    const now = Date.now();
    const statuses: Record<string, AgentStatus> = {};
    for (const [id, runner] of this.runners) statuses[id] = runner.status(now);
    return statuses;
  }

  /** The agents' cgroups; where Linux has none to give, the reason is a warning (the user may fix it, e.g. by delegation). */
  private openContainment(mode: SupervisorOptions['containment']): Containment | null {
    const { containment, reason } = Containment.open(this.dataDir, mode);
    if (!containment && process.platform === 'linux' && !reason.includes('was asked for')) this.warn(`Agents are tracked by process group, session and marker, not in cgroups of their own: ${reason}.`);
    return containment;
  }

  private requireRunner(agentId: string): AgentRunner {
    this.assertOpen();
    const parsed = agentIdSchema.safeParse(agentId);
    if (!parsed.success) throw new CorralError('invalid-argument', `Invalid agent id ${JSON.stringify(agentId)}: ${describeIssues(parsed.error)}`);
    const runner = this.runners.get(agentId);
    if (!runner) throw new CorralError('not-found', `No agent with id "${agentId}".`);
    return runner;
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
