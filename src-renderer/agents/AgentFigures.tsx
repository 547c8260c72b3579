/**
 * A row's figures that move on every tick: runtime, CPU and memory with their
 * sparklines. They read the store themselves, so a tick renders these three
 * cells of each row in view and nothing else of it: the row around them
 * (memoised in AgentRow.tsx) renders only when a name, state or badge changes.
 */
import { memo, useCallback, useSyncExternalStore } from 'react';
import { Sparkline } from '../charts/Sparkline';
import { formatCpu, formatMemory, formatRuntime } from '../format/format';
import { isLive } from '../state/agent-state';
import type { CorralStore } from '../state/corral-store';

interface AgentFiguresProps {
  store: CorralStore;
  agentId: string;
}

function AgentFiguresImpl({ store, agentId }: AgentFiguresProps) {
  // The agent's view is replaced on every tick it is in, so this renders once per tick (and only this).
  const read = useCallback(() => store.getSnapshot().agents.get(agentId), [store, agentId]);
  const agent = useSyncExternalStore(store.subscribe, read, read);
  const samples = store.samplesOf(agentId);
  const version = samples?.cpu.version ?? 0;
  const live = agent !== undefined && isLive(agent.state);
  return (
    <>
      <div className="cell cell-runtime num">{agent === undefined ? '' : formatRuntime(agent.runtimeSeconds)}</div>
      <div className="cell cell-metric">
        {live && <Sparkline ring={samples?.cpu} version={version} floor={25} className="spark-cpu" />}
        <span className="num">{live ? formatCpu(agent.treeCpuPercent) : '—'}</span>
      </div>
      <div className="cell cell-metric">
        {live && <Sparkline ring={samples?.memory} version={version} floor={16} className="spark-memory" />}
        <span className="num">{live ? formatMemory(agent.treeMemoryMb) : '—'}</span>
      </div>
    </>
  );
}

export const AgentFigures = memo(AgentFiguresImpl);
