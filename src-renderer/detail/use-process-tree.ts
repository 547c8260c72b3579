/**
 * The opened agent's process list, refreshed on each status tick while the
 * Overview tab is visible. One request at a time: a slow answer is never
 * overtaken by the next tick's request, and ticks during it are skipped.
 */
import { useEffect, useRef, useState } from 'react';
import type { CorralApi, ProcessView } from '../../src-preload/contract';
import { errorText } from '../state/call-result';

export function useProcessTree(
  api: CorralApi,
  agentId: string,
  visible: boolean,
  /** Changes on every status tick (and stops changing once the agent ended). */
  tick: unknown,
): { processes: ProcessView[] | null; error: string | null } {
  const [processes, setProcesses] = useState<ProcessView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const inFlight = useRef(false);
  const current = useRef(agentId);

  useEffect(() => {
    current.current = agentId;
    setProcesses(null);
    setError(null);
  }, [agentId]);

  useEffect(() => {
    if (!visible || inFlight.current) return;
    inFlight.current = true;
    const askedFor = agentId;
    void api.getProcessTree({ agentId: askedFor }).then(
      (result) => {
        inFlight.current = false;
        if (current.current !== askedFor) return;
        if (result.ok) {
          setProcesses(result.value);
          setError(null);
        } else if (result.error.code !== 'closed') {
          setError(errorText(result.error));
        }
        // 'closed': the connection is down. The banner says so and the table keeps its last-known rows (shown stale).
      },
      (thrown: unknown) => {
        inFlight.current = false;
        if (current.current === askedFor) setError(thrown instanceof Error ? thrown.message : String(thrown));
      },
    );
  }, [api, agentId, visible, tick]);

  return { processes, error };
}
