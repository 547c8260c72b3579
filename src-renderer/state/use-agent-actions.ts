/**
 * The calls that change an agent (stop, force kill, run again, restart, remove, open
 * its log folder), with what the detail panel shows about them: which call is
 * in flight, the last error, the last stop report. Kept above the detail so a
 * stop started from the list (Delete key) shows its progress and outcome when
 * the agent is opened, and a stop in flight survives switching agents.
 */
import { useCallback, useMemo, useState } from 'react';
import type { CorralApi, StopReportView } from '../../src-preload/contract';
import { settle } from './call-result';
import type { CorralStore } from './corral-store';

export type PendingAction = 'stop' | 'force' | 'run' | 'restart' | 'remove' | 'open' | 'reap';

export interface AgentActionStatus {
  pending: ReadonlySet<PendingAction>;
  error: string | null;
  stopReport: StopReportView | null;
}

const IDLE: AgentActionStatus = { pending: new Set(), error: null, stopReport: null };

export interface AgentActions {
  statusOf: (agentId: string) => AgentActionStatus;
  stop: (agentId: string, force: boolean) => Promise<void>;
  runAgain: (agentId: string) => Promise<boolean>;
  /** A graceful stop, then the same request again (a new run). */
  restart: (agentId: string) => Promise<boolean>;
  remove: (agentId: string) => Promise<boolean>;
  openLogFolder: (agentId: string) => Promise<void>;
  reapZombies: (agentId: string) => Promise<void>;
  clearError: (agentId: string) => void;
}

export function useAgentActions(api: CorralApi, store: CorralStore): AgentActions {
  const [statuses, setStatuses] = useState<ReadonlyMap<string, AgentActionStatus>>(() => new Map());

  const patch = useCallback((agentId: string, change: (previous: AgentActionStatus) => AgentActionStatus) => {
    setStatuses((previous) => {
      const next = new Map(previous);
      next.set(agentId, change(previous.get(agentId) ?? IDLE));
      return next;
    });
  }, []);

  const begin = useCallback(
    (agentId: string, action: PendingAction) => patch(agentId, (s) => ({ ...s, error: null, pending: new Set([...s.pending, action]) })),
    [patch],
  );
  const end = useCallback(
    (agentId: string, action: PendingAction, error: string | null, stopReport?: StopReportView) =>
      patch(agentId, (s) => {
        const pending = new Set(s.pending);
        pending.delete(action);
        return { pending, error, stopReport: stopReport ?? s.stopReport };
      }),
    [patch],
  );

  const stop = useCallback(
    async (agentId: string, force: boolean) => {
      const action = force ? 'force' : 'stop';
      begin(agentId, action);
      const result = await settle(() => api.stopAgent({ agentId, force }));
      if (result.ok) end(agentId, action, null, result.value);
      else end(agentId, action, `Could not stop the agent: ${result.message}`);
    },
    [api, begin, end],
  );

  const start = useCallback(
    async (agentId: string, action: 'run' | 'restart') => {
      begin(agentId, action);
      const result = await settle(() => (action === 'run' ? api.runAgain({ agentId }) : api.restartAgent({ agentId })));
      if (!result.ok) {
        end(agentId, action, `Could not ${action === 'run' ? 'run it again' : 'restart it'}: ${result.message}`);
        return false;
      }
      if (result.value.status === 'failed') {
        end(agentId, action, result.value.error ?? 'The agent could not be started.');
        return false;
      }
      // A fresh run: the previous stop report no longer describes it.
      patch(agentId, (s) => ({ ...s, stopReport: null }));
      end(agentId, action, null);
      const fresh = await settle(() => api.getAgent({ agentId }));
      if (fresh.ok) store.upsert(fresh.value);
      return true;
    },
    [api, begin, end, patch, store],
  );

  const runAgain = useCallback((agentId: string) => start(agentId, 'run'), [start]);
  const restart = useCallback((agentId: string) => start(agentId, 'restart'), [start]);

  const remove = useCallback(
    async (agentId: string) => {
      begin(agentId, 'remove');
      const result = await settle(() => api.removeAgent({ agentId }));
      if (!result.ok) {
        end(agentId, 'remove', `Could not remove it: ${result.message}`);
        return false;
      }
      store.forget(agentId);
      setStatuses((previous) => {
        const next = new Map(previous);
        next.delete(agentId);
        return next;
      });
      return true;
    },
    [api, begin, end, store],
  );

  const openLogFolder = useCallback(
    async (agentId: string) => {
      begin(agentId, 'open');
      const result = await settle(() => api.openLogFolder({ agentId }));
      end(agentId, 'open', result.ok ? null : `Could not open the log folder: ${result.message}`);
    },
    [api, begin, end],
  );

  const reapZombies = useCallback(
    async (agentId: string) => {
      begin(agentId, 'reap');
      const result = await settle(() => api.reapZombies());
      end(agentId, 'reap', result.ok ? null : `Could not reap the zombies: ${result.message}`);
    },
    [api, begin, end],
  );

  const clearError = useCallback((agentId: string) => patch(agentId, (s) => ({ ...s, error: null })), [patch]);

  const statusOf = useCallback((agentId: string) => statuses.get(agentId) ?? IDLE, [statuses]);

  return useMemo(
    () => ({ statusOf, stop, runAgain, restart, remove, openLogFolder, reapZombies, clearError }),
    [statusOf, stop, runAgain, restart, remove, openLogFolder, reapZombies, clearError],
  );
}
