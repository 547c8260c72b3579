/** Where each run's bar sits on the Runs timeline: one axis from the first start to the last end (or now). */
import type { RunView } from '../../src-preload/contract';

export interface RunBar {
  run: number;
  /** 0…1 along the axis. */
  startFraction: number;
  widthFraction: number;
  outcome: 'running' | 'ok' | 'failed' | 'stopped';
}

function outcomeOf(run: RunView): RunBar['outcome'] {
  const exit = run.exit;
  if (exit === null) return 'running';
  if (exit.kind === 'stopped') return 'stopped';
  return exit.kind === 'exited' && exit.code === 0 ? 'ok' : 'failed';
}

export function runBars(runs: readonly RunView[], nowMs: number): RunBar[] {
  const spans = runs.map((run) => {
    const start = Date.parse(run.startedAt);
    const endText = run.endedAt === null ? null : Date.parse(run.endedAt);
    const end = endText ?? (run.durationMs !== null ? start + run.durationMs : nowMs);
    return { run, start, end: Math.max(start, Number.isNaN(end) ? start : end) };
  });
  const valid = spans.filter((span) => !Number.isNaN(span.start));
  if (valid.length === 0) return [];
  const first = Math.min(...valid.map((span) => span.start));
  const last = Math.max(...valid.map((span) => span.end));
  const total = Math.max(1, last - first);
  return valid.map(({ run, start, end }) => ({
    run: run.run,
    startFraction: (start - first) / total,
    widthFraction: (end - start) / total,
    outcome: outcomeOf(run),
  }));
}
