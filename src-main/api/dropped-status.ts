/**
 * What the status events dropped for a slow client said, carried by the next one it is sent. Each
 * event holds only the agents that changed (and those removed), so a dropped one would otherwise be
 * lost for good: an agent that ended during the drop would look live until it changed again. Bounded
 * by the number of agents: each keeps its latest view only.
 */
import type { AgentView, StatusEventView } from '../../src-preload/contract';

export class DroppedStatus {
  private readonly agents = new Map<string, AgentView>();
  private readonly removed = new Set<string>();

  /** Keeps what `event` said, for the next event sent. */
  drop(event: StatusEventView): void {
    for (const id of event.removed) {
      this.agents.delete(id);
      this.removed.add(id);
    }
    for (const [id, view] of Object.entries(event.agents)) this.agents.set(id, view);
  }

  /** `event` with what was dropped before it (its own views and removals win); empties the backlog. */
  before(event: StatusEventView): StatusEventView {
    if (this.agents.size === 0 && this.removed.size === 0) return event;
    const agents: Record<string, AgentView> = Object.fromEntries(this.agents);
    for (const id of event.removed) delete agents[id];
    const merged = { ...event, agents: Object.assign(agents, event.agents), removed: [...new Set([...this.removed, ...event.removed])] };
    this.agents.clear();
    this.removed.clear();
    return merged;
  }
}
