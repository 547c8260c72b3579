/** What a finished stop did: how many processes, which stage ended how many, who survived, which sub-agents it stopped first. */
import type { StopReportView } from '../../src-preload/contract';
import { formatTimestamp, plural } from '../format/format';
import { STOP_STAGES } from './stop-progress-model';

const OUTCOME: Record<StopReportView['outcome'], string> = {
  stopped: 'Stopped',
  unkillable: 'Could not be killed',
  'already-ended': 'Had already ended',
};

export function StopReport({ report }: { report: StopReportView }) {
  const bad = report.outcome === 'unkillable' || report.survivors.length > 0;
  return (
    <section className={`stop-report${bad ? ' is-bad' : ''}`} aria-label="Stop report">
      <h3 className="section-title">
        Last stop: {OUTCOME[report.outcome]}
        {report.forced ? ' (forced)' : ''}
      </h3>
      <p className="muted small">
        {formatTimestamp(report.startedAt)} · took {(report.durationMs / 1000).toFixed(1)} s · {plural(report.processCount, 'process', 'processes')}
      </p>
      <ul className="stop-report-stages">
        {STOP_STAGES.map(({ stage, label }) => (
          <li key={stage}>
            <span className="muted">{label}</span> ended <strong className="num">{report.endedByStage[stage] ?? 0}</strong>
          </li>
        ))}
      </ul>
      {report.children !== undefined && report.children.length > 0 && (
        <div className="stop-report-children">
          <strong>Sub-agents stopped first:</strong>
          <ul>
            {report.children.map((child) => (
              <li key={child.agentId}>
                <span className="mono">{child.agentId}</span> <span className="muted">{OUTCOME[child.outcome].toLowerCase()}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {report.survivors.length > 0 && (
        <div className="survivors">
          <strong>Survivors:</strong>
          <ul>
            {report.survivors.map((survivor) => (
              <li key={survivor.pid} className="mono">
                {survivor.pid} {survivor.name}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
