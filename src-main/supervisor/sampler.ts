/**
 * The tick (DESIGN.md decision 7): once per interval, every agent's tree, usage
 * read for their members only, each runner given its sample, then one batched
 * `status` event. Ticks never overlap: a caller during a tick shares it.
 *
 * The tick reads only the agents' own processes and takes no snapshot of the
 * machine's: its cost grows with the agents, not with everything else running.
 * An agent with a cgroup is read from it (cgroup/cgroup-tree.ts), one without
 * by following its known members and their children (process/followed-trees.ts).
 * A full snapshot (in a worker thread: process/proc-scan-worker.ts) is taken
 * every FULL_CHECK_MS anyway, which finds what the cgroup path does not look
 * for (session members moved out of the cgroup, a zombie forked by a thread
 * other than its parent's main one); every FOLLOW_CHECK_MS while some agent has
 * no cgroup (what escaped its parent chain), and whenever such an agent's run
 * has no sample yet. A cgroup agent in which nothing ran since its members were
 * last read costs two cgroup files, not its members' (cgroup-tree.ts `QuietTrees`).
 *
 * The files such a tick reads are held open from tick to tick (process/held-files.ts):
 * the cgroups' here, the members' by the reader; each is closed once its cgroup or
 * process is no longer sampled, and all of them at `close()`.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AgentRunner } from './agent/agent-runner';
import { messageOf } from './errors';
import { CgroupFigures, QuietTrees, readCgroupTrees, zombiesOf } from './process/cgroup/cgroup-tree';
import { CpuUsages, type CpuUsageReading } from './process/cgroup/cpu-usage';
import { FOLLOW_CHECK_MS, followSeeds, readWithFollowed } from './process/followed-trees';
import { HeldFiles } from './process/held-files';
import { collectTree, type ProcEntry, type ProcessIdentity, type ProcessReader, type ProcessTable, type TreeAnchor } from './process/process-table';
import type { SnapshotCache } from './process/snapshot-cache';
import { summariseTree } from './process/tree-sample';
import { nudgeZombieParents } from './process/zombies';
import type { ProcessInfo } from './types';

/** How often a tick of cgroup agents takes a full snapshot anyway (see above). */
export const FULL_CHECK_MS = 30_000;

export interface SamplerOptions {
  reader: ProcessReader;
  snapshots: SnapshotCache;
  intervalMs: number;
  /** Every agent the engine holds. */
  runners: () => Iterable<AgentRunner>;
  /** First thing in every tick, with the runners about to be sampled. */
  beforeTick: (sampled: AgentRunner[]) => void;
  /** Last thing in every tick: the one batched status event. */
  afterTick: () => void;
  onError: (message: string) => void;
}

/** One agent's tree in one snapshot. */
export interface SampledTree {
  runner: AgentRunner;
  anchor: TreeAnchor;
  members: ProcEntry[];
  /** This tick's reading of its cgroup's `cpu.stat`, where the tree was read from the cgroup. */
  cpuUsage?: CpuUsageReading | null;
  /** Nothing in it ran since its members were last read (`QuietTrees`). */
  quiet?: boolean;
}

export class Sampler {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private closed = false;
  private lastFullAtMs = -Infinity;
  /** The sampled cgroups' files (`cgroup.procs`, `cpu.stat`, pressure), owned by each cgroup's folder. */
  private readonly cgroupFiles = new HeldFiles();
  private readonly figures = new CgroupFigures(this.cgroupFiles);
  /** The cgroup agents whose members need no reading this tick (nothing in their trees ran or changed). */
  private readonly quiet = new QuietTrees();
  private readonly usages = new CpuUsages(this.cgroupFiles);
  /** Whether the reader holds files from a `readTrees` call that a later tick has not let go of. */
  private readerHoldsTrees = false;
  /** Per agent, the zombies of its last sample: no cgroup lists them, so they are looked for by identity. */
  private readonly zombies = new WeakMap<AgentRunner, ProcessIdentity[]>();

  constructor(private readonly options: SamplerOptions) {}

  /** Starts the periodic tick; `close()` stops it. */
  start(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.sampleNow()
        .catch((error: unknown) => this.options.onError(`Sampling failed: ${messageOf(error)}`))
        .finally(() => this.start());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Takes one sample now, or shares the tick under way. */
  sampleNow(): Promise<void> {
    this.ticking ??= this.tick().finally(() => (this.ticking = null));
    return this.ticking;
  }

  /** A live agent's figures are fresh for one interval (at most half a second), then a status call samples anew. */
  isStale(runner: AgentRunner): boolean {
    if (!runner.isLive) return false;
    const latest = runner.record.latest;
    return latest === null || Date.now() - latest.at > Math.min(this.options.intervalMs, 500);
  }

  /** Agents whose trees are worth a look: live ones, and ended ones with descendants still about (seen before, or in their cgroup). */
  sampledRunners(): AgentRunner[] {
    return [...this.options.runners()].filter((runner) => runner.isLive || runner.record.knownMembers.length > 0 || runner.record.cgroup?.populated() === true);
  }

  /** One snapshot (shared with any taken since `performance.now()`), and each runner's tree in it. */
  async trees(runners: AgentRunner[]): Promise<{ table: ProcessTable; trees: SampledTree[] }> {
    const hint = runners.flatMap((runner) => (runner.record.pid === null ? [] : [runner.record.pid]));
    const table = await this.options.snapshots.table(performance.now(), hint);
    const trees = runners.map((runner) => {
      const anchor = runner.anchor();
      return { runner, anchor, members: collectTree(table, anchor) };
    });
    return { table, trees };
  }

  /** The runner's processes as last sampled, root first, with their command lines. */
  async processesOf(runner: AgentRunner): Promise<ProcessInfo[]> {
    const processes = runner.record.latest?.processes ?? [];
    const commands = await this.options.reader.commandLines(processes.map((process) => process.pid));
    return processes.map((process) => ({ ...process, command: commands.get(process.pid) ?? null }));
  }

  /** Nudges the parents of zombie descendants (process/zombies.ts) in one fresh snapshot of every sampled tree. */
  async nudgeZombieParents(): Promise<{ actedOn: string[]; remaining: Map<string, string[]> }> {
    const runners = this.sampledRunners();
    if (runners.length === 0) return { actedOn: [], remaining: new Map() };
    const { table, trees } = await this.trees(runners);
    return nudgeZombieParents(table, trees.map(({ runner, members }) => ({ agentId: runner.agentId, members })), this.options.reader);
  }

  /** Stops the tick; resolves once a tick under way has finished. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
    this.cgroupFiles.close(); // the reader's own go with `reader.close()`
  }

  private async tick(): Promise<void> {
    const runners = this.sampledRunners();
    this.options.beforeTick(runners);
    const sampledCgroups = new Set<string>();
    if (runners.length === 0 && this.readerHoldsTrees) await this.releaseTrees();
    if (runners.length > 0) {
      const { table, trees } = await this.treesForTick(runners);
      const usage = await this.options.reader.usage(table, trees.flatMap(({ members }) => members.map((entry) => entry.pid)));
      for (const { runner, anchor, members, cpuUsage, quiet } of trees) {
        const sample = { ...summariseTree(table, anchor, members, usage), quiet };
        this.zombies.set(runner, zombiesOf(members));
        // An emptied one is not sampled next tick; the parent's cpu.stat is read with its children's (cpu-usage.ts).
        if (anchor.cgroup && members.length > 0) sampledCgroups.add(anchor.cgroup.dir).add(path.dirname(anchor.cgroup.dir));
        runner.observe(anchor.cgroup ? this.figures.apply(sample, anchor.cgroup, cpuUsage) : sample);
      }
    }
    this.cgroupFiles.keepOnly(sampledCgroups);
    this.options.afterTick();
  }

  /**
   * Each runner's tree: read from its cgroup, or followed from its known members where it has none,
   * when the reader can; from a full snapshot where it cannot, and at the checks (see above).
   */
  private async treesForTick(runners: AgentRunner[]): Promise<{ table: ProcessTable; trees: SampledTree[] }> {
    const readTrees = this.options.reader.readTrees?.bind(this.options.reader);
    const nowMs = performance.now();
    const anchors = runners.map((runner) => runner.anchor());
    const contained = runners.flatMap((_, i) => (anchors[i]!.cgroup ? [i] : []));
    const followed = runners.flatMap((_, i) => (anchors[i]!.cgroup ? [] : [i]));
    const checkMs = followed.length > 0 ? FOLLOW_CHECK_MS : FULL_CHECK_MS;
    const unsampled = followed.some((i) => runners[i]!.record.latest === null);
    if (!readTrees || nowMs - this.lastFullAtMs >= checkMs || unsampled) {
      this.lastFullAtMs = nowMs;
      return this.trees(runners);
    }
    this.readerHoldsTrees = true;
    const zombies = (i: number) => this.zombies.get(runners[i]!) ?? [];
    const targets = contained.map((i) => ({ anchor: anchors[i]!, cgroup: anchors[i]!.cgroup!, zombies: zombies(i) }));
    const seeds = followed.map((i) => followSeeds(anchors[i]!, zombies(i)));
    const read = await readWithFollowed(readTrees, seeds, (reader) => readCgroupTrees(reader, targets, this.cgroupFiles, this.quiet, this.usages));
    const trees: SampledTree[] = [];
    contained.forEach((i, at) => (trees[i] = { runner: runners[i]!, anchor: anchors[i]!, members: read.members[at]!, cpuUsage: read.usage[at] ?? null, quiet: read.quiet[at] }));
    followed.forEach((i, at) => (trees[i] = { runner: runners[i]!, anchor: anchors[i]!, members: read.followed[at]! }));
    return { table: read.table, trees };
  }

  /** Lets the reader close the files it held for the trees (a `readTrees` of none keeps none). */
  private async releaseTrees(): Promise<void> {
    this.readerHoldsTrees = false;
    await this.options.reader.readTrees?.([]);
  }
}
