/**
 * The left side: filters above the Agents tree, or the first-run empty state.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AGENT_STATES, type AgentState, type AgentView } from '../../src-preload/contract';
import type { CorralStore } from '../state/corral-store';
import type { AgentActions } from '../state/use-agent-actions';
import { NewAgentButton } from '../new-agent/NewAgentButton';
import { AgentList } from './AgentList';
import type { TreeFilter } from './agent-tree-model';
import { BulkActions } from './BulkActions';
import { comparatorFor, loadListSort, saveListSort, type ListSort } from './list-sort';
import { rangeOf, stillListed, toggleIn } from './multi-select';
import { useSavedSelection } from './saved-selection';
import { SortHeader } from './SortHeader';
import { sameAgentsForTree, useAgentTree } from './use-agent-tree';
import { selectAgents, selectLastTickAt, selectLoaded, selectNothing, useStoreSlice } from '../state/use-store-slice';

interface AgentsPaneProps {
  /** Read here (the agents, whether loaded, and the tick time when sorting by runtime), not in the App: a tick re-renders this pane only when those change. */
  store: CorralStore;
  selectedId: string | null;
  openedId: string | null;
  onSelect: (agentId: string) => void;
  onOpen: (agentId: string) => void;
  onRequestStop: (agentId: string) => void;
  onNewAgent: () => void;
  /** For the bulk actions over a multi-selection. */
  actions: AgentActions;
  /** An agent removed by a bulk Remove (the App forgets it as opened or selected). */
  onRemoved: (agentId: string) => void;
  /** The host's data folder (null until known): the multi-selection is saved per folder and survives a reload. */
  dataDir: string | null;
}

export function AgentsPane({ store, selectedId, openedId, onSelect, onOpen, onRequestStop, onNewAgent, actions, onRemoved, dataDir }: AgentsPaneProps) {
  const [filter, setFilter] = useState<TreeFilter>({ text: '', state: 'all' });
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [sort, setSort] = useState<ListSort>(loadListSort);
  const [marked, setMarked] = useState<ReadonlySet<string>>(() => new Set());
  // Where a Shift+click range starts: the last row clicked plainly or with Ctrl/⌘.
  const anchor = useRef<string | null>(null);
  // The map as the tree sees it: kept while only figures the tree does not use moved (rows read their agents themselves).
  const sameTree = useCallback((a: ReadonlyMap<string, AgentView>, b: ReadonlyMap<string, AgentView>) => sameAgentsForTree(a, b, sort.key), [sort.key]);
  const agents = useStoreSlice(store, selectAgents, sameTree);
  const loaded = useStoreSlice(store, selectLoaded);
  // Runtimes move with every tick while the views stay the same: sorting by runtime re-sorts per tick.
  const lastTickAt = useStoreSlice(store, sort.key === 'runtime' ? selectLastTickAt : selectNothing);
  const listed = useCallback((agentId: string) => store.getSnapshot().agents.has(agentId), [store]);
  useSavedSelection(dataDir, loaded, listed, marked, setMarked);

  useEffect(() => saveListSort(sort), [sort]);
  // One comparator per sort, and the tree rebuilt only when its inputs change.
  const compare = useMemo(() => comparatorFor(sort, lastTickAt), [sort, lastTickAt]);
  const rows = useAgentTree(agents, filter, collapsed, compare, sort.key);
  // Read by the click and key handlers, so they stay the same functions while rows change (the memoised rows compare them).
  const rowsNow = useRef(rows);
  rowsNow.current = rows;
  const markedIds = useMemo(() => stillListed(marked, rows), [marked, rows]);

  const clearMarks = useCallback(() => setMarked((previous) => (previous.size === 0 ? previous : new Set())), []);
  // A plain move (arrows, a plain click, focus) goes back to one selected row.
  const selectOne = useCallback(
    (agentId: string) => {
      anchor.current = agentId;
      clearMarks();
      onSelect(agentId);
    },
    [clearMarks, onSelect],
  );
  const onPick = useCallback(
    (agentId: string, mode: 'toggle' | 'range') => {
      if (mode === 'range') setMarked(rangeOf(rowsNow.current, anchor.current ?? selectedId, agentId));
      else {
        setMarked((previous) => toggleIn(previous, selectedId, agentId));
        anchor.current = agentId;
      }
      onSelect(agentId);
    },
    [selectedId, onSelect],
  );
  const markAll = useCallback(() => setMarked(new Set(rowsNow.current.map((row) => row.agentId))), []);

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

  if (!loaded) {
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
      {markedIds.length > 0 && <BulkActions agents={agents} ids={markedIds} actions={actions} onRemoved={onRemoved} onClear={clearMarks} />}
      <SortHeader sort={sort} onSort={setSort} />
      {rows.length === 0 ? (
        <p className="pane-message muted">No agent matches this filter.</p>
      ) : (
        <AgentList
          store={store}
          rows={rows}
          selectedId={selectedId}
          openedId={openedId}
          marked={marked}
          onSelect={selectOne}
          onOpen={onOpen}
          onPick={onPick}
          onMarkAll={markAll}
          onClearMarks={clearMarks}
          onToggle={onToggle}
          onExpand={onExpand}
          onRequestStop={onRequestStop}
        />
      )}
    </section>
  );
}
