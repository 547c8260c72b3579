/**
 * The stop policy, in one place.
 *
 * Graceful: SIGTERM (+SIGCONT, so a paused agent can act on it), wait;
 * SIGTERM again, wait; SIGKILL, wait. Forced: SIGKILL, wait. Each signal goes
 * to the agent's process group and to every other process of its tree found
 * before the first signal: descendants that left the group (setsid, double
 * fork) found by the ppid walk and, on Linux, by the CORRAL_AGENT_ID marker.
 * Every process is identified by pid + start time, so a recycled pid is never
 * signalled.
 *
 * A stage ends when *everything* is gone, not when the leader exits
 * (process-compose#520); a zombie counts as gone, since it can do nothing
 * more and only its parent can reap it.
 */
import { performance } from 'node:perf_hooks';
import {
  collectTree,
  findIdentity,
  identityKey,
  identityOf,
  isDeadState,
  type ProcEntry,
  type ProcessIdentity,
  type ProcessReader,
  type TreeAnchor,
} from './process-table';
import { signalGroup, signalProcess, signalTreeWindows, type SignalName } from './signals';
import type { SnapshotCache } from './snapshot-cache';
import type { StopReport, StopStage, StopTimeouts } from '../types';

export interface StopTarget extends TreeAnchor {
  agentId: string;
  /**
   * `tree` (default): the agent's whole tree plus every process carrying its
   * marker. `root-only`: exactly the root identity and nothing found around it
   * (the orphan sweep stops each listed process by itself: a process it did not
   * list, even a child of one, is never touched).
   */
  scope?: 'tree' | 'root-only';
}

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
  /** Called as each stage begins, for progress display. */
  onStage?: (stage: StopStage, deadlineMs: number) => void;
}

interface Tracked {
  identity: ProcessIdentity;
  pgid: number;
  name: string;
  endedBy: StopStage | null;
}

const POLL_START_MS = 2;
const POLL_MAX_MS = 50;

export async function terminateTree(target: StopTarget, options: TerminateOptions): Promise<StopReport> {
  const startedAtMs = Date.now();
  const begin = performance.now();
  const tracked = new Map<string, Tracked>();
  await discover(target, options, options.requestedAt ?? begin, tracked);

  const stages: { stage: StopStage; signal: SignalName; waitMs: number }[] = options.force
    ? [{ stage: 'kill', signal: 'SIGKILL', waitMs: options.timeouts.killMs }]
    : [
        { stage: 'term1', signal: 'SIGTERM', waitMs: options.timeouts.firstTermMs },
        { stage: 'term2', signal: 'SIGTERM', waitMs: options.timeouts.secondTermMs },
        { stage: 'kill', signal: 'SIGKILL', waitMs: options.timeouts.killMs },
      ];

  const processCount = tracked.size;
  // A process that ends between two looks is credited to the stage before it.
  let lastStage = stages[0]!.stage;
  let lastSignalAt = 0;
  for (const { stage, signal, waitMs } of stages) {
    let alive = await stillAlive(tracked, options.reader, lastStage);
    if (alive.length === 0) break;
    if (lastSignalAt > 0) {
      // A survivor may have forked since the last look. Any snapshot taken after the
      // last signal sees those children; survivors of many agents share it.
      await discover(target, options, lastSignalAt, tracked);
      alive = await stillAlive(tracked, options.reader, lastStage);
    }
    options.onStage?.(stage, Date.now() + waitMs);
    lastSignalAt = performance.now();
    await send(target, alive, signal);
    await waitUntilGone(tracked, options.reader, stage, waitMs);
    lastStage = stage;
  }

  const survivors = await stillAlive(tracked, options.reader, lastStage);
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
    survivors: survivors.map((process) => ({ pid: process.identity.pid, name: process.name })),
  };
}

/** Adds every live process of the agent's tree, and every process carrying its marker, to `tracked`. */
async function discover(
  target: StopTarget,
  options: TerminateOptions,
  requestedAt: number,
  tracked: Map<string, Tracked>,
): Promise<void> {
  const hint = target.root ? [target.root.pid] : [];
  const table = await options.snapshots.table(requestedAt, hint);
  if (target.scope === 'root-only') {
    const root = target.root ? findIdentity(table, target.root) : null;
    if (root && !isDeadState(root.stateCode) && root.pid !== process.pid && !tracked.has(identityKey(root))) {
      tracked.set(identityKey(root), { identity: identityOf(root), pgid: root.pgid, name: root.name, endedBy: null });
    }
    return;
  }
  const known = [...target.knownMembers, ...[...tracked.values()].map((process) => process.identity)];
  const tree = collectTree(table, { ...target, knownMembers: known });
  const inTree = new Set(tree.map((entry) => entry.pid));
  const markers = await options.snapshots.agentMarkers(table);
  for (const [pid, agentId] of markers) {
    if (agentId !== target.agentId || inTree.has(pid)) continue;
    const entry = table.byPid.get(pid);
    if (entry) {
      tree.push(entry);
      // Its own descendants (which may have dropped the marker) go with it.
      for (const descendant of collectTree(table, { root: identityOf(entry), sessionId: null, knownMembers: [] })) {
        if (!inTree.has(descendant.pid)) tree.push(descendant);
        inTree.add(descendant.pid);
      }
    }
  }
  for (const entry of tree) {
    if (isDeadState(entry.stateCode) || entry.pid === process.pid) continue;
    const key = identityKey(entry);
    if (!tracked.has(key)) tracked.set(key, { identity: identityOf(entry), pgid: entry.pgid, name: entry.name, endedBy: null });
  }
}

async function stillAlive(tracked: Map<string, Tracked>, reader: ProcessReader, creditTo: StopStage): Promise<Tracked[]> {
  const alive: Tracked[] = [];
  for (const process of tracked.values()) {
    if (process.endedBy) continue;
    if (await isAlive(process.identity, reader)) alive.push(process);
    else process.endedBy = creditTo;
  }
  return alive;
}

export async function isAlive(identity: ProcessIdentity, reader: ProcessReader): Promise<boolean> {
  const entry: ProcEntry | null = await reader.read(identity.pid);
  return entry !== null && entry.startTime === identity.startTime && !isDeadState(entry.stateCode);
}

async function send(target: StopTarget, alive: Tracked[], signal: SignalName): Promise<void> {
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
  for (const process of alive) {
    if (groupIsOurs && process.pgid === group) continue;
    signalProcess(process.identity.pid, signal);
    if (signal === 'SIGTERM') signalProcess(process.identity.pid, 'SIGCONT');
  }
}

/** Polls until every tracked process is gone or `waitMs` passes; marks each with the stage that ended it. */
async function waitUntilGone(tracked: Map<string, Tracked>, reader: ProcessReader, stage: StopStage, waitMs: number): Promise<void> {
  const deadline = performance.now() + waitMs;
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
