/**
 * The stop policy, in one place.
 *
 * Graceful: SIGTERM (+SIGCONT, so a paused agent can act on it), wait;
 * SIGTERM again, wait; SIGKILL, wait. Forced: SIGKILL, wait. Each SIGTERM goes
 * to the agent's process group and to every other process of its tree found
 * before it: descendants that left the group (setsid, double fork) found by the
 * ppid walk and, on Linux, by the CORRAL_AGENT_ID marker (`stop-members.ts`).
 * The SIGKILL stage freezes the tree before it kills (`freeze.ts`), so a tree
 * that keeps forking cannot outrun it. Where the agent has a cgroup
 * (`cgroup/`), every member of it is signalled at each stage, the SIGKILL stage
 * is the kernel's `cgroup.freeze` + `cgroup.kill`, and "all gone" is its
 * `populated 0` notice rather than a poll. Every process is identified by pid +
 * start time, so a recycled pid is never signalled.
 *
 * A stage ends when *everything* is gone, not when the leader exits
 * (process-compose#520); a zombie counts as gone, since it can do nothing
 * more and only its parent can reap it. The report's survivors are what a
 * final scan, taken after the last signal, finds alive: never a count of what
 * the stop happened to be watching.
 */
import { performance } from 'node:perf_hooks';
import { freezeAndKillCgroup } from './cgroup/cgroup-kill';
import { freezeAndKill } from './freeze';
import { isDeadState, isLiveAs, type MarkerMemo, type ProcEntry, type ProcessIdentity, type ProcessReader, type ProcessTable } from './process-table';
import { signalGroup, signalProcess, signalTreeWindows, type SignalName } from './signals';
import type { SnapshotCache } from './snapshot-cache';
import { markEnded, membersIn, track, type StopTarget, type Tracked, type TrackedSet } from './stop-members';
import type { StopReport, StopStage, StopTimeouts } from '../types';

export type { StopTarget } from './stop-members';

export interface TerminateOptions {
  force: boolean;
  timeouts: StopTimeouts;
  reader: ProcessReader;
  snapshots: SnapshotCache;
  /**
   * `performance.now()` when the stop was asked for: any snapshot started after
   * it will do, so the stops of one `cleanup()` share one snapshot.
   */
  requestedAt?: number;
  /** Called as each stage begins, for progress display (and the log's line): `processCount` members are still alive. */
  onStage?: (stage: StopStage, deadlineMs: number, processCount: number) => void;
}

const POLL_START_MS = 2;
const POLL_MAX_MS = 50;

export async function terminateTree(target: StopTarget, options: TerminateOptions): Promise<StopReport> {
  const startedAtMs = Date.now();
  const begin = performance.now();
  const tracked: TrackedSet = new Map();
  const table = await discover(target, options, options.requestedAt ?? begin, tracked);
  const processCount = tracked.size;
  // The freeze's marker reads start from what the first scan's read, shared with the stops that share that scan.
  const memo: MarkerMemo = target.scope === 'root-only' ? new Map() : await options.snapshots.markerMemo(table);
  const survivors = processCount === 0 ? [] : await runStages(target, options, { tracked, memo, baseline: table });

  const endedByStage: Record<StopStage, number> = { term1: 0, term2: 0, kill: 0 };
  for (const process of tracked.values()) if (process.endedBy) endedByStage[process.endedBy]++;
  return {
    agentId: target.agentId,
    forced: options.force,
    outcome: processCount === 0 ? 'already-ended' : survivors.length > 0 ? 'unkillable' : 'stopped',
    startedAt: new Date(startedAtMs).toISOString(),
    durationMs: Math.round((performance.now() - begin) * 10) / 10,
    processCount: tracked.size,
    endedByStage,
    survivors: survivors.map((process) => ({ pid: process.pid, name: process.name })),
  };
}

/** What one stop has found so far. */
interface StopState {
  tracked: TrackedSet;
  memo: MarkerMemo;
  /** The latest full scan `tracked` was brought up to date with. */
  baseline: ProcessTable;
}

/** Runs the stages until nothing is left or they are spent; returns the members a scan after the last signal finds alive. */
async function runStages(target: StopTarget, options: TerminateOptions, stop: StopState): Promise<ProcEntry[]> {
  const { tracked, memo } = stop;
  const stages: { stage: StopStage; signal: SignalName; waitMs: number }[] = options.force
    ? [{ stage: 'kill', signal: 'SIGKILL', waitMs: options.timeouts.killMs }]
    : [
        { stage: 'term1', signal: 'SIGTERM', waitMs: options.timeouts.firstTermMs },
        { stage: 'term2', signal: 'SIGTERM', waitMs: options.timeouts.secondTermMs },
        { stage: 'kill', signal: 'SIGKILL', waitMs: options.timeouts.killMs },
      ];
  // A process that ends between two looks is credited to the stage before it.
  let lastStage = stages[0]!.stage;
  let lastSignalAt = 0;
  for (const { stage, signal, waitMs } of stages) {
    const alive = await stillMembers(target, options, stop, lastSignalAt, lastStage);
    if (alive.length === 0) return [];
    options.onStage?.(stage, Date.now() + waitMs, alive.length);
    lastSignalAt = performance.now();
    if (signal === 'SIGKILL' && process.platform !== 'win32') {
      const run = { target, tracked, reader: options.reader, snapshots: options.snapshots, memo };
      if (target.cgroup) {
        // The kernel kills the cgroup whole; the heuristic freeze is left only what lives outside it (found by marker).
        await freezeAndKillCgroup(target.cgroup, Date.now() + waitMs, async (pids) => {
          const entries = await Promise.all(pids.map((pid) => options.reader.read(pid)));
          track(tracked, entries.filter((entry): entry is ProcEntry => entry !== null && !isDeadState(entry.stateCode)));
        });
        const left = await finalScan(target, options, performance.now(), tracked, stage);
        if (left.live.length === 0) return [];
        stop.baseline = left.table;
      }
      const settledAt = await freezeAndKill(run, stop.baseline, lastSignalAt + waitMs);
      return (await finalScan(target, options, settledAt, tracked, stage)).live;
    }
    await send(target, alive, signal, options.reader);
    await waitUntilGone(target, tracked, options.reader, stage, waitMs);
    lastStage = stage;
  }
  return (await finalScan(target, options, performance.now(), tracked, lastStage)).live;
}

/** Adds every live member (tree and marker) in a snapshot started after `requestedAt` to `tracked`; snapshot and markers are shared with concurrent stops. */
async function discover(target: StopTarget, options: TerminateOptions, requestedAt: number, tracked: TrackedSet): Promise<ProcessTable> {
  const table = await options.snapshots.table(requestedAt, target.root ? [target.root.pid] : []);
  track(tracked, membersIn(table, target, tracked, await markersFor(target, options.snapshots, table)));
  return table;
}

/**
 * What the report counts: the members alive in a snapshot started after `since` (a moment after the
 * last signal landed, or after every member was seen gone), with markers read afresh rather than
 * through the stop's memo. Members it finds for the first time are tracked, and so counted.
 */
async function finalScan(
  target: StopTarget,
  options: TerminateOptions,
  since: number,
  tracked: TrackedSet,
  creditTo: StopStage,
): Promise<{ table: ProcessTable; live: ProcEntry[] }> {
  const table = await options.snapshots.table(since, target.root ? [target.root.pid] : []);
  const live = membersIn(table, target, tracked, await markersFor(target, options.snapshots, table));
  track(tracked, live);
  markEnded(tracked, live, creditTo);
  return { table, live };
}

/**
 * The members still alive before a stage. A survivor may have forked since the last signal: any
 * snapshot started after it sees the children. When every member is gone, a scan started after that
 * look decides: what it finds (a child that outlived every parent we knew) is tracked, and returned
 * while it lives.
 */
async function stillMembers(target: StopTarget, options: TerminateOptions, stop: StopState, lastSignalAt: number, creditTo: StopStage): Promise<Tracked[]> {
  const { tracked } = stop;
  let alive = await stillAlive(tracked, options.reader, creditTo);
  if (alive.length > 0 && lastSignalAt > 0) {
    stop.baseline = await discover(target, options, lastSignalAt, tracked);
    alive = await stillAlive(tracked, options.reader, creditTo);
  }
  if (alive.length > 0) return alive;
  const left = await finalScan(target, options, performance.now(), tracked, creditTo);
  stop.baseline = left.table;
  return left.live.length === 0 ? [] : stillAlive(tracked, options.reader, creditTo);
}

/** A `root-only` stop touches one identity: it needs no markers. */
function markersFor(target: StopTarget, snapshots: SnapshotCache, table: ProcessTable): Promise<ReadonlyMap<number, string>> {
  return target.scope === 'root-only' ? Promise.resolve(new Map()) : snapshots.agentMarkers(table);
}

async function stillAlive(tracked: TrackedSet, reader: ProcessReader, creditTo: StopStage): Promise<Tracked[]> {
  const alive: Tracked[] = [];
  for (const process of tracked.values()) {
    if (process.endedBy) continue;
    if (await isAlive(process.identity, reader)) alive.push(process);
    else process.endedBy = creditTo;
  }
  return alive;
}

export async function isAlive(identity: ProcessIdentity, reader: ProcessReader): Promise<boolean> {
  return isLiveAs(await reader.read(identity.pid), identity);
}

async function send(target: StopTarget, alive: Tracked[], signal: SignalName, reader: ProcessReader): Promise<void> {
  if (process.platform === 'win32') {
    for (const process of alive) await signalTreeWindows(process.identity.pid, signal === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM');
    return;
  }
  // The group signal also reaches children forked since the snapshot. It is sent
  // only while a verified member of ours still leads or belongs to the group.
  const group = target.sessionId;
  const groupIsOurs = group !== null && alive.some((process) => process.pgid === group);
  if (groupIsOurs) {
    signalGroup(group, signal);
    if (signal === 'SIGTERM') signalGroup(group, 'SIGCONT');
  }
  // Everyone outside the group gets it individually, exactly once per stage.
  const sent = new Set<number>();
  for (const process of alive) {
    sent.add(process.identity.pid);
    if (groupIsOurs && process.pgid === group) continue;
    signalProcess(process.identity.pid, signal);
    if (signal === 'SIGTERM') signalProcess(process.identity.pid, 'SIGCONT');
  }
  // And every member of its cgroup the scan did not see (forked since): the kernel's list is read now,
  // so a pid in it is that member, never a recycled one.
  for (const pid of target.cgroup?.pids() ?? []) {
    if (sent.has(pid)) continue;
    if (groupIsOurs && (await reader.read(pid))?.pgid === group) continue;
    signalProcess(pid, signal);
    if (signal === 'SIGTERM') signalProcess(pid, 'SIGCONT');
  }
}

/**
 * Waits until every tracked process is gone or `waitMs` passes; marks each with the stage that ended it.
 * With a cgroup, its `populated 0` notice is awaited first (no polling); the poll then only confirms, and
 * follows what lives outside the cgroup (found by marker).
 */
async function waitUntilGone(target: StopTarget, tracked: TrackedSet, reader: ProcessReader, stage: StopStage, waitMs: number): Promise<void> {
  const deadline = performance.now() + waitMs;
  if (target.cgroup) await target.cgroup.whenEmpty(Date.now() + waitMs);
  let pollMs = POLL_START_MS;
  for (;;) {
    let remaining = 0;
    for (const process of tracked.values()) {
      if (process.endedBy) continue;
      if (await isAlive(process.identity, reader)) remaining++;
      else process.endedBy = stage;
    }
    if (remaining === 0) return;
    const left = deadline - performance.now();
    if (left <= 0) return;
    await sleep(Math.min(pollMs, left));
    pollMs = Math.min(pollMs * 2, POLL_MAX_MS);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
