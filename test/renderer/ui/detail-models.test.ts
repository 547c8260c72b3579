import { describe, expect, it } from 'vitest';
import type { ProcessView, StopProgressView } from '../../../src-preload/contract';
import { appendPoint, downsample, mergeHistory } from '../../../src-renderer/detail/history-series';
import { orderProcessTree } from '../../../src-renderer/detail/process-tree-order';
import { runBars } from '../../../src-renderer/detail/run-timeline';
import { msLeft, stageFraction, stageStatus } from '../../../src-renderer/detail/stop-progress-model';
import { runView } from './fixtures';

const stageMs = { term1: 10_000, term2: 5_000, kill: 5_000 };

describe('stop progress', () => {
  it('marks stages done, current and pending', () => {
    const progress: StopProgressView = { stage: 'term2', forced: false, deadline: 20_000, stageMs };
    expect(stageStatus(progress, 'term1')).toBe('done');
    expect(stageStatus(progress, 'term2')).toBe('current');
    expect(stageStatus(progress, 'kill')).toBe('pending');
    expect(msLeft(progress, 17_000)).toBe(3_000);
    expect(stageFraction(progress, 17_000)).toBeCloseTo(0.4);
    expect(msLeft(progress, 25_000)).toBe(0);
  });

  it('shows the graceful stages as skipped for a forced stop', () => {
    const progress: StopProgressView = { stage: 'kill', forced: true, deadline: 1, stageMs };
    expect(stageStatus(progress, 'term1')).toBe('skipped');
    expect(stageStatus(progress, 'kill')).toBe('current');
  });

  it('assumes the first stage before the engine reported one', () => {
    expect(stageStatus(null, 'term1')).toBe('current');
    expect(stageStatus(null, 'kill')).toBe('pending');
  });
});

function proc(pid: number, ppid: number): ProcessView {
  return { pid, ppid, status: 'sleeping', cpuPercent: 0, memoryMb: 1, numThreads: 1, name: `p${pid}`, command: null };
}

describe('orderProcessTree', () => {
  it('puts each process under its parent with its depth', () => {
    const ordered = orderProcessTree([proc(10, 1), proc(12, 10), proc(11, 10), proc(13, 12), proc(99, 42)]);
    expect(ordered.map(({ process, depth }) => [process.pid, depth])).toEqual([
      [10, 0],
      [12, 1],
      [13, 2],
      [11, 1],
      [99, 0],
    ]);
  });

  it('survives ppid cycles', () => {
    const ordered = orderProcessTree([proc(1, 2), proc(2, 1), proc(3, 3)]);
    expect(ordered.map(({ process }) => process.pid).sort()).toEqual([1, 2, 3]);
  });
});

describe('history series', () => {
  it('merges ticks that arrived before the history, without doubles', () => {
    const history = [1, 2, 3].map((at) => ({ at, cpu: at, memory: at }));
    const pending = [2, 3, 4, 5].map((at) => ({ at, cpu: 0, memory: 0 }));
    expect(mergeHistory(history, pending).map((point) => point.at)).toEqual([1, 2, 3, 4, 5]);
    expect(mergeHistory(history, pending, 2).map((point) => point.at)).toEqual([4, 5]);
  });

  it('appends newer points only, capped', () => {
    let points = appendPoint([], { at: 1, cpu: 1, memory: 1 }, 2);
    points = appendPoint(points, { at: 1, cpu: 9, memory: 9 }, 2);
    expect(points).toHaveLength(1);
    points = appendPoint(points, { at: 2, cpu: 2, memory: 2 }, 2);
    points = appendPoint(points, { at: 3, cpu: 3, memory: 3 }, 2);
    expect(points.map((point) => point.at)).toEqual([2, 3]);
  });
});

describe('downsample', () => {
  it('keeps short series as they are and bounds long ones, keeping each bucket\'s peak and gaps', () => {
    const short = [{ at: 1, cpu: 1, memory: 1 }];
    expect(downsample(short, 10)).toBe(short);
    const long = Array.from({ length: 1000 }, (_, i) => ({ at: i, cpu: i === 503 ? 99 : 1, memory: i >= 900 ? null : 5 }));
    const result = downsample(long, 100);
    expect(result).toHaveLength(100);
    expect(result[50]).toEqual({ at: 509, cpu: 99, memory: 5 });
    expect(result[99]).toEqual({ at: 999, cpu: 1, memory: null });
    expect(Math.max(...result.map((point) => point.cpu ?? 0))).toBe(99);
  });
});

describe('run timeline', () => {
  it('places each run on one axis from the first start to the last end', () => {
    const runs = [
      runView(1, { startedAt: '2025-01-01T00:00:00.000Z', endedAt: '2025-01-01T00:00:01.000Z', durationMs: 1000 }),
      runView(2, { startedAt: '2025-01-01T00:00:03.000Z', endedAt: '2025-01-01T00:00:04.000Z', durationMs: 1000, exit: null }),
    ];
    const bars = runBars(runs, Date.parse('2025-01-01T00:00:10.000Z'));
    expect(bars.map((bar) => [bar.run, bar.startFraction, bar.widthFraction])).toEqual([
      [1, 0, 0.25],
      [2, 0.75, 0.25],
    ]);
    expect(bars.map((bar) => bar.outcome)).toEqual(['failed', 'running']);
    expect(runBars([], 0)).toEqual([]);
  });
});
