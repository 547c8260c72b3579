/**
 * One agent in the Agents tree. Memoised with a field compare: a status tick
 * hands every row a fresh AgentView object, but a row renders only when a
 * field it shows actually changed; its per-tick figures (runtime, CPU, memory,
 * sparklines) are AgentFigures, which follows the store by itself.
 */
import { memo, useCallback, type CSSProperties } from 'react';
import type { AgentView, GuardAlertView } from '../../src-preload/contract';
import { describeGuardAlert, guardAlertBadge, PAUSED_DESCRIPTION, RestartCountdown } from '../detail/agent-status';
import { describePressure, highPressure } from '../detail/pressure';
import { formatTimestamp } from '../format/format';
import { isLive } from '../state/agent-state';
import type { CorralSnapshot, CorralStore } from '../state/corral-store';
import { useStoreSlice } from '../state/use-store-slice';
import { STALE_DESCRIPTION, useConnected } from '../state/use-connection';
import { AgentFigures } from './AgentFigures';
import type { TreeRow } from './agent-tree-model';
import { pickModeOf, type PickMode } from './multi-select';

export const ROW_HEIGHT = 48;

export function rowDomId(agentId: string): string {
  // Agent ids are [A-Za-z0-9._-], all valid in an id attribute.
  return `agent-row-${agentId}`;
}

interface AgentRowProps {
  agent: AgentView;
  row: TreeRow;
  /** Where the row's per-tick figures read their agent and samples (AgentFigures.tsx). */
  store: CorralStore;
  /** In the selection: the multi-selection when there is one, else the keyboard cursor. */
  selected: boolean;
  /** The keyboard cursor (the focus ring; apart from the selection while several rows are selected). */
  cursor?: boolean;
  opened: boolean;
  top: number;
  /** A click, with how it was made (plain, Ctrl/⌘, Shift). */
  onActivate: (agentId: string, mode: PickMode) => void;
  onToggle: (agentId: string) => void;
}

function AgentRowImpl({ agent, row, store, selected, cursor = false, opened, top, onActivate, onToggle }: AgentRowProps) {
  const style: CSSProperties = { transform: `translateY(${top}px)`, height: ROW_HEIGHT };
  const indent: CSSProperties = { paddingInlineStart: 8 + row.depth * 18 };
  const progress = agent.progress === null ? null : Math.max(0, Math.min(100, agent.progress));
  const live = isLive(agent.state);
  // Context, not a prop: a change of connection re-renders every row past the memo.
  const stale = !useConnected();
  return (
    <div
      id={rowDomId(agent.agentId)}
      role="treeitem"
      aria-label={`${agent.agentName} (${agent.agentId})`}
      aria-selected={selected}
      aria-current={opened ? 'true' : undefined}
      aria-expanded={row.expanded}
      aria-level={row.depth + 1}
      aria-posinset={row.posInSet}
      aria-setsize={row.setSize}
      aria-description={stale ? STALE_DESCRIPTION : undefined}
      className={`agent-row${selected ? ' is-selected' : ''}${cursor ? ' is-cursor' : ''}${opened ? ' is-opened' : ''}${row.matches ? '' : ' is-context'}${stale ? ' is-stale' : ''}`}
      style={style}
      onMouseDown={(event) => {
        // Shift+click extends the selection; without this it also selects the page's text.
        if (event.shiftKey) event.preventDefault();
      }}
      onClick={(event) => onActivate(agent.agentId, pickModeOf(event))}
    >
      <div className="cell cell-name" style={indent}>
        {row.expanded === undefined ? (
          <span className="twisty-space" />
        ) : (
          <span
            className={`twisty${row.expanded ? ' is-expanded' : ''}`}
            aria-hidden="true"
            onClick={(event) => {
              // Expanding is not opening: keep the click off the row.
              event.stopPropagation();
              onToggle(agent.agentId);
            }}
          >
            ▸
          </span>
        )}
        <span className={`health-dot health-${agent.health}`} aria-hidden="true" title={`Health: ${agent.health}`} />
        <span className="name-block">
          <span className="agent-name-line">
            <span className="agent-name">{agent.agentName}</span>
            {agent.zombieDescendants > 0 && (
              <span className="badge badge-zombie" title={`${agent.zombieDescendants} zombie descendant process(es)`}>
                {agent.zombieDescendants} zombie{agent.zombieDescendants === 1 ? '' : 's'}
              </span>
            )}
          </span>
          <span className="agent-id-line">
            <span className="agent-id">{agent.agentId}</span>
            {agent.health === 'stalled' && (
              <span className="badge badge-stalled" title={`No output and idle since ${formatTimestamp(agent.stalledSince)}`}>
                stalled
              </span>
            )}
            {agent.restarts > 0 && (
              <span className="badge badge-restarts" title={`${agent.restarts} restart${agent.restarts === 1 ? '' : 's'} in a row so far`}>
                <span aria-hidden="true">↻ </span>
                {agent.restarts}
                <span className="visually-hidden"> restart{agent.restarts === 1 ? '' : 's'}</span>
              </span>
            )}
            {agent.guardAlert !== null && (
              <span className={`badge badge-guard${agent.guardAlert.fired ? ' is-fired' : ''}`} title={describeGuardAlert(agent.guardAlert)}>
                {guardAlertBadge(agent.guardAlert)}
              </span>
            )}
            {live && agent.pressure && highPressure(agent.pressure).length > 0 && (
              <span className="badge badge-pressure" role="img" title={describePressure(agent.pressure)} aria-label={describePressure(agent.pressure)}>
                pressure
              </span>
            )}
          </span>
        </span>
      </div>
      <div className="cell cell-type">
        <span className="agent-type">{agent.agentType || '—'}</span>
        <span className="agent-model">{agent.model ?? ''}</span>
      </div>
      <AgentFigures store={store} agentId={agent.agentId} />
      <div className="cell cell-progress" title={agent.progressMessage ?? undefined}>
        {progress !== null && (
          <>
            <span className="progress-track" aria-hidden="true">
              <span className="progress-fill" style={{ width: `${progress}%` }} />
            </span>
            <span className="progress-text num">{Math.round(progress)} %</span>
          </>
        )}
      </div>
      <div className="cell cell-state">
        {agent.state === 'backoff' ? (
          <span className="state-word state-backoff" title={`Waiting to restart (at most ${agent.policies.restart.maxRestarts} restarts in a row)`}>
            <RestartCountdown nextRestartAt={agent.nextRestartAt} />
          </span>
        ) : (
          <span className={`state-word state-${agent.state}`} title={agent.state === 'paused' ? PAUSED_DESCRIPTION : undefined}>
            {agent.state}
            {stale && <span className="stale-note"> (last known)</span>}
          </span>
        )}
      </div>
    </div>
  );
}

function sameAlert(a: GuardAlertView | null, b: GuardAlertView | null): boolean {
  return a === b || (a !== null && b !== null && a.metric === b.metric && a.fired === b.fired && a.value === b.value && a.limit === b.limit && a.action === b.action && a.since === b.since);
}

/** The pressure badge shows (or its title changes) only when a figure does. */
function samePressure(x: AgentView, y: AgentView): boolean {
  const a = x.pressure ?? null;
  const b = y.pressure ?? null;
  return a === b || (a !== null && b !== null && a.cpu === b.cpu && a.memory === b.memory && a.io === b.io);
}

/** The fields of its agent a row shows (its per-tick figures aside, AgentFigures.tsx): equal, the row need not render. */
export function sameShownFields(x: AgentView, y: AgentView): boolean {
  return (
    x === y ||
    (x.agentId === y.agentId &&
      x.agentName === y.agentName &&
      x.agentType === y.agentType &&
      x.model === y.model &&
      x.state === y.state &&
      x.health === y.health &&
      x.progress === y.progress &&
      x.progressMessage === y.progressMessage &&
      x.zombieDescendants === y.zombieDescendants &&
      x.restarts === y.restarts &&
      x.nextRestartAt === y.nextRestartAt &&
      x.stalledSince === y.stalledSince &&
      x.policies.restart.maxRestarts === y.policies.restart.maxRestarts &&
      samePressure(x, y) &&
      sameAlert(x.guardAlert, y.guardAlert))
  );
}

function sameRow(a: AgentRowProps, b: AgentRowProps): boolean {
  return (
    a.store === b.store &&
    a.selected === b.selected &&
    a.cursor === b.cursor &&
    a.opened === b.opened &&
    a.top === b.top &&
    a.onActivate === b.onActivate &&
    a.onToggle === b.onToggle &&
    a.row.depth === b.row.depth &&
    a.row.matches === b.row.matches &&
    a.row.expanded === b.row.expanded &&
    a.row.posInSet === b.row.posInSet &&
    a.row.setSize === b.row.setSize &&
    sameShownFields(a.agent, b.agent)
  );
}

export const AgentRow = memo(AgentRowImpl, sameRow);

/**
 * A row fed from the store by its agent id: the list around it renders only
 * when the tree changes (use-agent-tree.ts), and this renders its row only
 * when a field the row shows changed.
 */
export const StoreAgentRow = memo(function StoreAgentRow(props: Omit<AgentRowProps, 'agent'> & { agentId: string }) {
  const { store, agentId } = props;
  const select = useCallback((snapshot: CorralSnapshot) => snapshot.agents.get(agentId), [agentId]);
  const agent = useStoreSlice(store, select, sameListedAgent);
  return agent === undefined ? null : <AgentRow {...props} agent={agent} />;
});

function sameListedAgent(a: AgentView | undefined, b: AgentView | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && sameShownFields(a, b));
}
