/**
 * The orphan sweep: processes this Corral started (they carry CORRAL_AGENT_ID,
 * and CORRAL_STATUS_FILE under our data dir) that no live agent accounts for —
 * an agent id we do not know (state.json lost), an agent that has ended, or a
 * process started before its agent's current run (a daemon of an earlier run).
 *
 * Why a sweep and not a per-tick check: reading every process's environment
 * costs ~30 µs per process, far too much for every status tick, so the sweep
 * runs on its own slower cadence (and on demand) and the status carries the
 * last count. Linux only (environments are read from /proc); elsewhere the
 * reader finds no markers and the sweep finds nothing.
 *
 * Stopping uses the same staged policy as agents (`terminate.ts`), one target
 * per listed process with exactly that identity: a process is signalled only
 * if a fresh sweep still lists it (marker, our data dir, not a live agent's)
 * and its pid + start time match before every signal.
 */
import { performance } from 'node:perf_hooks';
import type { OrphanStopView, OrphanView } from '../../../src-preload/contract';
import { messageOf } from '../errors';
import {
  collectTree,
  findIdentity,
  identityKey,
  isDeadState,
  type ProcEntry,
  type ProcessIdentity,
  type ProcessReader,
  type ProcessTable,
  type TreeAnchor,
} from './process-table';
import type { SnapshotCache } from './snapshot-cache';
import { terminateTree } from './terminate';
import type { StopTimeouts } from '../types';

/** One process of ours that no live agent accounts for: the contract's view, which the UI sees unchanged. */
export type OrphanProcess = OrphanView;

/** What `stopOrphans` did: the contract's view, which the UI sees unchanged. */
export type OrphanStopReport = OrphanStopView;

/** A live agent as the sweep needs to see it. */
export interface LiveAgentRef {
  agentId: string;
  anchor: TreeAnchor;
  /** Epoch ms the engine recorded for its start; a fallback when the root cannot be read. */
  startedAtMs: number | null;
  /** Mid-spawn: its pid is not known yet, so every process with its id is its own. */
  spawning: boolean;
}

export interface OrphanSweepOptions {
  dataDir: string;
  reader: ProcessReader;
  snapshots: SnapshotCache;
  /** The agents whose processes are not orphans, read at each sweep. */
  liveAgents: () => LiveAgentRef[];
  /** Period of the background sweep. */
  intervalMs: number;
  onError: (message: string) => void;
}

/** How far before its agent's root a process may appear to start and still be that run's (clock resolution). */
const START_SLACK_MS = 50;

export class OrphanSweeper {
  private lastCount = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private closed = false;

  constructor(private readonly options: OrphanSweepOptions) {}

  /** Orphans found by the last sweep. */
  get count(): number {
    return this.lastCount;
  }

  /** Sweeps now and then every `intervalMs`; returns the function that stops it. */
  start(): () => void {
    const loop = () => {
      if (this.closed) return;
      this.track(this.find())
        .catch((error: unknown) => this.options.onError(`Orphan sweep failed: ${messageOf(error)}`))
        .finally(() => {
          if (this.closed) return;
          this.timer = setTimeout(loop, this.options.intervalMs);
          this.timer.unref();
        });
    };
    loop();
    return () => this.stopTimer();
  }

  /** Sweeps now. */
  async find(): Promise<OrphanProcess[]> {
    const { orphans } = await this.scan();
    this.lastCount = orphans.length;
    const commands = await this.options.reader.commandLines(orphans.map(({ entry }) => entry.pid));
    return orphans.map(({ entry, agentId }) => ({
      pid: entry.pid,
      startTime: entry.startTime,
      agentId,
      name: entry.name,
      command: commands.get(entry.pid) ?? null,
      ppid: entry.ppid,
      startedAt: entry.startedAtMs === null ? null : new Date(entry.startedAtMs).toISOString(),
    }));
  }

  /** Stops the listed orphans in parallel with the staged policy; anything else in the list is refused. */
  async stop(identities: readonly ProcessIdentity[], options: { force: boolean; timeouts: StopTimeouts }): Promise<OrphanStopReport> {
    const report: OrphanStopReport = { stopped: 0, alreadyEnded: 0, survivors: [], refused: [] };
    const requestedAt = performance.now();
    const { table, orphans } = await this.scan(requestedAt);
    const listed = new Map(orphans.map((orphan) => [identityKey(orphan.entry), orphan]));
    const targets: { identity: ProcessIdentity; agentId: string }[] = [];
    const seen = new Set<string>();
    for (const identity of identities) {
      const key = identityKey(identity);
      if (seen.has(key)) continue;
      seen.add(key);
      const orphan = listed.get(key);
      if (orphan) {
        targets.push({ identity: { pid: identity.pid, startTime: identity.startTime }, agentId: orphan.agentId });
        continue;
      }
      const entry = table.byPid.get(identity.pid);
      if (!entry || isDeadState(entry.stateCode)) report.alreadyEnded++;
      else if (entry.startTime !== identity.startTime) report.refused.push({ pid: identity.pid, reason: 'recycled' });
      else report.refused.push({ pid: identity.pid, reason: 'not-an-orphan' });
    }
    const stops = targets.map(({ identity, agentId }) =>
      terminateTree(
        { agentId, root: identity, sessionId: null, knownMembers: [], scope: 'root-only' },
        { force: options.force, timeouts: options.timeouts, reader: this.options.reader, snapshots: this.options.snapshots, requestedAt },
      ),
    );
    for (const stopped of await this.track(Promise.all(stops))) {
      if (stopped.outcome === 'stopped') report.stopped++;
      else if (stopped.outcome === 'already-ended') report.alreadyEnded++;
      else report.survivors.push(...stopped.survivors);
    }
    // The count the status shows follows at once, not at the next sweep.
    if (!this.closed) await this.track(this.find()).catch(() => undefined);
    return report;
  }

  /** Stops the background sweep and waits for the one in progress. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopTimer();
    await this.running?.catch(() => undefined);
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Remembers the latest piece of work, so `close` can wait for it. */
  private track<T>(work: Promise<T>): Promise<T> {
    this.running = work;
    return work;
  }

  private async scan(requestedAt = performance.now()): Promise<{ table: ProcessTable; orphans: { entry: ProcEntry; agentId: string }[] }> {
    const { snapshots } = this.options;
    const table = await snapshots.table(requestedAt);
    // Markers are already only ours (status file under our data dir); empty where environments cannot be read.
    const markers = await snapshots.agentMarkers(table);
    const orphans: { entry: ProcEntry; agentId: string }[] = [];
    if (markers.size === 0) return { table, orphans };

    const live = this.options.liveAgents();
    const liveById = new Map(live.map((agent) => [agent.agentId, agent]));
    const inLiveTree = new Set<number>();
    for (const agent of live) for (const entry of collectTree(table, agent.anchor)) inLiveTree.add(entry.pid);

    for (const [pid, agentId] of markers) {
      if (inLiveTree.has(pid)) continue;
      const entry = table.byPid.get(pid);
      if (!entry || isDeadState(entry.stateCode)) continue;
      const owner = liveById.get(agentId);
      if (owner && belongsToCurrentRun(entry, owner, table)) continue;
      orphans.push({ entry, agentId });
    }
    orphans.sort((a, b) => a.agentId.localeCompare(b.agentId) || a.entry.pid - b.entry.pid);
    return { table, orphans };
  }
}

/**
 * A marked process outside a live agent's tree still belongs to it when it was
 * started during the agent's current run (a double-forked daemon: the agent's
 * stop finds it by the marker). One started before the run began is a leftover
 * of an earlier run with the same id.
 */
function belongsToCurrentRun(entry: ProcEntry, owner: LiveAgentRef, table: ProcessTable): boolean {
  if (owner.spawning) return true;
  const root = owner.anchor.root ? findIdentity(table, owner.anchor.root) : null;
  const runStart = root?.startedAtMs ?? (owner.startedAtMs === null ? null : owner.startedAtMs - 1000);
  if (runStart === null || entry.startedAtMs === null) return true; // cannot tell: the live agent keeps it
  return entry.startedAtMs >= runStart - START_SLACK_MS;
}

