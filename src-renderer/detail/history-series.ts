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
