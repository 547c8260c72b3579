/**
 * An opened agent's chart points: getAgentHistory once, then one point per
 * status tick while the agent is live (ticks that land before the history
 * answer are kept and merged, so none is lost or doubled).
 */
import { useEffect, useState } from 'react';
import type { CorralApi } from '../../src-preload/contract';
import { isLive } from '../state/agent-state';
import { settle } from '../state/call-result';
import type { CorralStore } from '../state/corral-store';
import { appendPoint, fromHistory, mergeHistory, type ChartPoint } from './history-series';

export function useAgentHistory(api: CorralApi, store: CorralStore, agentId: string): { points: readonly ChartPoint[]; error: string | null } {
  const [points, setPoints] = useState<readonly ChartPoint[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    let loaded = false;
    const pending: ChartPoint[] = [];
    setPoints([]);
    setError(null);

    const unsubscribe = store.onTick((event) => {
      // From the store, not the event: an event leaves out agents whose view did not change, and they still get a point.
      const agent = store.getSnapshot().agents.get(agentId);
      if (agent === undefined || !isLive(agent.state)) return;
      const parsed = Date.parse(event.at);
      const point: ChartPoint = { at: Number.isNaN(parsed) ? Date.now() : parsed, cpu: agent.treeCpuPercent, memory: agent.treeMemoryMb };
      if (loaded) setPoints((previous) => appendPoint(previous, point));
      else pending.push(point);
    });

    void settle(() => api.getAgentHistory({ agentId })).then((result) => {
      if (!active) return;
      loaded = true;
      if (result.ok) setPoints(mergeHistory(fromHistory(result.value), pending));
      else {
        setError(result.message);
        setPoints(mergeHistory([], pending));
      }
    });

    return () => {
      active = false;
      unsubscribe();
    };
  }, [api, store, agentId]);

  return { points, error };
}
