/**
 * The marker line between runs ("── Run 3 · restart · 14:02:11 ──"): where
 * each run's output starts among the kept lines, and the mapping between the
 * rows the view shows (lines plus markers) and the store's line indices.
 *
 * A run's start is its logical offsets in both logs (RunView.logStart, taken
 * when the child got its files). In one stream's view the marker goes before
 * that stream's first line at or after the offset; in the combined view before
 * the earlier (in display order) of the two. A run that starts before what is
 * kept is not marked (its place is unknown until "Load older" reaches it); nor
 * one that starts at the very beginning of both logs (nothing to separate).
 * At most MAX_RUNS markers (getRunHistory's bound): the mappings are O(runs).
 */
import type { RunView } from '../../src-preload/contract';
import type { LineStore, LogStream, StreamMode } from './line-store';

export interface RunMarker {
  /** The store index (in the view's mode) of the first line of the run; `count` when it has printed nothing yet. */
  readonly before: number;
  readonly run: RunView;
}

/** A row of the view: a marker, or the store's line at `line`. */
export type ViewRow = { kind: 'marker'; marker: RunMarker } | { kind: 'line'; line: number };

const TRIGGER_WORDS: Record<RunView['trigger'], string> = { user: 'started by a user', restart: 'restart', guard: 'resource guard restart' };

/** The markers for `runs` among what `store` keeps in `mode`, in display order. */
export function markersOf(store: LineStore, mode: StreamMode, runs: readonly RunView[]): RunMarker[] {
  const streams: LogStream[] = mode === 'both' ? ['stdout', 'stderr'] : [mode];
  const count = store.count(mode);
  const markers: RunMarker[] = [];
  for (const run of runs) {
    const start = run.logStart;
    if (start == null || (start.stdout === 0 && start.stderr === 0)) continue;
    let firstSeq = Number.POSITIVE_INFINITY;
    let known = false;
    for (const stream of streams) {
      if (store.firstKeptOffset(stream) > start[stream]) continue;
      known = true;
      const at = store.indexAtOffset(stream, start[stream]);
      const line = store.line(stream, at);
      if (line !== undefined) firstSeq = Math.min(firstSeq, line.seq);
    }
    if (!known) continue;
    markers.push({ before: firstSeq === Number.POSITIVE_INFINITY ? count : store.indexOfSeq(mode, firstSeq), run });
  }
  return markers.sort((a, b) => a.before - b.before || a.run.run - b.run.run);
}

/** What the view shows at row `row`. */
export function rowAt(markers: readonly RunMarker[], row: number): ViewRow {
  let k = 0;
  for (const marker of markers) {
    const at = marker.before + k;
    if (row === at) return { kind: 'marker', marker };
    if (row < at) break;
    k++;
  }
  return { kind: 'line', line: row - k };
}

/** The view's row of the store's line `line`. */
export function rowOfLine(markers: readonly RunMarker[], line: number): number {
  let k = 0;
  for (const marker of markers) if (marker.before <= line) k++;
  return line + k;
}

/** "14:02:11" in local time, the date added when it is not today's. */
export function clockTime(ms: number, now: Date = new Date()): string {
  const at = new Date(ms);
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  return at.toDateString() === now.toDateString() ? time : `${time} on ${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** "14:02:11.042": a line's seen-at time, to the tail's resolution (milliseconds, from the file's mtime). */
export function seenTime(ms: number): string {
  const at = new Date(ms);
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, '0')}`;
}

/** The marker's accessible name and its visible text. */
export function markerText(run: RunView): { label: string; text: string } {
  const time = clockTime(Date.parse(run.startedAt));
  const trigger = TRIGGER_WORDS[run.trigger];
  return { label: `Run ${run.run} started (${trigger}) at ${time}`, text: `── Run ${run.run} · ${trigger} · ${time} ──` };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
