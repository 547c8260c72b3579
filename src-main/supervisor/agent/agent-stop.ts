/**
 * One run's stop, as one object: who asked for it, the stop under way (shared
 * by concurrent calls), the stage in progress, the stage that ended the root,
 * and what the last finished stop did. It stops the agent's sub-agents first
 * (when its policy says so: stop-children.ts), then runs the staged stop
 * (process/terminate.ts), and is the only writer of these facts; the runner
 * decides what the agent's state becomes.
 */
import { performance } from 'node:perf_hooks';
import { terminateTree, type StopTarget } from '../process/terminate';
import type { ProcessReader } from '../process/process-table';
import type { SnapshotCache } from '../process/snapshot-cache';
import type { StopProgress, StopReport, StopStage, StopTimeouts } from '../types';
import { endLine, stageLine } from './stop-lines';

/** Why a stop was asked for: by the user (or Stop all), or by a resource guard that may start it again. */
export interface StopCause {
  by: 'user' | 'guard';
  restart: boolean;
}

export const BY_USER: StopCause = { by: 'user', restart: false };

export interface StopRun {
  target: StopTarget;
  force: boolean;
  timeouts: StopTimeouts;
  reader: ProcessReader;
  snapshots: SnapshotCache;
  requestedAt: number;
  /** Stops its sub-agents (called at once, so a stop of one of them asked for at the same moment joins it); their reports, flat. */
  stopChildren: () => Promise<StopReport[]>;
  /** A stage began (saved and shown: a crash mid-stop resumes it as forceful as it was). */
  onStage: (progress: StopProgress) => void;
  /** The current stop's tree is gone (or survived SIGKILL): must call `settle`. Not called for a stop a forced one overtook. */
  onDone: (report: StopReport) => Promise<void>;
  /** Writes Corral's line for a stage begun or the stop's end to the agent's log (stop-lines.ts); `treeGone`: nothing of it is left. */
  line: (text: string, treeGone: boolean) => void;
}

/** The report of a stop that found nothing to signal (an agent waiting for its restart), with the sub-agents it stopped. */
export function nothingToStop(agentId: string, children: StopReport[] = []): StopReport {
  const none = { term1: 0, term2: 0, kill: 0 };
  return { agentId, forced: false, outcome: 'already-ended', startedAt: new Date().toISOString(), durationMs: 0, processCount: 0, endedByStage: none, survivors: [], children };
}

export class AgentStop {
  private askedBy: StopCause | null = null;
  private current: Promise<StopReport> | null = null;
  private currentForced = false;
  private stage: StopProgress | null;
  private endedBy: StopStage | null = null;
  private last: StopReport | null;

  /** A stop as saved in state.json (its report, and the stage it had reached if Corral died mid-stop). */
  constructor(saved: { report?: StopReport | null; progress?: StopProgress | null } = {}) {
    this.last = saved.report ?? null;
    this.stage = saved.progress ?? null;
  }

  get cause(): StopCause | null {
    return this.askedBy;
  }

  /** Set while a stop is in progress; concurrent stop calls share it. */
  get running(): Promise<StopReport> | null {
    return this.current;
  }

  /** The stop in progress is a forced one: another forced stop has nothing to add and joins it. */
  get runningForced(): boolean {
    return this.current !== null && this.currentForced;
  }

  get progress(): StopProgress | null {
    return this.stage;
  }

  /** The stage running when the root ended (it ended because of that stage). */
  get exitStage(): StopStage | null {
    return this.endedBy;
  }

  /** What the last finished stop did. */
  get report(): StopReport | null {
    return this.last;
  }

  /** A stop saved mid-way resumes forced when it was forced or had reached SIGKILL; otherwise from its first stage. */
  get resumesForced(): boolean {
    return this.stage !== null && (this.stage.forced || this.stage.stage === 'kill');
  }

  /** The user's word outranks a guard's: a stop asked for by hand never restarts. */
  ask(cause: StopCause): void {
    if (this.askedBy === null || cause.by === 'user') this.askedBy = cause;
  }

  /**
   * Stops its sub-agents, then runs the staged stop; the newest one is current, and only the current
   * one reports its stages and its end. The report lists the sub-agents' reports as `children`.
   */
  begin(run: StopRun): Promise<StopReport> {
    const stageMs = { term1: run.timeouts.firstTermMs, term2: run.timeouts.secondTermMs, kill: run.timeouts.killMs };
    const running: Promise<StopReport> = run.stopChildren().then(async (children) => {
      // Overtaken (a forced stop came) while its sub-agents stopped: that stop does the rest.
      if (this.current !== running && this.current !== null) return this.current;
      const own = await terminateTree(run.target, {
        force: run.force,
        timeouts: run.timeouts,
        reader: run.reader,
        snapshots: run.snapshots,
        // Its sub-agents' stops took a while: its own tree is read afresh, not from the snapshot taken before them.
        requestedAt: children.length > 0 ? performance.now() : run.requestedAt,
        onStage: (stage, deadline, processCount) => {
          if (this.current !== running) return;
          this.stage = { stage, forced: run.force, deadline, stageMs };
          run.onStage(this.stage);
          run.line(stageLine(stage, { processCount, forced: run.force, by: this.askedBy?.by ?? null, stageMs }), false);
        },
      });
      const report = { ...own, children };
      const closing = this.current === running ? endLine(report) : null;
      if (closing !== null) run.line(closing, report.outcome === 'stopped');
      if (this.current === running) await run.onDone(report);
      return report;
    });
    this.current = running;
    this.currentForced = run.force;
    return running;
  }

  /** The current stop has ended (called by `onDone` once the root's exit had its chance to arrive). */
  settle(report: StopReport): void {
    this.current = null;
    this.last = report;
    this.endedBy ??= this.stage?.stage ?? null;
    this.stage = null;
  }

  /** The root exited during the stop: the stage in progress ended it. */
  rootExited(): void {
    this.endedBy = this.stage?.stage ?? 'term1';
  }

  /** Something survived SIGKILL (the root or another member): the agent runs on, tracked, keeping the report. */
  survived(): void {
    this.askedBy = null;
    this.endedBy = null;
  }
}
