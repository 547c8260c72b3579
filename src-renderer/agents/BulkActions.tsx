/**
 * The bar over the list while several agents are selected: Stop, Force kill
 * and Remove for the whole selection, each confirmed like its single-agent
 * twin and saying how many it acts on. Stop and Force kill apply to the
 * agents not yet done; Remove to the ended ones only, and says how many of
 * the selection it skips.
 */
import { useState } from 'react';
import type { AgentView } from '../../src-preload/contract';
import { plural } from '../format/format';
import { isActive } from '../state/agent-state';
import type { AgentActions } from '../state/use-agent-actions';
import { OFFLINE_REASON, useConnected } from '../state/use-connection';
import { ConfirmDialog } from '../ui/ConfirmDialog';

type BulkKind = 'stop' | 'force-kill' | 'remove';

interface BulkActionsProps {
  agents: ReadonlyMap<string, AgentView>;
  /** The selection, as listed. */
  ids: readonly string[];
  actions: AgentActions;
  onRemoved: (agentId: string) => void;
  onClear: () => void;
}

export function BulkActions({ agents, ids, actions, onRemoved, onClear }: BulkActionsProps) {
  const connected = useConnected();
  const [asking, setAsking] = useState<{ kind: BulkKind; targets: string[]; skipped: number } | null>(null);

  const active: string[] = [];
  const ended: string[] = [];
  for (const id of ids) {
    const agent = agents.get(id);
    if (agent === undefined) continue;
    (isActive(agent.state) ? active : ended).push(id);
  }

  const ask = (kind: BulkKind) => {
    const targets = kind === 'remove' ? ended : active;
    setAsking({ kind, targets, skipped: ids.length - targets.length });
  };

  const confirm = () => {
    const current = asking;
    setAsking(null);
    if (current === null) return;
    for (const agentId of current.targets) {
      if (current.kind === 'remove') {
        void actions.remove(agentId).then((removed) => {
          if (removed) onRemoved(agentId);
        });
      } else {
        void actions.stop(agentId, current.kind === 'force-kill');
      }
    }
  };

  const button = (kind: BulkKind, label: string, count: number, danger: boolean) => (
    <button
      type="button"
      className={`button button-small${danger ? ' button-danger-quiet' : ''}`}
      disabled={!connected || count === 0}
      title={!connected ? OFFLINE_REASON : count === 0 ? (kind === 'remove' ? 'None of the selected agents has ended' : 'None of the selected agents is running') : undefined}
      onClick={() => ask(kind)}
    >
      {label} ({count})
    </button>
  );

  return (
    <div className="bulk-actions" role="toolbar" aria-label="Selected agents">
      <span className="bulk-count" aria-live="polite">
        {ids.length} selected
      </span>
      {button('stop', 'Stop selected', active.length, false)}
      {button('force-kill', 'Force kill selected', active.length, true)}
      {button('remove', 'Remove selected', ended.length, true)}
      <button type="button" className="button button-small bulk-clear" onClick={onClear}>
        Clear selection
      </button>
      {asking !== null && (
        <ConfirmDialog
          title={bulkTitle(asking.kind, asking.targets.length)}
          confirmLabel={asking.kind === 'remove' ? 'Remove' : asking.kind === 'force-kill' ? 'Force kill' : 'Stop'}
          onConfirm={confirm}
          onCancel={() => setAsking(null)}
          confirmDisabledReason={connected ? undefined : OFFLINE_REASON}
        >
          <p>
            {asking.kind === 'stop'
              ? 'Each whole process tree gets SIGTERM, then SIGTERM again, then SIGKILL for anything left; an agent waiting to restart has its restart cancelled.'
              : asking.kind === 'force-kill'
                ? 'It skips the graceful stages: every process tree gets SIGKILL at once, with no chance to save work or clean up.'
                : 'Their records and their logs are deleted. This cannot be undone.'}
          </p>
          {asking.skipped > 0 && (
            <p>
              {plural(asking.skipped, 'selected agent')} {asking.kind === 'remove' ? `${asking.skipped === 1 ? 'is' : 'are'} still running and` : `${asking.skipped === 1 ? 'has' : 'have'} already ended and`}{' '}
              {asking.skipped === 1 ? 'is' : 'are'} skipped.
            </p>
          )}
          <p className="mono small">{asking.targets.join(', ')}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function bulkTitle(kind: BulkKind, count: number): string {
  const what = plural(count, 'agent');
  switch (kind) {
    case 'stop':
      return `Stop ${what}?`;
    case 'force-kill':
      return `Force kill ${what}?`;
    case 'remove':
      return `Remove ${what}?`;
  }
}
