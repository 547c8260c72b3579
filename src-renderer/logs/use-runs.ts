/** The agent's run history for the Logs tab's markers between runs (run-markers.ts). */
import { useEffect, useState } from 'react';
import type { CorralApi, RunView } from '../../src-preload/contract';

/** While live, the run history is asked again this often (a restart adds a run, and its marker). */
const RUNS_CHECK_MS = 2_000;

/** The agent's runs (for the markers between them): at start, when `live` changes, and every RUNS_CHECK_MS while live. */
export function useRuns(api: CorralApi, agentId: string, live: boolean): RunView[] {
  const [runs, setRuns] = useState<RunView[]>([]);
  useEffect(() => {
    let cancelled = false;
    const fetchRuns = () =>
      void api
        .getRunHistory({ agentId })
        .then((result) => {
          if (!cancelled && result.ok) setRuns((previous) => (JSON.stringify(previous) === JSON.stringify(result.value) ? previous : result.value));
        })
        .catch(() => undefined); // the markers are a convenience: the lines are there without them
    fetchRuns();
    const timer = live ? setInterval(fetchRuns, RUNS_CHECK_MS) : null;
    return () => {
      cancelled = true;
      if (timer !== null) clearInterval(timer);
    };
  }, [api, agentId, live]);
  return runs;
}
