/**
 * HistoryChart loaded on first use: recharts (and d3 under it) is most of the
 * renderer's code, and only an open Overview draws it, so the list paints
 * without it. Until the chunk has loaded, a placeholder of the same figure
 * (caption, latest value, an empty box of the chart's size) holds the place,
 * so nothing moves when the chart arrives.
 */
import { lazy, Suspense, type ComponentProps } from 'react';
import type { HistoryChart as HistoryChartType } from './HistoryChart';

const HistoryChart = lazy(() => import('./HistoryChart').then((module) => ({ default: module.HistoryChart })));

type HistoryChartProps = ComponentProps<typeof HistoryChartType>;

/** HistoryChart, loaded lazily, with a same-size placeholder meanwhile. */
export function LazyHistoryChart(props: HistoryChartProps) {
  return (
    <Suspense fallback={<HistoryChartPlaceholder {...props} />}>
      <HistoryChart {...props} />
    </Suspense>
  );
}

function HistoryChartPlaceholder({ label, points, metric, format }: HistoryChartProps) {
  const latest = points[points.length - 1]?.[metric] ?? null;
  return (
    <figure className={`history-chart chart-${metric}`} aria-busy="true">
      <figcaption className="chart-caption">
        <span>{label}</span>
        <span className="num">{format(latest)}</span>
      </figcaption>
      <div className="chart-box" />
    </figure>
  );
}
