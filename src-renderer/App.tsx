import { useEffect, useState } from 'react';
import type { AgentStatusView, CorralApi } from '../src-preload/contract';

/** How often the agent list is refreshed. The next poll starts only after the last answer. */
const POLL_INTERVAL_MS = 1_000;

export function App() {
  const api = window.corral;
  if (api === undefined) {
    return (
      <main className="page">
        <h1>Corral</h1>
        <p className="notice">
          This page needs the Corral app: it was opened without its bridge (<code>window.corral</code>), so there is
          nothing to show.
        </p>
      </main>
    );
  }
  return <AgentsPage api={api} />;
}

function AgentsPage({ api }: { api: CorralApi }) {
  const { agents, error } = useAgents(api);
  return (
    <main className="page">
      <h1>Corral</h1>
      {error !== null && (
        <p className="notice notice-error" role="alert">
          Could not refresh the agents: {error}
        </p>
      )}
      {agents === null ? (
        <p className="muted">Loading…</p>
      ) : agents.length === 0 ? (
        <p className="muted">No agents yet. Agents you launch will appear here.</p>
      ) : (
        <AgentTable agents={agents} />
      )}
    </main>
  );
}

function AgentTable({ agents }: { agents: AgentStatusView[] }) {
  return (
    <table className="agents">
      <thead>
        <tr>
          <th scope="col">Agent</th>
          <th scope="col">State</th>
          <th scope="col">Health</th>
          <th scope="col" className="number">
            CPU
          </th>
          <th scope="col" className="number">
            Memory
          </th>
        </tr>
      </thead>
      <tbody>
        {agents.map((agent) => (
          <tr key={agent.agentId}>
            <td>{agent.agentId}</td>
            <td>{agent.state}</td>
            <td className={`health health-${agent.health}`}>{agent.health}</td>
            <td className="number">{formatFigure(agent.cpuPercent, 1, '%')}</td>
            <td className="number">{formatFigure(agent.memoryMb, 1, 'MB')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Polls `monitorAllAgents` until unmounted. Keeps the last list when a poll fails. */
function useAgents(api: CorralApi): { agents: AgentStatusView[] | null; error: string | null } {
  const [agents, setAgents] = useState<AgentStatusView[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let isActive = true;
    let timer: number | undefined;
    const poll = async () => {
      try {
        const result = await api.monitorAllAgents();
        if (!isActive) return;
        if (result.ok) {
          setAgents(Object.values(result.value).sort((a, b) => a.agentId.localeCompare(b.agentId)));
          setError(null);
        } else {
          setError(result.error.message);
        }
      } catch (thrown) {
        // Only the bridge itself can throw (main answers with results, never throws).
        if (isActive) setError(thrown instanceof Error ? thrown.message : String(thrown));
      }
      if (isActive) timer = window.setTimeout(() => void poll(), POLL_INTERVAL_MS);
    };
    void poll();
    return () => {
      isActive = false;
      window.clearTimeout(timer);
    };
  }, [api]);

  return { agents, error };
}

/** A sample that could not be read shows as a dash, never as 0. */
function formatFigure(value: number | null, digits: number, unit: string): string {
  return value === null ? '—' : `${value.toFixed(digits)} ${unit}`;
}
