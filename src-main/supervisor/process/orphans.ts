/**
 * The orphan sweep: processes this Corral started (they carry CORRAL_AGENT_ID,
 * and CORRAL_STATUS_FILE under our data dir) that no live agent accounts for —
 * an agent id we do not know (state.json lost), an agent that has ended, or a
 * process started before its agent's current run (a daemon of an earlier run).
 *
 * With kernel containment an agent's processes cannot leave its cgroup, so
 * those of an agent that is not live (ended, removed, unknown) are found by the
 * cgroups under the data folder's base cgroup (`cgroup/containment.ts`), at the
 * cost of a directory listing, with no environment read: that is the
 * background sweep. Processes outside any cgroup are found only by their marker
 * (an agent the process-group tracker followed, one of a Corral from before
 * containment), and that takes reading every process's environment (~30 µs
 * each, the whole machine): the full sweep, on demand and as a periodic check
 * (`ENVIRONMENT_SWEEP_MS`), every time while an agent lives outside a cgroup.
 * The status carries the last count. Markers are Linux only (environments are
 * read from /proc); elsewhere the reader finds none.
 *
 * Stopping uses the same staged policy as agents (`terminate.ts`), one target
 * per listed process with exactly that identity: a process is signalled only
 * if a fresh sweep still lists it (in the cgroup of an agent that is not live, or
 * carrying the marker of our data dir outside a live agent's tree)
 * and its pid + start time match before every signal.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { OrphanStopView, OrphanView } from '../../../src-preload/contract';
import { messageOf } from '../errors';
import { AgentCgroup } from './cgroup/agent-cgroup';
import type { Containment } from './cgroup/containment';
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
  /** Kernel containment, whose cgroups the background sweep reads instead of environments; null: none. */
  containment?: Pick<Containment, 'agentCgroups'> | null;
  /** Period of the full sweep while every live agent has a cgroup (ENVIRONMENT_SWEEP_MS by default). */
  environmentSweepMs?: number;
  onError: (message: string) => void;
}

/**
 * While every live agent is in a cgroup, a process found only by its marker can only be a leftover (of a
 * process-group-tracked agent, of a Corral before containment, of a crash that lost state.json), and it
 * stays where it is: a check a minute finds it soon enough, where reading every environment on the
 * machine every 10 s cost more with every process on it, agents or not.
 */
export const ENVIRONMENT_SWEEP_MS = 60_000;

/** How far before its agent's root a process may appear to start and still be that run's (clock resolution). */
const START_SLACK_MS = 50;

/** Nested cgroups an agent may make in its own that are looked into: a bound, not a limit anyone meets. */
const MAX_CGROUP_DEPTH = 8;

/** What the sweeper did since it was made: every sweep, the full ones, and how many environments those read. */
export interface OrphanSweepStats {
  sweeps: number;
  environmentSweeps: number;
  environmentsRead: number;
}

interface Orphan {
  entry: ProcEntry;
  agentId: string;
}

export class OrphanSweeper {
  readonly stats: OrphanSweepStats = { sweeps: 0, environmentSweeps: 0, environmentsRead: 0 };
  private lastCount = 0;
  /** Orphans the last full sweep found by marker alone, followed by pid + start time between full sweeps. */
  private markerOrphans: Orphan[] = [];
  private nextEnvironmentSweepAt = 0;
  /** An agent lived outside a cgroup at the last sweep: the next one is full, to find what it left as it ended. */
  private wasUncontained = false;
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
      this.track(this.sweep())
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

  /**
   * The background sweep: the cgroups (and the marker orphans last found, by pid + start time), or the
   * full sweep when it is due: the first, every `environmentSweepMs`, always without containment, and
   * while an agent lives outside a cgroup (and once after, for what it left). Returns the count.
   */
  async sweep(): Promise<number> {
    this.stats.sweeps++;
    const live = this.options.liveAgents();
    // Without containment every agent lives outside a cgroup, however short its life. Mid-spawn, an agent has no cgroup yet.
    const isUncontained = !this.options.containment || live.some((agent) => !agent.anchor.cgroup && !agent.spawning);
    const isDue = this.wasUncontained || isUncontained || Date.now() >= this.nextEnvironmentSweepAt;
    this.wasUncontained = isUncontained;
    if (isDue) return (await this.scan()).orphans.length;
    const orphans = await this.cgroupOrphans(new Set(live.map((agent) => agent.agentId)), null);
    const found = new Set(orphans.map(({ entry }) => entry.pid));
    for (const earlier of this.markerOrphans) {
      const entry = found.has(earlier.entry.pid) ? null : await this.options.reader.read(earlier.entry.pid);
      if (entry && entry.startTime === earlier.entry.startTime && !isDeadState(entry.stateCode)) orphans.push({ entry, agentId: earlier.agentId });
    }
    this.lastCount = orphans.length;
    return orphans.length;
  }

  /** Sweeps now, in full. */
  async find(): Promise<OrphanProcess[]> {
    const { orphans } = await this.scan();
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

  /** The full sweep: cgroups and every process's marker. Sets the count. */
  private async scan(requestedAt = performance.now()): Promise<{ table: ProcessTable; orphans: Orphan[] }> {
    const { snapshots } = this.options;
    this.nextEnvironmentSweepAt = Date.now() + (this.options.environmentSweepMs ?? ENVIRONMENT_SWEEP_MS);
    const table = await snapshots.table(requestedAt);
    const live = this.options.liveAgents();
    const liveById = new Map(live.map((agent) => [agent.agentId, agent]));
    let byCgroup = await this.cgroupOrphans(new Set(liveById.keys()), table);
    // Markers are already only ours (status file under our data dir); empty where environments cannot be read.
    const markers = await snapshots.agentMarkers(table);
    this.stats.environmentSweeps++;
    this.stats.environmentsRead += table.byPid.size;
    const byMarker: Orphan[] = [];
    if (markers.size > 0 || byCgroup.length > 0) {
      const inLiveTree = new Set<number>();
      for (const agent of live) for (const entry of collectTree(table, agent.anchor)) inLiveTree.add(entry.pid);
      const claimed = new Set(byCgroup.map(({ entry }) => entry.pid));
      for (const [pid, agentId] of markers) {
        if (inLiveTree.has(pid) || claimed.has(pid)) continue;
        const entry = table.byPid.get(pid);
        if (!entry || isDeadState(entry.stateCode)) continue;
        const owner = liveById.get(agentId);
        if (owner && belongsToCurrentRun(entry, owner, table)) continue;
        byMarker.push({ entry, agentId });
      }
      byCgroup = byCgroup.filter(({ entry }) => !inLiveTree.has(entry.pid));
    }
    this.markerOrphans = byMarker;
    const orphans = [...byCgroup, ...byMarker].sort((a, b) => a.agentId.localeCompare(b.agentId) || a.entry.pid - b.entry.pid);
    this.lastCount = orphans.length;
    return { table, orphans };
  }

  /** Processes in the cgroup of an agent that is not live (ended, removed, unknown), with no environment read. */
  private async cgroupOrphans(live: ReadonlySet<string>, table: ProcessTable | null): Promise<Orphan[]> {
    const orphans: Orphan[] = [];
    for (const [agentId, cgroup] of this.options.containment?.agentCgroups() ?? []) {
      if (live.has(agentId) || !cgroup.populated()) continue;
      for (const pid of subtreePids(cgroup, MAX_CGROUP_DEPTH)) {
        if (pid === process.pid) continue; // mid-spawn, for an instant (containment.ts)
        const entry = table?.byPid.get(pid) ?? (await this.options.reader.read(pid));
        if (entry && !isDeadState(entry.stateCode)) orphans.push({ entry, agentId });
      }
    }
    return orphans;
  }
}

/** The pids in `cgroup` and in the cgroups an agent made inside it, `depth` levels down. */
function subtreePids(cgroup: AgentCgroup, depth: number): number[] {
  const pids = cgroup.pids();
  if (depth === 0) return pids;
  let names: string[] = [];
  try {
    names = readdirSync(cgroup.dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    // Gone meanwhile: its processes ended.
  }
  for (const name of names) pids.push(...subtreePids(new AgentCgroup(path.join(cgroup.dir, name)), depth - 1));
  return pids;
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

