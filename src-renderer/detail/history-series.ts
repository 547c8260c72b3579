/**
 * The detail charts' data: the engine's retained history, fetched once when
 * an agent is opened, then extended from status ticks. Pure helpers; arrays
 * are replaced (not mutated) because recharts redraws on a new data array,
 * which is fine for the one opened agent (the list never uses this).
 */
import type { HistoryPointView } from '../../src-preload/contract';

export interface ChartPoint {
  at: number;
  cpu: number | null;
  memory: number | null;
}

/** Points kept for the detail charts (the engine's ring is the real limit). */
export const DETAIL_HISTORY_POINTS = 600;

export function fromHistory(points: readonly HistoryPointView[]): ChartPoint[] {
  return points.map((point) => ({ at: point.at, cpu: point.treeCpuPercent, memory: point.treeMemoryMb }));
}

/** Appends one point, dropping the oldest past `capacity`; ignores a point not newer than the last. */
export function appendPoint(points: readonly ChartPoint[], point: ChartPoint, capacity = DETAIL_HISTORY_POINTS): readonly ChartPoint[] {
  const last = points[points.length - 1];
  if (last !== undefined && point.at <= last.at) return points;
  const start = points.length >= capacity ? points.length - capacity + 1 : 0;
  const next = points.slice(start);
  next.push(point);
  return next;
}

/** The fetched history plus the ticks that arrived while it was on its way (only the newer ones). */
export function mergeHistory(history: readonly ChartPoint[], pending: readonly ChartPoint[], capacity = DETAIL_HISTORY_POINTS): ChartPoint[] {
  const lastAt = history[history.length - 1]?.at ?? Number.NEGATIVE_INFINITY;
  const merged = [...history, ...pending.filter((point) => point.at > lastAt)];
  return merged.length > capacity ? merged.slice(merged.length - capacity) : merged;
}

/** Points a detail chart draws; more would cost render time without showing more on a few hundred pixels. */
export const CHART_POINTS = 200;

/**
 * At most `max` points, each bucket represented by its highest sample (a
 * spike stays visible) at the bucket's last time. A bucket with no reading
 * at all stays a gap.
 */
export function downsample(points: readonly ChartPoint[], max = CHART_POINTS): readonly ChartPoint[] {
  if (points.length <= max) return points;
  const size = points.length / max;
  const result: ChartPoint[] = [];
  for (let bucket = 0; bucket < max; bucket += 1) {
    const start = Math.floor(bucket * size);
    const end = Math.floor((bucket + 1) * size);
    let cpu: number | null = null;
    let memory: number | null = null;
    for (let i = start; i < end; i += 1) {
      const point = points[i]!;
      if (point.cpu !== null && (cpu === null || point.cpu > cpu)) cpu = point.cpu;
      if (point.memory !== null && (memory === null || point.memory > memory)) memory = point.memory;
    }
    result.push({ at: points[end - 1]!.at, cpu, memory });
  }
  return result;
}
