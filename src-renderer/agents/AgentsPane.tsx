/**
 * The left side: filters above the Agents tree, or the first-run empty state.
 */
import { useCallback, useMemo, useState } from 'react';
import { AGENT_STATES, type AgentState } from '../../src-preload/contract';
import type { CorralSnapshot, CorralStore } from '../state/corral-store';
import { NewAgentButton } from '../new-agent/NewAgentButton';
import { AgentList } from './AgentList';
import { buildAgentTree, type TreeFilter } from './agent-tree-model';

interface AgentsPaneProps {
  store: CorralStore;
  snapshot: CorralSnapshot;
  selectedId: string | null;
  openedId: string | null;
  onSelect: (agentId: string) => void;
  onOpen: (agentId: string) => void;
  onRequestStop: (agentId: string) => void;
  onNewAgent: () => void;
}

export function AgentsPane({ store, snapshot, selectedId, openedId, onSelect, onOpen, onRequestStop, onNewAgent }: AgentsPaneProps) {
  const [filter, setFilter] = useState<TreeFilter>({ text: '', state: 'all' });
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const agents = snapshot.agents;

  const rows = useMemo(() => buildAgentTree(agents, filter, collapsed), [agents, filter, collapsed]);

  const onToggle = useCallback((agentId: string) => {
    setCollapsed((previous) => {
      const next = new Set(previous);
      if (!next.delete(agentId)) next.add(agentId);
      return next;
    });
  }, []);
  const onExpand = useCallback((agentId: string, expanded: boolean) => {
    setCollapsed((previous) => {
      if (previous.has(agentId) !== expanded) return previous;
      const next = new Set(previous);
      if (expanded) next.delete(agentId);
      else next.add(agentId);
      return next;
    });
  }, []);

  if (!snapshot.loaded) {
    return (
      <section className="agents-pane" aria-label="Agents list">
        <p className="pane-message muted" aria-busy="true">
          Loading agents…
        </p>
      </section>
    );
  }

  if (agents.size === 0) {
    return (
      <section className="agents-pane" aria-label="Agents list">
        <div className="empty-state">
          <div className="empty-illustration" aria-hidden="true">
            ◎
          </div>
          <p className="empty-title">No agents yet — start the Demo agent to see Corral at work</p>
          <p className="muted">
            Corral launches agent programs, watches their CPU, memory and processes live, and stops them cleanly.
          </p>
          <NewAgentButton onNewAgent={onNewAgent} />
          <p className="muted small">
            Tip: <kbd>Ctrl</kbd>/<kbd>⌘</kbd> + <kbd>N</kbd> opens this from anywhere.
          </p>
        </div>
      </section>
    );
  }

  const filtering = filter.text.trim() !== '' || filter.state !== 'all';
  return (
    <section className="agents-pane" aria-label="Agents list">
      <div className="filters">
        <input
          type="search"
          className="input filter-text"
          aria-label="Filter agents"
          placeholder="Filter by name, id, type or model"
          value={filter.text}
          onChange={(event) => setFilter((previous) => ({ ...previous, text: event.target.value }))}
          onKeyDown={(event) => {
            if (event.key === 'Escape' && filter.text !== '') {
              event.preventDefault();
              setFilter((previous) => ({ ...previous, text: '' }));
            }
          }}
        />
        <select
          className="input filter-state"
          aria-label="State filter"
          value={filter.state}
          onChange={(event) => setFilter((previous) => ({ ...previous, state: event.target.value as AgentState | 'all' }))}
        >
          <option value="all">All states</option>
          {AGENT_STATES.map((state) => (
            <option key={state} value={state}>
              {state}
            </option>
          ))}
        </select>
        <span className="filter-count muted" aria-live="polite">
          {filtering ? `${rows.filter((row) => row.matches).length} of ${agents.size}` : `${agents.size} agent${agents.size === 1 ? '' : 's'}`}
        </span>
      </div>
      <div className="list-header" aria-hidden="true">
        <span className="cell cell-name">Agent</span>
        <span className="cell cell-type">Type / model</span>
        <span className="cell cell-runtime num">Runtime</span>
        <span className="cell cell-metric">CPU</span>
        <span className="cell cell-metric">Memory</span>
        <span className="cell cell-progress">Progress</span>
        <span className="cell cell-state">State</span>
      </div>
      {rows.length === 0 ? (
        <p className="pane-message muted">No agent matches this filter.</p>
      ) : (
        <AgentList
          store={store}
          agents={agents}
          rows={rows}
          selectedId={selectedId}
          openedId={openedId}
          onSelect={onSelect}
          onOpen={onOpen}
          onToggle={onToggle}
          onExpand={onExpand}
          onRequestStop={onRequestStop}
        />
      )}
    </section>
  );
}
