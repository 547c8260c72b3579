/**
 * The SIGKILL stage (and a forced stop), done so that a tree which keeps
 * forking cannot outrun it: scan-then-signal loses to an agent that starts a
 * new session leader faster than one scan, because every child born after the
 * scan escapes the signal.
 *
 * So each member is frozen (SIGSTOP, and its process group) as soon as it is
 * found: a stopped process forks no further, and a stopped parent keeps its
 * children its own. Looks repeat until two in a row find no member that was not
 * frozen yet; then every member (and its group) gets SIGKILL. This repeats until
 * no member lives, which a full scan must confirm, or the stage's deadline passes.
 *
 * A look must be quicker than a link of a fork storm lives (a few ms), which a
 * full scan of every process is not on a loaded machine (10-350 ms). Where /proc
 * can be listed, a look is: the members' own entries, and the processes that
 * appeared since the last full scan (`newcomers.ts`), read the moment they are
 * listed. Elsewhere each look is a full scan. Marker reads go through the stop's
 * memo, so a full scan reads only the environments of processes not seen before.
 *
 * Not for SIGTERM stages: a graceful stop must let the agent handle SIGTERM.
 */
import { performance } from 'node:perf_hooks';
import { Newcomers } from './newcomers';
import { identityKey, isLiveAs, type MarkerMemo, type ProcEntry, type ProcessReader, type ProcessTable } from './process-table';
import { signalGroup, signalProcess, type SignalName } from './signals';
import type { SnapshotCache } from './snapshot-cache';
import { markEnded, membersIn, track, type StopTarget, type TrackedSet } from './stop-members';

export interface FreezeRun {
  target: StopTarget;
  /** Every member found so far; members found here are added, and those seen gone marked ended by `kill`. */
  tracked: TrackedSet;
  reader: ProcessReader;
  snapshots: SnapshotCache;
  /** Marker reads by identity, for the length of this stop. */
  memo: MarkerMemo;
}

/** Looks in a row that must find nothing new before the kill. */
const QUIET_LOOKS = 2;
/** After the deadline, how long the last SIGKILLs get to land before the stage gives up. */
const SETTLE_MS = 100;
const PAUSE_MAX_MS = 20;

/**
 * Freezes and kills until no member lives or `deadline` (a `performance.now()` reading) passes.
 * `baseline` is the full scan the members in `run.tracked` were found in. Returns a `performance.now()`
 * reading such that any snapshot started after it shows what the stage left.
 */
export function freezeAndKill(run: FreezeRun, baseline: ProcessTable, deadline: number): Promise<number> {
  return new Freeze(run, baseline, deadline).untilClear();
}

/** What one look saw: every member alive (frozen by then) and those it found first; or, when none lives, since when. */
type Look = { live: ProcEntry[]; discovered: ProcEntry[] } | { clearSince: number };

class Freeze {
  private readonly frozen = new Set<string>();
  private readonly newcomers: Newcomers;
  private readonly guard: Guard;
  /** Looks read the members and the newcomers, not every process (a root-only stop has no newcomers to chase). */
  private readonly light: boolean;
  private readonly chasing: boolean;

  constructor(
    private readonly run: FreezeRun,
    baseline: ProcessTable,
    private readonly deadline: number,
  ) {
    this.newcomers = new Newcomers(run.target.agentId, run.reader, run.snapshots, run.memo);
    this.newcomers.sawAll(baseline);
    this.guard = guardOf(run.target, baseline.byPid.get(process.pid));
    const rootOnly = run.target.scope === 'root-only';
    this.light = rootOnly || this.newcomers.enabled;
    this.chasing = !rootOnly && this.newcomers.enabled;
  }

  async untilClear(): Promise<number> {
    let quiet = 0;
    let pauseMs = 0;
    for (;;) {
      const look = await this.look();
      if ('clearSince' in look) return look.clearSince;
      // The tree is still growing while looks find members not tracked before.
      quiet = look.discovered.length === 0 ? quiet + 1 : 0;
      const now = performance.now();
      if (quiet >= QUIET_LOOKS || now >= this.deadline) {
        signalAll(look.live, 'SIGKILL', this.guard);
        quiet = 0;
      }
      if (now >= this.deadline + SETTLE_MS) return performance.now();
      // While the tree grows, look again at once (yielding to the event loop); while it is still, back off.
      pauseMs = look.discovered.length > 0 ? 0 : Math.min(Math.max(pauseMs * 2, 1), PAUSE_MAX_MS);
      await pause(Math.min(pauseMs, Math.max(0, this.deadline + SETTLE_MS - now)));
    }
  }

  private async look(): Promise<Look> {
    const lookAt = performance.now();
    const { live, discovered } = this.light ? { live: await liveMembers(this.run), discovered: [] as ProcEntry[] } : await fullScan(this.run, lookAt);
    this.freeze(live);
    if (this.chasing) {
      const chased = await this.chase(live);
      live.push(...chased);
      discovered.push(...chased);
    }
    if (live.length > 0) return { live, discovered };
    if (!this.light) return { clearSince: lookAt };
    // The light looks say nothing lives: a full scan (which also sees a recycled pid) must agree.
    const confirmAt = performance.now();
    const confirm = await fullScan(this.run, confirmAt);
    this.newcomers.sawAll(confirm.table);
    if (confirm.live.length === 0) return { clearSince: confirmAt };
    this.freeze(confirm.live);
    return confirm;
  }

  /** SIGSTOPs the members not frozen yet, and any frozen one something woke (a SIGCONT from a member not frozen yet). */
  private freeze(live: readonly ProcEntry[]): void {
    const unfrozen = live.filter((entry) => !this.frozen.has(identityKey(entry)) || !isStopped(entry));
    if (unfrozen.length === 0) return;
    signalAll(unfrozen, 'SIGSTOP', this.guard);
    for (const entry of unfrozen) this.frozen.add(identityKey(entry));
  }

  /**
   * Freezes the processes that appeared since the last full scan and are members, pass after pass,
   * until a pass finds none (the storm caught up with). They are tracked from then on.
   */
  private async chase(live: readonly ProcEntry[]): Promise<ProcEntry[]> {
    const memberPids = new Set(live.map((entry) => entry.pid));
    const sessionId = this.run.target.sessionId;
    const session = sessionId !== null && live.some((entry) => entry.sid === sessionId || entry.pgid === sessionId) ? sessionId : null;
    const chased: ProcEntry[] = [];
    for (;;) {
      const found = await this.newcomers.members(memberPids, session);
      if (found.length === 0) return chased;
      this.freeze(found);
      track(this.run.tracked, found);
      chased.push(...found);
      if (performance.now() >= this.deadline) return chased;
    }
  }
}

/** The tracked members still alive, each identity read afresh; the others are marked ended by `kill`. */
async function liveMembers(run: FreezeRun): Promise<ProcEntry[]> {
  const members = [...run.tracked.values()].filter((member) => !member.endedBy);
  const entries = await Promise.all(members.map((member) => run.reader.read(member.identity.pid)));
  const live: ProcEntry[] = [];
  members.forEach((member, i) => {
    const entry = entries[i];
    if (isLiveAs(entry, member.identity)) live.push(entry);
    else member.endedBy = 'kill';
  });
  return live;
}

/** A full scan: the members in a snapshot started after `requestedAt` (never one from before the last signal), and which of them are new. */
async function fullScan(run: FreezeRun, requestedAt: number): Promise<{ table: ProcessTable; live: ProcEntry[]; discovered: ProcEntry[] }> {
  const { target, snapshots, tracked } = run;
  const table = await snapshots.table(requestedAt, target.root ? [target.root.pid] : []);
  const markers = target.scope === 'root-only' ? new Map<number, string>() : await snapshots.agentMarkers(table, run.memo);
  const live = membersIn(table, target, tracked, markers);
  const discovered = track(tracked, live);
  markEnded(tracked, live, 'kill');
  return { table, live, discovered };
}

interface Guard {
  /** Process groups may be signalled (never for a `root-only` stop, which touches one process). */
  groups: boolean;
  /** Corral's own group and session: never signalled, whatever a member's pgid says. */
  own: ReadonlySet<number>;
}

function guardOf(target: StopTarget, self: ProcEntry | undefined): Guard {
  return { groups: target.scope !== 'root-only', own: new Set(self ? [self.pgid, self.sid] : []) };
}

/** Signals each member, then each process group a member (verified just now) belongs to. */
function signalAll(members: readonly ProcEntry[], signal: SignalName, guard: Guard): void {
  const groups = new Set<number>();
  for (const entry of members) {
    signalProcess(entry.pid, signal);
    if (guard.groups && entry.pgid > 1 && !guard.own.has(entry.pgid)) groups.add(entry.pgid);
  }
  for (const group of groups) signalGroup(group, signal);
}

function isStopped(entry: ProcEntry): boolean {
  return entry.stateCode === 'T' || entry.stateCode === 't';
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => (ms <= 0 ? setImmediate(resolve) : setTimeout(resolve, ms)));
}
