/**
 * The opened agent: who it is, what state it is in, the actions, how its last
 * stop went, and the Overview / Logs / Request tabs.
 */
import { useState } from 'react';
import type { AgentView, CorralApi } from '../../src-preload/contract';
import { LogView } from '../logs/LogView';
import { isLive } from '../state/agent-state';
import type { CorralStore } from '../state/corral-store';
import type { AgentActionStatus } from '../state/use-agent-actions';
import { OverviewTab } from './OverviewTab';
import { RequestTab } from './RequestTab';
import { StopControls } from './StopControls';
import { StopProgress } from './StopProgress';
import { StopReport } from './StopReport';
import { Tabs, type TabSpec } from './Tabs';

type TabKey = 'overview' | 'logs' | 'request';
const TABS: readonly TabSpec<TabKey>[] = [
  { key: 'overview', label: 'Overview' },
  { key: 'logs', label: 'Logs' },
  { key: 'request', label: 'Request' },
];

interface AgentDetailProps {
  api: CorralApi;
  store: CorralStore;
  agent: AgentView;
  lastTickAt: number | null;
  status: AgentActionStatus;
  canOpenFolders: boolean;
  onRequestStop: (agentId: string) => void;
  onForceKill: (agentId: string) => void;
  onRunAgain: (agentId: string) => void;
  onRequestRemove: (agentId: string) => void;
  onOpenFolder: (agentId: string) => void;
  onReapZombies: (agentId: string) => void;
  onDismissError: (agentId: string) => void;
  onClose: () => void;
}

export function AgentDetail(props: AgentDetailProps) {
  const { api, store, agent, lastTickAt, status, canOpenFolders } = props;
  const [tab, setTab] = useState<TabKey>('overview');
  const live = isLive(agent.state);
  const id = agent.agentId;
  // The process table refreshes per tick while live, and once more when the agent ends.
  const tick = live ? lastTickAt : `${agent.state}:${agent.endedAt ?? ''}`;
  const stopInFlight = status.pending.has('stop') || status.pending.has('force');
  const showProgress = agent.stopProgress !== null || (stopInFlight && live);
  const report = agent.stopReport ?? status.stopReport;

  return (
    <section className="detail" aria-label={`Agent ${id}`}>
      <header className="detail-header">
        <div className="detail-title">
          <span className={`health-dot health-${agent.health}`} aria-hidden="true" />
          <h2 className="detail-name">{agent.agentName}</h2>
          <span role="status" aria-label="State" className={`state-badge state-${agent.state}`}>
            {agent.state}
          </span>
          {agent.health !== 'healthy' && agent.health !== agent.state && <span className={`health-word health-text-${agent.health}`}>{agent.health}</span>}
          <button type="button" className="icon-button detail-close" aria-label="Close details" onClick={props.onClose}>
            ×
          </button>
        </div>
        <p className="detail-sub muted">
          <span className="mono">{id}</span>
          {agent.agentType !== '' && <> · {agent.agentType}</>}
          {agent.model !== null && <> · {agent.model}</>}
          {agent.parentAgentId !== null && (
            <>
              {' '}
              · child of <span className="mono">{agent.parentAgentId}</span>
            </>
          )}
          {agent.adopted && <> · adopted after a restart</>}
        </p>
        <StopControls
          agent={agent}
          status={status}
          canOpenFolders={canOpenFolders}
          onStop={() => props.onRequestStop(id)}
          onForceKill={() => props.onForceKill(id)}
          onRunAgain={() => props.onRunAgain(id)}
          onRemove={() => props.onRequestRemove(id)}
          onOpenFolder={() => props.onOpenFolder(id)}
          onReapZombies={() => props.onReapZombies(id)}
        />
      </header>

      {status.error !== null && (
        <div className="inline-alert with-dismiss" role="alert">
          <span>{status.error}</span>
          <button type="button" className="icon-button" aria-label="Dismiss error" onClick={() => props.onDismissError(id)}>
            ×
          </button>
        </div>
      )}
      {showProgress && <StopProgress progress={agent.stopProgress} />}
      {agent.error !== null && (
        <p className="agent-error">
          <strong>Error:</strong> {agent.error}
        </p>
      )}
      {agent.notes.length > 0 && (
        <ul className="notes" aria-label="Notes">
          {agent.notes.map((note, index) => (
            <li key={index}>{note}</li>
          ))}
        </ul>
      )}
      {report !== null && !showProgress && <StopReport report={report} />}

      <Tabs tabs={TABS} selected={tab} onSelect={setTab} label="Agent details">
        {(key) =>
          key === 'overview' ? (
            <OverviewTab api={api} store={store} agent={agent} tick={tick} />
          ) : key === 'logs' ? (
            <LogView api={api} agentId={id} live={live} />
          ) : (
            <RequestTab api={api} agent={agent} />
          )
        }
      </Tabs>
    </section>
  );
}
