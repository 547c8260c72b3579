/**
 * An agent's runs (getRunHistory), fetched again whenever `refreshKey`
 * changes (the detail passes its run count and state: a run began or ended).
 * The previous list stays in view while the next one loads; an answer that
 * arrives after a newer request was made is dropped.
 */
import { useEffect, useRef, useState } from 'react';
import type { CorralApi, RunView } from '../../src-preload/contract';
import { settle } from '../state/call-result';

export function useRunHistory(api: CorralApi, agentId: string, refreshKey: string): { runs: RunView[] | null; error: string | null } {
  const [runs, setRuns] = useState<RunView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);

  useEffect(() => {
    setRuns(null);
    setError(null);
  }, [agentId]);

  useEffect(() => {
    const request = ++latest.current;
    void settle(() => api.getRunHistory({ agentId })).then((result) => {
      if (request !== latest.current) return;
      if (result.ok) {
        setRuns(result.value);
        setError(null);
      } else {
        setError(result.message);
      }
    });
  }, [api, agentId, refreshKey]);

  return { runs, error };
}
