/**
 * A row's figures that move on every tick: runtime, CPU and memory with their
 * sparklines. They read the store themselves, so a tick renders these three
 * cells of each row in view and nothing else of it: the row around them
 * (memoised in AgentRow.tsx) renders only when a name, state or badge changes.
 * And these render only when what they show moved: the agent's view (left
 * out of a status event when it did not change), a sparkline's samples, or
 * the runtime's shown second (computed from the last tick's time: a quiet
 * agent's own `runtimeSeconds` goes stale).
 */
import { memo, useCallback } from 'react';
import type { AgentView } from '../../src-preload/contract';
import { Sparkline } from '../charts/Sparkline';
import { formatCpu, formatMemory, formatRuntime } from '../format/format';
import { runtimeOf } from '../format/runtime';
import { isLive } from '../state/agent-state';
import type { CorralSnapshot, CorralStore } from '../state/corral-store';
import { useStoreSlice } from '../state/use-store-slice';

interface AgentFiguresProps {
  store: CorralStore;
  agentId: string;
}

interface Figures {
  agent: AgentView | undefined;
  runtime: string;
  cpuVersion: number;
  memoryVersion: number;
}

const sameFigures = (a: Figures, b: Figures) => a.agent === b.agent && a.runtime === b.runtime && a.cpuVersion === b.cpuVersion && a.memoryVersion === b.memoryVersion;

function AgentFiguresImpl({ store, agentId }: AgentFiguresProps) {
  const select = useCallback(
    (snapshot: CorralSnapshot): Figures => {
      const agent = snapshot.agents.get(agentId);
      const samples = store.samplesOf(agentId);
      return {
        agent,
        runtime: agent === undefined ? '' : formatRuntime(runtimeOf(agent, snapshot.lastTickAt)),
        cpuVersion: samples?.cpu.contentVersion ?? 0,
        memoryVersion: samples?.memory.contentVersion ?? 0,
      };
    },
    [store, agentId],
  );
  const { agent, runtime, cpuVersion, memoryVersion } = useStoreSlice(store, select, sameFigures);
  const samples = store.samplesOf(agentId);
  const live = agent !== undefined && isLive(agent.state);
  return (
    <>
      <div className="cell cell-runtime num">{runtime}</div>
      <div className="cell cell-metric">
        {live && <Sparkline ring={samples?.cpu} version={cpuVersion} floor={25} className="spark-cpu" />}
        <span className="num">{live ? formatCpu(agent.treeCpuPercent) : '—'}</span>
      </div>
      <div className="cell cell-metric">
        {live && <Sparkline ring={samples?.memory} version={memoryVersion} floor={16} className="spark-memory" />}
        <span className="num">{live ? formatMemory(agent.treeMemoryMb) : '—'}</span>
      </div>
    </>
  );
}

export const AgentFigures = memo(AgentFiguresImpl);
