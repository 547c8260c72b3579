/**
 * What a stop counts as the agent's: one definition shared by the scan before
 * the first signal, the re-scans of the freeze (`freeze.ts`) and the final
 * independent scan the report is built from (`terminate.ts`). The orphan sweep
 * finds the same processes by the same marker, so a stop that leaves none
 * leaves the sweep nothing of that agent.
 */
import {
  collectTree,
  findIdentity,
  identityKey,
  identityOf,
  isDeadState,
  type ProcEntry,
  type ProcessIdentity,
  type ProcessTable,
  type TreeAnchor,
} from './process-table';
import type { StopStage } from '../types';

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

/** One process a stop has found, by identity (pid + start time): a recycled pid is never taken for it. */
export interface Tracked {
  identity: ProcessIdentity;
  pgid: number;
  name: string;
  /** The stage during which it was seen gone; null while it may live. */
  endedBy: StopStage | null;
}

export type TrackedSet = Map<string, Tracked>;

/**
 * The live members of the target in `table`: its tree (root, session, known
 * and tracked members, ppid walk) and every process carrying its marker, with
 * that process's descendants (which may have dropped the marker). Zombies and
 * Corral itself are never members.
 */
export function membersIn(table: ProcessTable, target: StopTarget, tracked: TrackedSet, markers: ReadonlyMap<number, string>): ProcEntry[] {
  if (target.scope === 'root-only') {
    const root = target.root ? findIdentity(table, target.root) : null;
    return root && isLiveMember(root) ? [root] : [];
  }
  const known = [...target.knownMembers, ...[...tracked.values()].map((member) => member.identity)];
  const found = new Map<number, ProcEntry>();
  for (const entry of collectTree(table, { ...target, knownMembers: known })) found.set(entry.pid, entry);
  for (const [pid, agentId] of markers) {
    const entry = table.byPid.get(pid);
    if (agentId !== target.agentId || !entry || found.has(pid)) continue;
    for (const member of collectTree(table, { root: identityOf(entry), sessionId: null, knownMembers: [] })) {
      if (!found.has(member.pid)) found.set(member.pid, member);
    }
  }
  return [...found.values()].filter(isLiveMember);
}

/** Adds the members not tracked yet; returns those (the ones a freeze has not stopped yet). */
export function track(tracked: TrackedSet, members: readonly ProcEntry[]): ProcEntry[] {
  const added: ProcEntry[] = [];
  for (const entry of members) {
    const key = identityKey(entry);
    if (tracked.has(key)) continue;
    tracked.set(key, { identity: identityOf(entry), pgid: entry.pgid, name: entry.name, endedBy: null });
    added.push(entry);
  }
  return added;
}

/** Marks every tracked process missing from `live` (a scan's members) as ended by `stage`. */
export function markEnded(tracked: TrackedSet, live: readonly ProcEntry[], stage: StopStage): void {
  const alive = new Set(live.map(identityKey));
  for (const [key, member] of tracked) if (!member.endedBy && !alive.has(key)) member.endedBy = stage;
}

/** A stopped (`T`) process is alive: frozen, not gone. */
function isLiveMember(entry: ProcEntry): boolean {
  return !isDeadState(entry.stateCode) && entry.pid !== process.pid;
}
