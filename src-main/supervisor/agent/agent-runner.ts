/**
 * One agent's whole life, in one object: it starts runs, records how each one
 * ended, stops it (concurrent stop calls share one stop), restarts it as its
 * policy says, watches it on every tick, and is the only writer of its record.
 * The engine holds one runner per agent id; a new run of the same id reuses
 * the runner (same log files, same run history).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { messageOf } from '../errors';
import type { LogChange } from '../logs/log-tail';
import { classifyExit } from '../policies/exit-classification';
import { policiesOf } from '../policies/policies';
import { describeDecision, shouldRestart } from '../policies/restart-policy';
import type { ProcEntry, TreeAnchor } from '../process/process-table';
import { isAlive } from '../process/terminate';
import type { TreeSample } from '../process/tree-sample';
import type { PersistedAgent } from '../state/state-store';
import type { AgentPolicies, AgentState, AgentStatus, DeploymentRequest, DeploymentResponse, KillOptions, RunRecord, StopReport } from '../types';
import { addNote, anchorOf, fromPersisted, isLive, newRun, responseOf, rootIdentity, setNote, toPersisted, toStatus, type AgentRun } from './agent-record';
import { pauseRun, releasePause, resumeRun, thawForStop } from './agent-pause';
import { BY_USER, nothingToStop, type StopCause } from './agent-stop';
import { agentPaths, appendCorralLine, recordSpawnFailure } from './launch';
import { observeSample, watchTick } from './observe';
import { applyPolicyChange } from './policy-change';
import { beginRun, closeRecord, notePeaks } from './run-history';
import { delay, fileSize, type RunnerContext } from './runner-context';
import { RestartTimer } from './restart-timer';
import { adoptFoundRoot, oomEnd, spawnRun } from './spawn-run';
import type { StartUndo } from './start-undo';
import { stopLineWriter } from './stop-lines';
import { missingSecretsMessage, type OpenedSecrets } from './secrets';

/** After a child's 'exit' the tree may still be going down: how long a stop or a spawn waits for the event. */
const EXIT_EVENT_GRACE_MS = 2000;
const SPAWN_CUT_SHORT = 'Corral stopped while starting it, and no process of it was found when Corral came back: it never started, or ended meanwhile; exit code unknown.';

export class AgentRunner {
  private run: AgentRun;
  private readonly restartTimer = new RestartTimer();

  private constructor(
    private readonly ctx: RunnerContext,
    run: AgentRun,
  ) {
    this.run = run;
  }

  /** A runner for an agent id never seen before; `start` begins its first run. */
  static create(ctx: RunnerContext, request: DeploymentRequest): AgentRunner {
    return new AgentRunner(ctx, newRun(request, agentPaths(ctx.dataDir, request.agentId), ctx.historyCapacity));
  }

  /** A runner for a record from state.json; recovery.ts decides what became of its process. */
  static fromSaved(ctx: RunnerContext, agentId: string, saved: PersistedAgent, secrets: OpenedSecrets): AgentRunner {
    return new AgentRunner(ctx, fromPersisted(saved, agentPaths(ctx.dataDir, agentId), ctx.historyCapacity, secrets));
  }

  get agentId(): string {
    return this.run.request.agentId;
  }

  /** The record, read-only: views, the sampler and recovery read it; only this runner writes it. */
  get record(): Readonly<AgentRun> {
    return this.run;
  }

  get isLive(): boolean {
    return isLive(this.run);
  }

  get isStopping(): boolean {
    return this.run.stop.running !== null;
  }

  status(nowMs = Date.now()): AgentStatus {
    return toStatus(this.run, nowMs);
  }

  persisted(): PersistedAgent {
    this.run.persistedState = this.run.state;
    return toPersisted(this.run, this.ctx.secretBox);
  }

  /** The answer this run gave (or would have given), for requestId replays after a restart of Corral. */
  response(): DeploymentResponse {
    return responseOf(this.run);
  }

  anchor(): TreeAnchor {
    return anchorOf(this.run);
  }

  // ---- runs -------------------------------------------------------------------

  /**
   * Starts a run of `request` (the agent's first, a run again or a restart).
   * The record is replaced synchronously, so a concurrent request for the same
   * id sees `spawning`, and a stop asked for meanwhile waits for the answer.
   * With `undo` (a user's request) a spawn the OS refuses is undone instead of recorded (start-undo.ts).
   */
  start(request: DeploymentRequest, trigger: RunRecord['trigger'], undo: StartUndo | null = null): Promise<DeploymentResponse> {
    this.cancelRestart();
    const previous = this.run;
    const run = newRun(request, previous.paths, this.ctx.historyCapacity);
    run.logs = previous.logs; // same files: offsets go on where the last run left them
    run.runs = previous.runs; // one history per agent id
    run.record = beginRun(run.runs, trigger, Date.now());
    run.bootId = this.ctx.bootId; // saved with the write-ahead record: recovery looks for its process only in this boot
    this.run = run;
    this.ctx.logTail.remove(this.agentId);
    this.transition('spawning', null);
    const answer = this.launch(run, undo);
    run.settled = answer;
    return answer;
  }

  private async launch(run: AgentRun, undo: StartUndo | null): Promise<DeploymentResponse> {
    const spawned = await spawnRun(this.ctx, run, {
      onExit: (code, signal) => {
        if (this.run === run) this.exited(code, signal);
      },
      onError: (error) => this.note(`Process error: ${messageOf(error)}`),
    });
    if (!spawned.ok && undo) {
      this.run = undo.restore(run);
      if (!undo.fresh) this.transition(this.run.state, 'spawning');
      if (this.run.state === 'backoff' && this.run.nextRestartAt !== null) this.scheduleRestart(this.run.nextRestartAt, 'restart');
      return (run.response = { agentId: this.agentId, status: 'failed', error: spawned.message, errorKind: spawned.kind });
    }
    if (!spawned.ok) {
      run.error = spawned.message;
      run.endedAtMs = Date.now();
      run.spawnFailure = recordSpawnFailure(run.request, run.paths, spawned.message);
      this.end('failed');
      return (run.response = { agentId: this.agentId, status: 'failed', error: spawned.message, errorKind: spawned.kind });
    }
    const pid = run.pid!;
    if (!spawned.verified) await Promise.race([run.exited, delay(EXIT_EVENT_GRACE_MS)]);
    if (run.endedAtMs !== null) return (run.response = { agentId: this.agentId, status: 'exited', pid, exitCode: run.exitCode, signal: run.signal });
    // Could not be read but did not exit either (a platform without cheap reads): trust the OS's 'spawn'.
    if (!spawned.verified) addNote(run, 'Could not verify the process after spawning; trusting the OS report.');
    this.transition('running');
    return (run.response = { agentId: this.agentId, status: 'running', pid });
  }

  /** The root's 'exit': a stop decides the end once the whole tree is gone; otherwise the run ends now. */
  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    const run = this.run;
    run.exitCode = code;
    run.signal = signal;
    run.endedAtMs = Date.now();
    run.child = null;
    if (run.state === 'stopping') run.stop.rootExited(); // the stop decides the end once the whole tree is gone
    if (isLive(run) && run.state !== 'stopping') this.end(code === 0 ? 'completed' : 'failed');
    else this.ctx.save('soon');
    if (run.knownMembers.length <= 1) this.ctx.logTail.finish(this.agentId);
  }

  /**
   * A run has ended: its record is closed with how it ended, and its restart
   * policy decides what comes next (restart after a backoff, crash-looping, or
   * the plain end state).
   */
  private end(state: 'completed' | 'failed' | 'cancelled' | 'lost', unseen: 'corral-away' | 'adopted' | null = null): void {
    const run = this.run;
    releasePause(run, this.ctx); // ended while paused: nothing of it stays frozen
    const cause = run.stop.cause;
    const stop = cause && state === 'cancelled' ? { stage: run.stop.exitStage ?? 'term1', by: cause.by } : null;
    const exit = classifyExit({ code: run.exitCode, signal: run.signal, stop, spawnFailure: run.spawnFailure, unseen, ...oomEnd(run) });
    const endedAt = run.endedAtMs ?? Date.now();
    if (run.record) {
      closeRecord(run.record, exit, endedAt);
      notePeaks(run.record, run.latest?.treeCpuPercent ?? null, run.latest?.treeMemoryMb ?? null);
    }
    if (state === 'failed' || exit.kind === 'signalled') run.error ??= exit.summary;
    run.stalledSinceMs = null;
    run.guard.reset();
    const policy = policiesOf(run.request).restart;
    const decision = shouldRestart(exit, policy, run.runs, cause?.restart === true);
    const line = describeDecision(decision, exit, policy);
    if (line !== null) appendCorralLine(run.paths, line);
    if (decision.restart) {
      this.transition('backoff');
      return this.scheduleRestart(endedAt + decision.delayMs, cause?.restart ? 'guard' : 'restart');
    }
    if (decision.crashLooping) {
      run.error = line;
      return this.transition('crash-looping');
    }
    this.transition(state);
  }

  // ---- restarts ---------------------------------------------------------------

  /** Starts it again at `atMs` (at once when past); the time is saved, so a restart due while Corral is away happens at its next start. */
  scheduleRestart(atMs: number, trigger: RunRecord['trigger']): void {
    this.run.nextRestartAt = atMs;
    this.ctx.save('soon');
    this.restartTimer.schedule(atMs, () => this.restart(trigger).catch((error: unknown) => this.note(`Could not restart: ${messageOf(error)}`)));
  }

  cancelRestart(): void {
    this.restartTimer.cancel();
    this.run.nextRestartAt = null;
  }

  private async restart(trigger: RunRecord['trigger']): Promise<void> {
    const run = this.run;
    if (run.state !== 'backoff' || this.ctx.isClosed()) return;
    if (run.missingSecrets.length > 0) {
      run.nextRestartAt = null;
      run.error = missingSecretsMessage(this.agentId, run.missingSecrets);
      this.transition('failed');
      return;
    }
    await this.start({ ...run.request, requestId: randomUUID() }, trigger);
  }

  // ---- stopping ---------------------------------------------------------------

  /** The staged stop of its whole tree (process/terminate.ts); concurrent calls share it, a forced one may overtake a graceful one. */
  stop(options: KillOptions = {}, requestedAt = performance.now(), cause: StopCause = BY_USER): Promise<StopReport> {
    const run = this.run;
    // A stop asked for mid-spawn applies to what the spawn produced.
    if (run.state === 'spawning') return run.settled.then(() => this.stop(options, requestedAt, cause));
    if (run.state === 'backoff') return this.stopBackoff(options, requestedAt);
    const force = options.force === true;
    run.stop.ask(cause);
    if (run.stop.running && (!force || run.stop.runningForced)) return run.stop.running;
    const wasLive = isLive(run);
    thawForStop(run, this.ctx);
    if (wasLive && run.state !== 'stopping') this.transition('stopping');
    return run.stop.begin({
      target: { agentId: this.agentId, ...this.anchor() },
      force,
      timeouts: { ...this.ctx.timeouts, ...options.timeouts },
      reader: this.ctx.reader,
      snapshots: this.ctx.snapshots,
      requestedAt,
      stopChildren: () => this.ctx.stopChildren(this.agentId, { force, timeouts: options.timeouts }, requestedAt),
      onStage: (progress) => {
        this.ctx.save('soon'); // a crash mid-stop resumes it as forceful as it was
        this.ctx.events.emit('stopStage', { agentId: this.agentId, ...progress });
      },
      onDone: (report) => this.stopped(run, report, wasLive),
      line: stopLineWriter(this.ctx, this.agentId, run.paths),
    });
  }

  /** The current stop is over: the run ends `cancelled`, unless something of it survived SIGKILL. */
  private async stopped(run: AgentRun, report: StopReport, wasLive: boolean): Promise<void> {
    // The tree is gone; let Node deliver the root's exit status before deciding.
    if (run.child) await Promise.race([run.exited, delay(EXIT_EVENT_GRACE_MS)]);
    run.stop.settle(report);
    if (report.outcome === 'unkillable') {
      const who = report.survivors.map((survivor) => `pid ${survivor.pid} (${survivor.name})`).join(', ');
      addNote(run, `Unkillable: ${who} survived SIGKILL. Still tracked.`);
    }
    if (!wasLive) {
      this.ctx.save('soon'); // leftovers of a run that had already ended: its outcome stands
      return;
    }
    const root = rootIdentity(run);
    // Any survivor keeps the agent tracked, not only its root: it is not over while a member of it lives.
    if (report.outcome === 'unkillable' || (root && (await isAlive(root, this.ctx.reader)))) {
      run.stop.survived();
      this.transition('running');
      return;
    }
    run.endedAtMs ??= Date.now();
    this.end('cancelled');
  }

  /** Stopping an agent that waits for its restart: the restart is called off (and its sub-agents stopped). */
  private async stopBackoff(options: KillOptions, requestedAt: number): Promise<StopReport> {
    this.cancelRestart();
    this.transition('cancelled');
    return nothingToStop(this.agentId, await this.ctx.stopChildren(this.agentId, options, requestedAt));
  }

  /** Called off by a removal or Corral's close: no timer outlives the runner. */
  close(): void {
    this.restartTimer.cancel();
    // Agents outlive us: let go of their handles so the host can exit.
    this.run.child?.removeAllListeners();
    this.run.child?.stdin?.destroy();
    this.run.child?.unref();
  }

  // ---- every tick -------------------------------------------------------------

  /** A fresh sample of its tree (sampler.ts): figures, history, progress, stall and guards; the end of an adopted root. */
  observe(sample: TreeSample): void {
    const run = this.run;
    const seen = observeSample(run, sample);
    // An adopted agent's end (no 'exit' event) is its root leaving the table; a spawning one's root is in no table yet.
    if (seen.rootGone && !run.child && (run.state === 'running' || run.state === 'paused')) {
      run.endedAtMs = Date.now();
      addNote(run, 'Ended while adopted: Corral was not its parent, so its exit code is unknown.');
      this.end('lost', 'adopted');
    }
    const alert = watchTick(run);
    if (alert) this.ctx.save('soon');
    if (alert && alert.action !== 'notify') {
      const cause = { by: 'guard', restart: alert.action === 'restart' } as const;
      this.stop({}, performance.now(), cause).catch((error: unknown) => this.note(`The resource guard could not stop it: ${messageOf(error)}`));
    }
    if (!isLive(run) && sample.liveMembers.length === 0) this.ctx.logTail.finish(this.agentId);
  }

  /** Its log file grew (or was rotated): output seen, for stall detection. */
  sawOutput(atMs = Date.now()): void {
    this.run.lastOutputAtMs = atMs;
  }

  // ---- changes asked for ------------------------------------------------------

  /** New policies now and for later runs (policy-change.ts); restarts turned off while one was due: it ends as its last run did. */
  updatePolicies(change: Partial<AgentPolicies>): void {
    const endsAs = applyPolicyChange(this.run, change);
    if (endsAs !== null) {
      this.cancelRestart();
      this.transition(endsAs);
    }
    this.ctx.save('soon');
  }

  /** Freezes its whole tree, `paused` until resumed or stopped, or lets it run again (agent-pause.ts). */
  async setPaused(paused: boolean): Promise<AgentStatus> {
    await (paused ? pauseRun : resumeRun)(this.run, this.ctx, (state) => this.transition(state));
    return this.status();
  }

  note(message: string): void {
    addNote(this.run, message);
    this.ctx.save('soon');
  }

  /** A rotation, a cut or a read problem of its log: noted as the change says, saved at once (offsets must not lag a rotation after a crash). */
  logChanged(change: LogChange): void {
    if (change.note) {
      if (change.replaces) setNote(this.run, change.replaces, change.note);
      else addNote(this.run, change.note);
    }
    this.ctx.save('now');
  }

  // ---- recovery (recovery.ts decides which) -----------------------------------

  /**
   * What recovery.ts found after Corral restarted: `root`, the same process (boot, pid, start time) still
   * there, or, for a spawn cut short before its pid or start time was saved, the root its marker led to.
   */
  recovered(root: ProcEntry | null, sameBoot: boolean): void {
    const run = this.run;
    if (!sameBoot) run.knownMembers = []; // pids from before a reboot mean nothing now
    const wasSpawning = run.state === 'spawning';
    if (root) adoptFoundRoot(this.ctx, run, root); // its cgroup too, when that still holds it
    if (root) this.tailFromEnd();
    if (run.state === 'stopping') {
      // Corral died mid-stop: `resume()` finishes it, so it never comes back as plain running nor stays half-stopped.
      run.adopted = root !== null;
      addNote(run, root ? 'Corral restarted during its stop; the stop was resumed.' : 'Ended during its stop while Corral was not running; exit code unknown.');
    } else if (root) {
      run.adopted = true;
      if (run.state !== 'running' && run.state !== 'paused') this.transition('running'); // a paused tree stays frozen, and paused
      addNote(run, 'Re-adopted after Corral restarted; its exit code will not be known.');
    } else {
      run.endedAtMs = Date.now();
      run.exitCode = null;
      run.signal = null;
      addNote(run, wasSpawning ? SPAWN_CUT_SHORT : 'Exited while Corral was not running; exit code unknown.');
      this.end('lost', 'corral-away');
    }
  }

  /** What was under way when Corral stopped goes on: a stop (as forceful as it had become), a restart (when due). */
  resume(): void {
    const run = this.run;
    if (run.state === 'stopping') {
      this.stop({ force: run.stop.resumesForced }).catch((error: unknown) => this.ctx.warn(`Could not finish the stop of "${this.agentId}": ${messageOf(error)}`));
    }
    if (run.state === 'backoff') this.scheduleRestart(run.nextRestartAt ?? Date.now(), 'restart');
  }

  /** An adopted agent's logs are followed from what is on disk now. */
  private tailFromEnd(): void {
    this.ctx.logTail.add(this.agentId, 'stdout', this.run.paths.stdout, fileSize(this.run.paths.stdout));
    this.ctx.logTail.add(this.agentId, 'stderr', this.run.paths.stderr, fileSize(this.run.paths.stderr));
  }

  private transition(next: AgentState, previous: AgentState | null = this.run.state): void {
    this.run.state = next;
    this.ctx.save('soon');
    this.ctx.events.emit('state', { seq: this.ctx.nextSeq(), agentId: this.agentId, state: next, previousState: previous, at: new Date().toISOString() });
  }
}
