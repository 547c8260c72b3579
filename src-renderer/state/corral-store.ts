/**
 * The renderer's one copy of what the host reports: every agent's view, the
 * totals, and short sample histories for sparklines and the header chart.
 *
 * A plain external store (no React inside), read with useSyncExternalStore
 * through slices (use-store-slice.ts), so a status tick costs: a Map copy only
 * when an agent changed, one ring push per live agent, one listener call.
 * Histories live in rings that are mutated in place; readers use each ring's
 * `contentVersion` to know it moved. The snapshot object is replaced on every
 * change, the agent objects inside are the ones the events carried.
 */
import type { AgentView, StatusEventView, SummaryView } from '../../src-preload/contract';
import { isLive } from './agent-state';
import { RingBuffer } from './ring-buffer';

/**
 * Samples kept per agent for the list sparklines (one per pixel of their 48 px:
 * more only costs string building and SVG parsing on every tick), and for the
 * header chart.
 */
export const SPARKLINE_SAMPLES = 48;
export const TOTALS_SAMPLES = 120;

export interface AgentSamples {
  cpu: RingBuffer;
  memory: RingBuffer;
}

export interface TotalsSamples {
  at: RingBuffer;
  cpu: RingBuffer;
  memory: RingBuffer;
}

export interface CorralSnapshot {
  /** False until the first list (initial load or first status event) arrived. */
  loaded: boolean;
  agents: ReadonlyMap<string, AgentView>;
  summary: SummaryView | null;
  /** Bumped on every change; cheap dependency for memos. */
  version: number;
  /** Epoch ms of the last status event, or null. */
  lastTickAt: number | null;
}

type Listener = () => void;
type TickListener = (event: StatusEventView) => void;

export class CorralStore {
  private snapshot: CorralSnapshot = { loaded: false, agents: new Map(), summary: null, version: 0, lastTickAt: null };
  private readonly listeners = new Set<Listener>();
  private readonly tickListeners = new Set<TickListener>();
  private readonly samples = new Map<string, AgentSamples>();
  readonly totals: TotalsSamples = {
    at: new RingBuffer(TOTALS_SAMPLES),
    cpu: new RingBuffer(TOTALS_SAMPLES),
    memory: new RingBuffer(TOTALS_SAMPLES),
  };
  /** Ids removed during this session: a late initial answer must not bring them back. */
  private readonly removed = new Set<string>();
  private hasStatus = false;

  constructor(private readonly sampleCapacity = SPARKLINE_SAMPLES) {}

  getSnapshot = (): CorralSnapshot => this.snapshot;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Called after each status event is applied (the detail view appends its history from it). */
  onTick(listener: TickListener): () => void {
    this.tickListeners.add(listener);
    return () => this.tickListeners.delete(listener);
  }

  samplesOf(agentId: string): AgentSamples | undefined {
    return this.samples.get(agentId);
  }

  /**
   * The answer to the initial monitorAllAgents + getProcessSummary. Ignored
   * when a status event already arrived: that event is newer.
   */
  applyInitial(agents: Record<string, AgentView>, summary: SummaryView | null): void {
    if (this.hasStatus) return;
    const map = new Map<string, AgentView>();
    for (const [id, agent] of Object.entries(agents)) if (!this.removed.has(id)) map.set(id, agent);
    this.commit({ loaded: true, agents: map, summary, lastTickAt: this.snapshot.lastTickAt });
  }

  /**
   * Applies one status tick. The event carries only the agents whose view
   * changed since the previous one (the first carries all; a full event is the
   * same case): each replaces its previous view, the others keep theirs (same
   * object, so memoised readers skip), and the agents map itself is kept when
   * nothing was added, replaced or removed.
   */
  applyStatus(event: StatusEventView): void {
    this.hasStatus = true;
    let map = this.snapshot.agents as Map<string, AgentView>;
    const copy = () => (map === this.snapshot.agents ? (map = new Map(map)) : map);
    for (const id of event.removed) {
      if (map.has(id)) copy().delete(id);
      this.samples.delete(id);
      this.removed.add(id);
    }
    for (const id in event.agents) {
      copy().set(id, event.agents[id]!);
      this.removed.delete(id); // an id may be reused after removal
    }
    // Every live agent's sparkline gets this tick's sample, the ones left out
    // of the event their last figures again, so lines keep moving in time.
    // Only live agents move theirs: an ended row then stays equal between
    // ticks and its memoised row skips rendering.
    for (const [id, agent] of map) {
      if (!isLive(agent.state)) continue;
      let samples = this.samples.get(id);
      if (samples === undefined) {
        samples = { cpu: new RingBuffer(this.sampleCapacity), memory: new RingBuffer(this.sampleCapacity) };
        this.samples.set(id, samples);
      }
      samples.cpu.push(agent.treeCpuPercent);
      samples.memory.push(agent.treeMemoryMb);
    }
    const at = Date.parse(event.at);
    const atMs = Number.isNaN(at) ? Date.now() : at;
    this.totals.at.push(atMs);
    this.totals.cpu.push(event.summary.totalCpuPercent);
    this.totals.memory.push(event.summary.totalMemoryMb);
    this.commit({ loaded: true, agents: map, summary: event.summary, lastTickAt: atMs });
    for (const listener of this.tickListeners) listener(event);
  }

  /** Forgets an agent at once (after removeAgent succeeded) instead of waiting for the next tick. */
  forget(agentId: string): void {
    if (!this.snapshot.agents.has(agentId)) return;
    const map = new Map(this.snapshot.agents);
    map.delete(agentId);
    this.samples.delete(agentId);
    this.removed.add(agentId);
    this.commit({ ...this.snapshot, agents: map });
  }

  /** Puts one agent's fresh view in (e.g. the answer of runAgain, before the next tick). */
  upsert(agent: AgentView): void {
    const map = new Map(this.snapshot.agents);
    map.set(agent.agentId, agent);
    this.removed.delete(agent.agentId);
    this.commit({ ...this.snapshot, loaded: true, agents: map });
  }

  private commit(next: Omit<CorralSnapshot, 'version'>): void {
    this.snapshot = { ...next, version: this.snapshot.version + 1 };
    for (const listener of this.listeners) listener();
  }
}
