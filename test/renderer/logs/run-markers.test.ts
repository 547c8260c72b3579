/**
 * Where the marker line between runs goes (run-markers.ts), and the mapping
 * between the view's rows (lines plus markers) and the store's lines.
 */
import { describe, expect, it } from 'vitest';
import type { RunView } from '../../../src-preload/contract';
import { LogModel } from '../../../src-renderer/logs/log-model';
import { markersOf, markerText, rowAt, rowOfLine } from '../../../src-renderer/logs/run-markers';
import { encode } from './helpers';

function run(n: number, stdout: number, stderr: number, trigger: RunView['trigger'] = 'restart'): RunView {
  return {
    run: n,
    trigger,
    pid: 100 + n,
    startedAt: new Date(2026, 11, 7, 14, 2, n).toISOString(),
    endedAt: null,
    durationMs: null,
    exit: null,
    peakCpuPercent: null,
    peakMemoryMb: null,
    logStart: { stdout, stderr },
  };
}

/** Three runs: run 1 prints "a1\n" (out) and "e1\n" (err); run 2 "a2\n"; run 3 "e3\n". */
function model(): LogModel {
  const m = new LogModel();
  m.start('stdout', 0);
  m.start('stderr', 0);
  m.append('stdout', encode('a1\n'), [{ offset: 0, at: 1 }]);
  m.append('stderr', encode('e1\n'), [{ offset: 0, at: 2 }]);
  m.append('stdout', encode('a2\n'), [{ offset: 3, at: 3 }]);
  m.append('stderr', encode('e3\n'), [{ offset: 3, at: 4 }]);
  return m;
}

const RUNS = [run(1, 0, 0, 'user'), run(2, 3, 3), run(3, 6, 3)];

describe('run markers', () => {
  it('go before each later run\'s first line, in each stream\'s view and the combined one; the first run at offset 0 has none', () => {
    const store = model().store;
    expect(markersOf(store, 'both', RUNS).map((m) => [m.run.run, m.before])).toEqual([
      [2, 2],
      [3, 3],
    ]);
    // stdout: run 2 before "a2"; run 3 printed no stdout yet, so at the end.
    expect(markersOf(store, 'stdout', RUNS).map((m) => [m.run.run, m.before])).toEqual([
      [2, 1],
      [3, 2],
    ]);
    // stderr: run 2 printed nothing on stderr before run 3's "e3": both markers before it, in run order.
    expect(markersOf(store, 'stderr', RUNS).map((m) => [m.run.run, m.before])).toEqual([
      [2, 1],
      [3, 1],
    ]);
  });

  it('rows and lines map both ways around the markers', () => {
    const store = model().store;
    const markers = markersOf(store, 'both', RUNS);
    const rows = Array.from({ length: store.count('both') + markers.length }, (_, row) => {
      const at = rowAt(markers, row);
      return at.kind === 'marker' ? `run ${at.marker.run.run}` : store.line('both', at.line)!.text;
    });
    expect(rows).toEqual(['a1', 'e1', 'run 2', 'a2', 'run 3', 'e3']);
    for (let line = 0; line < store.count('both'); line++) expect(rowAt(markers, rowOfLine(markers, line))).toEqual({ kind: 'line', line });
  });

  it('a run that starts before the kept lines is not marked', () => {
    const m = new LogModel();
    m.start('stdout', 100);
    m.start('stderr', 100);
    m.append('stdout', encode('late\n'));
    expect(markersOf(m.store, 'both', [run(2, 50, 50)])).toEqual([]);
    expect(markersOf(m.store, 'both', [run(2, 105, 100)]).map((mk) => mk.before)).toEqual([1]);
  });

  it('names the run, its trigger and its start time', () => {
    const { label, text } = markerText(run(2, 3, 3));
    expect(label).toMatch(/^Run 2 started \(restart\) at 14:02:02( on 2026-12-07)?$/);
    expect(text).toContain('Run 2 · restart · 14:02:02');
  });
});
