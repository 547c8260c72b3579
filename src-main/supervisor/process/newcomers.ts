/**
 * The freeze's fast look (Linux): processes that appeared since the last full
 * scan, read the moment they are listed. A full scan reads every process and
 * takes longer (12-25 ms for 300 processes on a 2-core machine, over 100 ms
 * when it is loaded) than a link of a fork storm lives before it forks the next
 * one and exits (a few ms): whatever such a link starts after the listing is
 * missed, and the link itself is gone by the time its turn to be read comes.
 * Reading only the newcomers takes a millisecond or so, so a link is frozen
 * before it can fork.
 *
 * A newcomer is the agent's when it carries the marker, its parent is a live
 * member, or it is in the agent's session while a live member is. Whatever
 * existed at the last full scan was judged by it: a process can become a member
 * only by being born to one (or, under the marker, by execing, which a full
 * scan's marker read sees).
 */
import { readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { buildTable, identityKey, isDeadState, type MarkerMemo, type ProcEntry, type ProcessReader, type ProcessTable } from './process-table';
import type { SnapshotCache } from './snapshot-cache';

export class Newcomers {
  /** Every process of the last full scan: looked at already. */
  private scanned: ReadonlyMap<number, ProcEntry> = new Map();
  /** The processes looked at here since. */
  private readonly seen = new Set<number>();
  /** A look's listing must be taken after this: the previous look, or the full scan, began before it. */
  private lastLookAt = 0;

  constructor(
    private readonly agentId: string,
    private readonly reader: ProcessReader,
    private readonly snapshots: SnapshotCache,
    private readonly memo: MarkerMemo,
  ) {}

  /** Only the /proc reader can list processes cheaply; elsewhere the full scans do all the work. */
  get enabled(): boolean {
    return this.reader.kind === 'proc';
  }

  /** A full scan has looked at everything in `table`. */
  sawAll(table: ProcessTable): void {
    this.scanned = table.byPid;
    this.seen.clear();
    this.lastLookAt = performance.now();
  }

  /**
   * The members among processes not looked at yet; `memberPids` (live members' pids) grows with them.
   * `session`: the agent's session id while a live member is in it, else null.
   */
  async members(memberPids: Set<number>, session: number | null): Promise<ProcEntry[]> {
    if (!this.enabled) return [];
    const fresh: ProcEntry[] = [];
    const lookAt = performance.now();
    const listing = listProcesses(this.lastLookAt);
    for (const pid of listing.pids) {
      if (this.scanned.has(pid) || this.seen.has(pid) || pid === process.pid) continue;
      const entry = await readListed(listing, pid, this.reader);
      if (entry && !isDeadState(entry.stateCode)) fresh.push(entry);
      else if (entry) this.seen.add(pid);
    }
    this.lastLookAt = lookAt;
    if (fresh.length === 0) return [];
    const markers = await this.snapshots.agentMarkers(buildTable(fresh, Date.now()), this.memo);
    const found: ProcEntry[] = [];
    // Parents come before their children in pid order, but not across a pid wrap: go round until nothing is added.
    for (let added = true; added; ) {
      added = false;
      for (const entry of fresh) {
        if (memberPids.has(entry.pid)) continue;
        const inSession = session !== null && (entry.sid === session || entry.pgid === session);
        if (markers.get(entry.pid) !== this.agentId && !memberPids.has(entry.ppid) && !inSession) continue;
        found.push(entry);
        memberPids.add(entry.pid);
        added = true;
      }
    }
    for (const entry of fresh) {
      // An environment that read empty (caught inside an exec) is looked at again on the next pass.
      if (memberPids.has(entry.pid) || this.memo.has(identityKey(entry))) this.seen.add(entry.pid);
    }
    return found;
  }
}

interface Listing {
  /** `performance.now()` when it was taken. */
  at: number;
  pids: number[];
  /** The entries read for it, by whichever freeze asked first. */
  read: Map<number, ProcEntry | null>;
}

/** The latest listing of /proc, shared by the freezes of concurrent stops (and their reads of newcomers). */
let latest: Listing | null = null;

/** A listing of /proc taken after `after` (a `performance.now()` reading). */
function listProcesses(after: number): Listing {
  if (latest && latest.at > after) return latest;
  const at = performance.now();
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const code = name.charCodeAt(0);
    if (code >= 48 && code <= 57) pids.push(Number(name));
  }
  latest = { at, pids, read: new Map() };
  return latest;
}

async function readListed(listing: Listing, pid: number, reader: ProcessReader): Promise<ProcEntry | null> {
  let entry = listing.read.get(pid);
  if (entry === undefined) {
    entry = await reader.read(pid);
    listing.read.set(pid, entry);
  }
  return entry;
}
