/**
 * The three stages of a graceful stop, the current one highlighted, with a
 * live countdown to its deadline (the engine sends the deadline; the UI only
 * counts). A forced stop shows the graceful stages as skipped.
 */
import { useEffect, useState } from 'react';
import type { StopProgressView } from '../../src-preload/contract';
import { formatCountdown } from '../format/format';
import { STOP_STAGES, stageFraction, stageStatus } from './stop-progress-model';

/** Re-renders every `intervalMs` while mounted: the countdown's clock. */
function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export function StopProgress({ progress }: { progress: StopProgressView | null }) {
  const now = useNow(200);
  return (
    <div role="group" aria-label="Stop progress" className="stop-progress">
      <ol className="stop-stages">
        {STOP_STAGES.map(({ stage, label }) => {
          const status = stageStatus(progress, stage);
          const isCurrent = status === 'current';
          return (
            <li key={stage} className={`stop-stage is-${status}`} aria-current={isCurrent ? 'step' : undefined}>
              <span className="stop-stage-label">{label}</span>
              <span className="stop-stage-detail">
                {isCurrent && progress !== null ? (
                  <>
                    <span className="countdown num" aria-label={`next stage in ${formatCountdown(progress.deadline, now)}`}>
                      {formatCountdown(progress.deadline, now)}
                    </span>
                    <span className="stage-bar" aria-hidden="true">
                      <span className="stage-bar-fill" style={{ width: `${Math.round(stageFraction(progress, now) * 100)}%` }} />
                    </span>
                  </>
                ) : isCurrent ? (
                  'starting…'
                ) : status === 'skipped' ? (
                  'skipped (forced)'
                ) : status === 'done' ? (
                  'sent'
                ) : progress !== null ? (
                  `${(progress.stageMs[stage] / 1000).toFixed(0)} s`
                ) : (
                  ''
                )}
              </span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
