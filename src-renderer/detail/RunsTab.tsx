/**
 * Runs: every run of the agent on record (its first start, each restart, each
 * Run again) as a timeline — a bar per run placed on one time axis — and a
 * table with how each began and ended, and its peak CPU and memory.
 * Newest first. A run that never started shows what was tried (argv, working
 * directory, PATH).
 */
import type { AgentView, CorralApi, RunView } from '../../src-preload/contract';
import { formatArg, formatCpu, formatDuration, formatMemory, formatTimestamp, MISSING } from '../format/format';
import { useNow } from '../state/use-now';
import { runBars } from './run-timeline';
import { useRunHistory } from './use-run-history';

const TRIGGER_LABEL: Record<RunView['trigger'], string> = {
  user: 'By hand',
  restart: 'Restart',
  guard: 'Guard',
};

export function RunsTab({ api, agent }: { api: CorralApi; agent: AgentView }) {
  const { runs, error } = useRunHistory(api, agent.agentId, `${agent.runCount}:${agent.state}:${agent.startedAt ?? ''}`);
  const running = runs?.some((run) => run.exit === null) ?? false;
  const now = useNow(1000, running);

  if (error !== null && runs === null) {
    return (
      <p className="inline-alert" role="alert">
        Could not load the runs: {error}
      </p>
    );
  }
  if (runs === null) return <p className="muted">Loading the runs…</p>;
  return <RunsView runs={runs} now={now} error={error} />;
}

/** The timeline and the table for `runs` (oldest first, as getRunHistory returns them). Separate so it renders without a host. */
export function RunsView({ runs, now, error = null }: { runs: readonly RunView[]; now: number; error?: string | null }) {
  const bars = runBars(runs, now);
  const newestFirst = [...runs].reverse();
  return (
    <div className="runs">
      {error !== null && (
        <p className="inline-alert" role="alert">
          Could not refresh the runs: {error}
        </p>
      )}
      {runs.length === 0 ? (
        <p className="muted">No runs on record yet.</p>
      ) : (
        <div className="run-timeline" aria-hidden="true">
          {bars.map((bar) => (
            <span
              key={bar.run}
              className={`run-bar run-bar-${bar.outcome}`}
              style={{ insetInlineStart: `${bar.startFraction * 100}%`, width: `max(3px, ${bar.widthFraction * 100}%)` }}
              title={`Run ${bar.run}`}
            />
          ))}
        </div>
      )}
      <div className="table-scroll">
        <table className="process-table runs-table" aria-label="Runs">
          <thead>
            <tr>
              <th scope="col" className="num">
                Run
              </th>
              <th scope="col">Started</th>
              <th scope="col" className="num">
                Duration
              </th>
              <th scope="col" className="num">
                Peaks
              </th>
              <th scope="col">Exit</th>
            </tr>
          </thead>
          <tbody>
            {newestFirst.map((run) => (
              <RunRow key={run.run} run={run} now={now} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function RunRow({ run, now }: { run: RunView; now: number }) {
  const started = Date.parse(run.startedAt);
  const durationMs = run.durationMs ?? (run.exit === null && !Number.isNaN(started) ? now - started : null);
  const exit = run.exit;
  return (
    <tr className={exit === null ? 'is-running' : exit.kind === 'exited' && exit.code === 0 ? 'is-ok' : `is-${exit.kind}`}>
      <td className="num mono">{run.run}</td>
      <td>
        <span className="run-started">{formatTimestamp(run.startedAt)}</span>
        <span className="run-trigger muted">{TRIGGER_LABEL[run.trigger]}</span>
      </td>
      <td className="num">{formatDuration(durationMs)}</td>
      <td className="num run-peaks">
        <span title="Peak CPU of the whole tree">{formatCpu(run.peakCpuPercent)}</span>
        <span title="Peak memory of the whole tree">{formatMemory(run.peakMemoryMb)}</span>
      </td>
      <td className="run-exit">
        {exit === null ? (
          <span className="muted">running{run.pid === null ? '' : ` (PID ${run.pid})`}</span>
        ) : (
          <>
            <span>{exit.summary}</span>
            {exit.possiblyOutOfMemory && (
              <span className="badge badge-oom" title="Ended by a SIGKILL Corral did not send: usually the kernel's out-of-memory killer">
                possibly out of memory
              </span>
            )}
            {exit.spawn !== null && (
              <dl className="spawn-facts mono">
                <div>
                  <dt>Command</dt>
                  <dd>{exit.spawn.argv.map(formatArg).join(' ')}</dd>
                </div>
                <div>
                  <dt>Working directory</dt>
                  <dd>{exit.spawn.cwd}</dd>
                </div>
                <div>
                  <dt>PATH</dt>
                  <dd>{exit.spawn.path === '' ? MISSING : exit.spawn.path}</dd>
                </div>
              </dl>
            )}
          </>
        )}
      </td>
    </tr>
  );
}
