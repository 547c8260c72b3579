/**
 * The tick (DESIGN.md decision 7): once per interval, one snapshot of the
 * process table, every agent's tree computed from it, usage read for their
 * members only, each runner given its sample, then one batched `status`
 * event. Ticks never overlap: a caller during a tick shares it.
 */
import { performance } from 'node:perf_hooks';
import type { AgentRunner } from './agent/agent-runner';
import { messageOf } from './errors';
import { collectTree, type ProcEntry, type ProcessReader, type ProcessTable, type TreeAnchor } from './process/process-table';
import type { SnapshotCache } from './process/snapshot-cache';
import { summariseTree } from './process/tree-sample';
import { nudgeZombieParents } from './process/zombies';
import type { ProcessInfo } from './types';

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
}

export class Sampler {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private closed = false;

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
  }

  private async tick(): Promise<void> {
    const runners = this.sampledRunners();
    this.options.beforeTick(runners);
    if (runners.length > 0) {
      const { table, trees } = await this.trees(runners);
      const usage = await this.options.reader.usage(table, trees.flatMap(({ members }) => members.map((entry) => entry.pid)));
      for (const { runner, anchor, members } of trees) runner.observe(summariseTree(table, anchor, members, usage));
    }
    this.options.afterTick();
  }
}
