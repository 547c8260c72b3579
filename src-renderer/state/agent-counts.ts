/** Counts the header and the App's confirmations share, read from one snapshot. */
import type { AgentView } from '../../src-preload/contract';
import { isActive } from './agent-state';
import type { CorralSnapshot } from './corral-store';

/** Agents Stop all acts on: live ones, and those waiting to restart (Stop all cancels their restart). */
export function liveCountOf(snapshot: Pick<CorralSnapshot, 'agents' | 'summary'>): number {
  const summary = snapshot.summary;
  if (summary !== null) return summary.byState.spawning + summary.byState.running + summary.byState.paused + summary.byState.stopping + summary.byState.backoff;
  let count = 0;
  for (const agent of snapshot.agents.values()) if (isActive(agent.state)) count += 1;
  return count;
}

/** Agents that have ended for good (what Clear finished removes). */
export function finishedIdsOf(agents: ReadonlyMap<string, AgentView>): string[] {
  const ids: string[] = [];
  for (const agent of agents.values()) if (!isActive(agent.state)) ids.push(agent.agentId);
  return ids;
}

export const selectLiveCount = (snapshot: CorralSnapshot): number => liveCountOf(snapshot);
export const selectFinishedCount = (snapshot: CorralSnapshot): number => {
  let count = 0;
  for (const agent of snapshot.agents.values()) if (!isActive(agent.state)) count += 1;
  return count;
};
