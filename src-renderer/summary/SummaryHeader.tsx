/**
 * The top bar: title, counts by state, totals, the totals chart, Orphans (when
 * the engine's sweep found any), Settings, Clear finished, Stop all and New agent. A `region` named "Summary" so it is a landmark for screen readers
 * and a handle for the browser tests.
 */
import { memo } from 'react';
import { AGENT_STATES } from '../../src-preload/contract';
import { TotalsChart } from '../charts/TotalsChart';
import { formatCpu, formatMemory } from '../format/format';
import { selectFinishedCount, selectLiveCount } from '../state/agent-counts';
import type { CorralStore } from '../state/corral-store';
import { selectSummary, useStoreSlice } from '../state/use-store-slice';
import { OrphansButton } from '../orphans/OrphansButton';
import { NewAgentButton } from '../new-agent/NewAgentButton';
import { OFFLINE_REASON, STALE_DESCRIPTION, useConnected } from '../state/use-connection';
import { StopAllButton, type StopAllState } from './StopAll';

interface SummaryHeaderProps {
  /** Read here (totals, counts), so a tick re-renders the header and not the App around it. */
  store: CorralStore;
  showNewAgent: boolean;
  stopAll: StopAllState;
  onStopAll: () => void;
  onClearFinished: () => void;
  onNewAgent: () => void;
  onOpenOrphans: () => void;
  onOpenSettings: () => void;
}

function SummaryHeaderImpl(props: SummaryHeaderProps) {
  const { store, showNewAgent, stopAll, onStopAll, onClearFinished, onNewAgent, onOpenOrphans, onOpenSettings } = props;
  const summary = useStoreSlice(store, selectSummary);
  const liveCount = useStoreSlice(store, selectLiveCount);
  // Agents that have ended for good (what Clear finished removes).
  const finishedCount = useStoreSlice(store, selectFinishedCount);
  const connected = useConnected();
  return (
    <header className="app-header">
      <div className="brand">
        <svg className="brand-mark" width="22" height="22" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <circle cx="12" cy="12" r="9.5" fill="none" stroke="currentColor" strokeWidth="2" />
          <circle cx="9" cy="10" r="1.8" fill="currentColor" />
          <circle cx="15" cy="10" r="1.8" fill="currentColor" />
          <circle cx="12" cy="15.5" r="1.8" fill="currentColor" />
        </svg>
        <h1>Corral</h1>
      </div>
      <section className={`summary${connected ? '' : ' is-stale'}`} aria-label="Summary" aria-description={connected ? undefined : STALE_DESCRIPTION}>
        <ul className="state-counts" aria-label="Agents by state">
          {AGENT_STATES.map((state) => {
            const count = summary?.byState[state] ?? 0;
            return (
              <li key={state} className={`state-count state-${state}${count === 0 ? ' is-zero' : ''}`}>
                <span className="state-count-label">{state}</span> <span className="state-count-value num">{count}</span>
              </li>
            );
          })}
        </ul>
        <dl className="totals">
          <div>
            <dt>CPU</dt>
            <dd className="num">{formatCpu(summary?.totalCpuPercent ?? null)}</dd>
          </div>
          <div>
            <dt>Memory</dt>
            <dd className="num">{formatMemory(summary?.totalMemoryMb ?? null)}</dd>
          </div>
          <div className={summary !== null && summary.zombieDescendants > 0 ? 'has-zombies' : undefined}>
            <dt>Zombies</dt>
            <dd className="num">{summary?.zombieDescendants ?? 0}</dd>
          </div>
        </dl>
        <TotalsChart totals={store.totals} version={store.totals.cpu.version} />
        <div className="header-actions">
          <OrphansButton count={summary?.orphanCount ?? 0} onOpen={onOpenOrphans} />
          <button type="button" className="button button-quiet" onClick={onOpenSettings} disabled={!connected} title={connected ? undefined : OFFLINE_REASON}>
            Settings
          </button>
          <button
            type="button"
            className="button button-quiet"
            onClick={onClearFinished}
            disabled={!connected || finishedCount === 0}
            title={connected ? (finishedCount === 0 ? 'No ended agents' : 'Remove every ended agent and its logs') : OFFLINE_REASON}
          >
            Clear finished
          </button>
          <StopAllButton state={stopAll} liveCount={liveCount} onStopAll={onStopAll} />
          {showNewAgent && (
            <NewAgentButton onNewAgent={onNewAgent} title={'New agent (Ctrl/⌘+N)'} />
          )}
        </div>
      </section>
    </header>
  );
}

export const SummaryHeader = memo(SummaryHeaderImpl);
