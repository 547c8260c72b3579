/**
 * Pause / Resume of the opened agent: which call a click makes (a running
 * agent pauses, a paused one resumes), whether it is in flight, and why the
 * last one failed. The answer is the agent's fresh view, put in the store at
 * once rather than waiting for the next tick. Kept per agent id, so what one
 * agent's call left is never shown on another's detail.
 */
import { useCallback, useState } from 'react';
import type { AgentView, CorralApi } from '../../src-preload/contract';
import { settle } from '../state/call-result';
import type { CorralStore } from '../state/corral-store';

export interface PauseAction {
  /** The state the click asks for, or null when neither applies (not running, not paused). */
  next: 'paused' | 'running' | null;
  pending: boolean;
  error: string | null;
  toggle: () => void;
}

export function usePause(api: CorralApi, store: CorralStore, agent: AgentView): PauseAction {
  const agentId = agent.agentId;
  const [call, setCall] = useState<{ agentId: string; pending: boolean; error: string | null } | null>(null);
  const mine = call?.agentId === agentId ? call : null;
  const next = agent.state === 'running' ? 'paused' : agent.state === 'paused' ? 'running' : null;
  const toggle = useCallback(() => {
    if (next === null) return;
    setCall({ agentId, pending: true, error: null });
    void settle(() => (next === 'paused' ? api.pauseAgent({ agentId }) : api.resumeAgent({ agentId }))).then((result) => {
      if (result.ok) store.upsert(result.value);
      const error = result.ok ? null : `Could not ${next === 'paused' ? 'pause' : 'resume'} it: ${result.message}`;
      setCall((current) => (current?.agentId === agentId ? { agentId, pending: false, error } : current));
    });
  }, [api, store, agentId, next]);
  return { next, pending: mine?.pending ?? false, error: mine?.error ?? null, toggle };
}
