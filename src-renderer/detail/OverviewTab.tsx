/**
 * Overview: the facts (its cgroup's pressure among them), CPU and memory over time, and the live process tree.
 */
import type { AgentView, CorralApi } from '../../src-preload/contract';
import { LazyHistoryChart } from '../charts/LazyHistoryChart';
import { formatCount, formatCpu, formatExitCode, formatMemory, formatRuntime, formatTimestamp, MISSING } from '../format/format';
import { isLive } from '../state/agent-state';
import { formatPressure } from './pressure';
import type { CorralStore } from '../state/corral-store';
import { useConnected } from '../state/use-connection';
import { selectLastTickAt, selectNothing, useStoreSlice } from '../state/use-store-slice';
import { runtimeOf } from '../format/runtime';
import { ProcessTable } from './ProcessTable';
import { useAgentHistory } from './use-agent-history';

interface OverviewTabProps {
  api: CorralApi;
  store: CorralStore;
  agent: AgentView;
}

export function OverviewTab({ api, store, agent }: OverviewTabProps) {
  const { points, error } = useAgentHistory(api, store, agent.agentId);
  const live = isLive(agent.state);
  // Follows the ticks while live (runtime, the process table), not once it has ended.
  const lastTickAt = useStoreSlice(store, live ? selectLastTickAt : selectNothing);
  // The process table refreshes per tick while live, and once more when the agent ends.
  const tick = live ? lastTickAt : `${agent.state}:${agent.endedAt ?? ''}`;
  return (
    <div className="overview">
      {/* Once ended, the view's own runtime is final (the event that said it ended carried it). */}
      <Facts agent={agent} lastTickAt={lastTickAt} />
      <div className="charts">
        <LazyHistoryChart label="CPU % over time" points={points} metric="cpu" format={formatCpu} floor={10} />
        <LazyHistoryChart label="Memory over time" points={points} metric="memory" format={formatMemory} floor={32} />
      </div>
      {error !== null && (
        <p className="inline-alert" role="alert">
          Could not load the history: {error}
        </p>
      )}
      <ProcessTable api={api} agentId={agent.agentId} tick={tick} />
    </div>
  );
}

function Facts({ agent, lastTickAt }: { agent: AgentView; lastTickAt: number | null }) {
  const stale = !useConnected();
  // The tree's figures are from its last sample: once it has ended there is no tree to count (the table below says so).
  const live = isLive(agent.state);
  const now = <T,>(value: T, format: (value: T) => string) => (live ? format(value) : MISSING);
  // Pressure is its cgroup's: a process-group agent has none to read.
  const pressure = (resource: 'cpu' | 'memory' | 'io') => (agent.containment === 'process-group' ? 'no cgroup' : now(agent.pressure?.[resource], formatPressure));
  const facts: [string, string][] = [
    ['State', stale ? `${agent.state} (last known)` : agent.state],
    ['PID', agent.pid === null ? MISSING : String(agent.pid)],
    ['Exit code', formatExitCode(agent)],
    ['Signal', agent.signal ?? MISSING],
    ['Runtime', formatRuntime(runtimeOf(agent, lastTickAt))],
    ['CPU', now(agent.treeCpuPercent, formatCpu)],
    ['Memory', now(agent.treeMemoryMb, formatMemory)],
    ['Threads', now(agent.treeNumThreads, formatCount)],
    ['CPU pressure', pressure('cpu')],
    ['Memory pressure', pressure('memory')],
    ['I/O pressure', pressure('io')],
    // The root plus its descendants; before start and after the end there are none.
    ['Processes', agent.pid === null || !live ? MISSING : String(agent.descendantCount + 1)],
    ['Zombie descendants', String(agent.zombieDescendants)],
    ['Started', formatTimestamp(agent.startedAt)],
    ['Ended', formatTimestamp(agent.endedAt)],
    ['Progress', agent.progress === null ? MISSING : `${Math.round(agent.progress)} %${agent.progressMessage ? ` — ${agent.progressMessage}` : ''}`],
    // Null once started means it has not printed a line yet.
    ['Last output', agent.lastOutputAt === null && agent.startedAt !== null ? 'never' : formatTimestamp(agent.lastOutputAt)],
    ['Runs', String(agent.runCount)],
    ['Restarts in a row', String(agent.restarts)],
    ['Niceness', agent.policies.niceness === null ? 'inherited' : String(agent.policies.niceness)],
  ];
  return (
    <dl className="facts">
      {facts.map(([term, value]) => (
        <div key={term} className={`fact${term === 'Zombie descendants' && agent.zombieDescendants > 0 ? ' is-zombie' : ''}`}>
          <dt>{term}</dt>
          <dd className="num">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
