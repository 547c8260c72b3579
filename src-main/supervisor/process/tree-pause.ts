/**
 * Pausing a tree in place, and letting it go again, where the agent has no
 * cgroup to freeze: SIGSTOP to every member and to its process group, with
 * scans repeated until one finds every member stopped (`T`), since a member
 * may fork between a scan and its signal; SIGCONT on resume. Members are what
 * a stop counts as the agent's (stop-members.ts), each found in a snapshot
 * taken after the call, so a recycled pid is never signalled. The cgroup
 * freezer's side of a pause is `AgentCgroup.whenFrozen`.
 */
import { performance } from 'node:perf_hooks';
import type { ProcEntry, ProcessReader, ProcessTable } from './process-table';
import { signalGroup, signalProcess, type SignalName } from './signals';
import type { SnapshotCache } from './snapshot-cache';
import { membersIn, track, type StopTarget, type TrackedSet } from './stop-members';

/** Between two scans of a pause that found a member still running. */
const RESCAN_MS = 20;

export interface TreeSignalOptions {
  reader: ProcessReader;
  snapshots: SnapshotCache;
}

/** A job-control stop (`T`); a tracing stop (`t`) is a debugger's, not ours to lift or count. */
export function isStopped(entry: Pick<ProcEntry, 'stateCode'>): boolean {
  return entry.stateCode === 'T';
}

/**
 * SIGSTOPs every member until a scan finds them all stopped, `deadline` (a `performance.now()` reading)
 * passes, or `wanted()` turns false (a stop began meanwhile). Returns the members last seen still running.
 */
export async function stopTree(target: StopTarget, options: TreeSignalOptions, deadline: number, wanted: () => boolean): Promise<ProcEntry[]> {
  const tracked: TrackedSet = new Map();
  for (;;) {
    const members = await scan(target, options, tracked);
    const running = members.filter((entry) => !isStopped(entry));
    if (running.length === 0 || !wanted()) return running;
    if (performance.now() >= deadline) return running;
    signalAll(running, 'SIGSTOP', await ownGroups(options));
    await new Promise((resolve) => setTimeout(resolve, RESCAN_MS));
  }
}

/** SIGCONTs every stopped member (and its group); how many were stopped. */
export async function continueTree(target: StopTarget, options: TreeSignalOptions): Promise<number> {
  const stopped = (await scan(target, options, new Map())).filter(isStopped);
  signalAll(stopped, 'SIGCONT', await ownGroups(options));
  return stopped.length;
}

async function scan(target: StopTarget, options: TreeSignalOptions, tracked: TrackedSet): Promise<ProcEntry[]> {
  const table: ProcessTable = await options.snapshots.table(performance.now(), target.root ? [target.root.pid] : []);
  const members = membersIn(table, target, tracked, await options.snapshots.agentMarkers(table));
  track(tracked, members);
  return members;
}

/** Corral's own group and session: never signalled, whatever a member's pgid says. */
async function ownGroups(options: TreeSignalOptions): Promise<ReadonlySet<number>> {
  const self = await options.reader.read(process.pid);
  return new Set(self ? [self.pgid, self.sid] : []);
}

function signalAll(members: readonly ProcEntry[], signal: SignalName, own: ReadonlySet<number>): void {
  const groups = new Set<number>();
  for (const entry of members) {
    signalProcess(entry.pid, signal);
    if (entry.pgid > 1 && !own.has(entry.pgid)) groups.add(entry.pgid);
  }
  for (const group of groups) signalGroup(group, signal);
}
