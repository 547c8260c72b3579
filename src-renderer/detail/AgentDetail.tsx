/**
 * The opened agent: who it is, what state it is in (with a restart countdown,
 * a stall, a resource guard alert, how its last run ended), the actions, how
 * its last stop went, and the Overview / Logs / Runs / Policies / Request tabs.
 */
import { useCallback, useState, type ReactNode } from 'react';
import type { AgentView, CorralApi } from '../../src-preload/contract';
import { formatTimestamp } from '../format/format';
import { LogView } from '../logs/LogView';
import { isLive } from '../state/agent-state';
import { assertNever } from '../state/assert-never';
import type { CorralSnapshot, CorralStore } from '../state/corral-store';
import { useStoreSlice } from '../state/use-store-slice';
import type { AgentActionStatus } from '../state/use-agent-actions';
import { STALE_DESCRIPTION, useConnected } from '../state/use-connection';
import { describeGuardAlert, RestartCountdown } from './agent-status';
import { OverviewTab } from './OverviewTab';
import { PoliciesTab } from './PoliciesTab';
import { RequestTab } from './RequestTab';
import { RunsTab } from './RunsTab';
import { StopControls } from './StopControls';
import { StopProgress } from './StopProgress';
import { StopReport } from './StopReport';
import { Tabs, type TabSpec } from './Tabs';

type TabKey = 'overview' | 'logs' | 'runs' | 'policies' | 'request';
const TABS: readonly TabSpec<TabKey>[] = [
  { key: 'overview', label: 'Overview' },
  { key: 'logs', label: 'Logs' },
  { key: 'runs', label: 'Runs' },
  { key: 'policies', label: 'Policies' },
  { key: 'request', label: 'Request' },
];

interface AgentDetailProps {
  api: CorralApi;
  /** The agent's view is read from here: a tick re-renders the detail only when its agent changed (the Overview follows ticks itself). */
  store: CorralStore;
  agentId: string;
  status: AgentActionStatus;
  canOpenFolders: boolean;
  onRequestStop: (agentId: string) => void;
  onForceKill: (agentId: string) => void;
  onRunAgain: (agentId: string) => void;
  onRestart: (agentId: string) => void;
  onDuplicate: (agentId: string) => void;
  onRequestRemove: (agentId: string) => void;
  onOpenFolder: (agentId: string) => void;
  onReapZombies: (agentId: string) => void;
  onDismissError: (agentId: string) => void;
  onClose: () => void;
}

export function AgentDetail(props: AgentDetailProps) {
  const { store, agentId } = props;
  const select = useCallback((snapshot: CorralSnapshot) => snapshot.agents.get(agentId), [agentId]);
  const agent = useStoreSlice(store, select);
  // The App shows its placeholder once the agent is gone; this only covers the same render.
  return agent === undefined ? null : <AgentDetailOf {...props} agent={agent} />;
}

function AgentDetailOf(props: AgentDetailProps & { agent: AgentView }) {
  const { api, store, agent, status, canOpenFolders } = props;
  const [tab, setTab] = useState<TabKey>('overview');
  const live = isLive(agent.state);
  const id = agent.agentId;
  const stopInFlight = status.pending.has('stop') || status.pending.has('force');
  const showProgress = agent.stopProgress !== null || (stopInFlight && live);
  const report = agent.stopReport ?? status.stopReport;
  const onPoliciesUpdated = useCallback((updated: AgentView) => store.upsert(updated), [store]);
  const stale = !useConnected();

  return (
    <section className={`detail${stale ? ' is-stale' : ''}`} aria-label={`Agent ${id}`} aria-description={stale ? STALE_DESCRIPTION : undefined}>
      <header className="detail-header">
        <div className="detail-title">
          <span className={`health-dot health-${agent.health}`} aria-hidden="true" />
          <h2 className="detail-name">{agent.agentName}</h2>
          <span role="status" aria-label="State" className={`state-badge state-${agent.state}`}>
            {agent.state}
            {stale && <span className="stale-note"> (last known)</span>}
          </span>
          {showHealthWord(agent) && (
            <span className={`health-word health-text-${agent.health}`}>{agent.health}</span>
          )}
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
        <LifecycleLines agent={agent} />
        <StopControls
          api={api}
          store={store}
          agent={agent}
          status={status}
          canOpenFolders={canOpenFolders}
          onStop={() => props.onRequestStop(id)}
          onForceKill={() => props.onForceKill(id)}
          onRunAgain={() => props.onRunAgain(id)}
          onRestart={() => props.onRestart(id)}
          onDuplicate={() => props.onDuplicate(id)}
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
            <OverviewTab api={api} store={store} agent={agent} />
          ) : key === 'logs' ? (
            <LogView api={api} agentId={id} live={live} />
          ) : key === 'runs' ? (
            <RunsTab api={api} agent={agent} />
          ) : key === 'policies' ? (
            <PoliciesTab api={api} agent={agent} onUpdated={onPoliciesUpdated} />
          ) : (
            <RequestTab api={api} agent={agent} />
          )
        }
      </Tabs>
    </section>
  );
}

/** The health word beside the state badge, when it adds something (stalled and restarting have their own line below). */
function showHealthWord(agent: AgentView): boolean {
  switch (agent.health) {
    case 'healthy':
    case 'stalled':
    case 'restarting':
      return false;
    case 'failed':
      return agent.state !== 'failed' && agent.state !== 'crash-looping';
    case 'zombie':
    case 'completed':
    case 'cancelled':
    case 'unknown':
      return agent.health !== agent.state;
    default:
      return assertNever(agent.health);
  }
}

/** What is going on beyond the state word: a restart countdown, a stall, a guard alert, how the last run ended. */
export function LifecycleLines({ agent }: { agent: AgentView }) {
  const lines: { key: string; className: string; content: ReactNode }[] = [];
  if (agent.state === 'backoff') {
    lines.push({
      key: 'backoff',
      className: 'lifecycle-backoff',
      content: (
        <>
          <RestartCountdown nextRestartAt={agent.nextRestartAt} /> ({agent.restarts} restart{agent.restarts === 1 ? '' : 's'} so far; at most {agent.policies.restart.maxRestarts}{' '}
          in a row)
        </>
      ),
    });
  }
  if (agent.state === 'crash-looping') {
    lines.push({
      key: 'crash',
      className: 'lifecycle-crash',
      content: `It kept failing: no more restarts after ${agent.restarts} in a row. Run again starts it by hand.`,
    });
  }
  if (agent.health === 'stalled') {
    lines.push({
      key: 'stall',
      className: 'lifecycle-stalled',
      content: (
        <>
          <span className="badge badge-stalled">stalled</span> No output and idle since {formatTimestamp(agent.stalledSince ?? agent.lastOutputAt)}: waiting for input, or hung.
        </>
      ),
    });
  }
  if (agent.guardAlert !== null) {
    lines.push({ key: 'guard', className: `lifecycle-guard${agent.guardAlert.fired ? ' is-fired' : ''}`, content: `Resource guard: ${describeGuardAlert(agent.guardAlert)}` });
  }
  // The engine's error often says it already (a failed run): say it once.
  if (agent.lastExit !== null && !isLive(agent.state) && !(agent.error ?? '').includes(agent.lastExit.summary)) {
    lines.push({
      key: 'exit',
      className: 'lifecycle-exit',
      content: (
        <>
          <span className="lifecycle-label">Last run:</span> {agent.lastExit.summary}
          {agent.lastExit.possiblyOutOfMemory && <span className="badge badge-oom">possibly out of memory</span>}
        </>
      ),
    });
  }
  if (lines.length === 0) return null;
  return (
    <ul className="lifecycle-lines" aria-label="Lifecycle">
      {lines.map((line) => (
        <li key={line.key} className={line.className}>
          {line.content}
        </li>
      ))}
    </ul>
  );
}
