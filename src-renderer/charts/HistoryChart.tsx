/**
 * One metric of the opened agent over time (recharts, animation off: a chart
 * that tweens on every tick reads as jitter and costs frames). The points are
 * deferred so a status tick paints the list and header first and the chart in
 * the next idle slice, and redrawn at most once per CHART_REDRAW_MS: a
 * recharts redraw costs several times the whole 100-row list's tick (`npm run
 * bench`, browser section), while the caption's figure follows every tick.
 */
import { memo, useCallback, useDeferredValue, useMemo } from 'react';
import { useThrottled } from './use-throttled';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatClock } from '../format/format';
import { downsample, type ChartPoint } from '../detail/history-series';

/** The chart's line moves at most this often; at the default one-second sampling that is every tick. */
const CHART_REDRAW_MS = 1000;

interface HistoryChartProps {
  label: string;
  points: readonly ChartPoint[];
  metric: 'cpu' | 'memory';
  format: (value: number | null) => string;
  /** The y axis never shrinks below this, so a near-idle agent does not look busy. */
  floor: number;
}

function HistoryChartImpl({ label, points, metric, format, floor }: HistoryChartProps) {
  // The urgent render (the tick itself) passes the previous array to ChartBody,
  // whose memo then skips all of recharts; the new array renders right after.
  const deferred = useDeferredValue(useThrottled(points, CHART_REDRAW_MS));
  const data = useMemo(() => downsample(deferred), [deferred]);
  const latest = points[points.length - 1]?.[metric] ?? null;
  return (
    <figure className={`history-chart chart-${metric}`}>
      <figcaption className="chart-caption">
        <span>{label}</span>
        <span className="num">{format(latest)}</span>
      </figcaption>
      <div role="img" aria-label={label} className="chart-box">
        <ChartBody data={data} label={label} metric={metric} format={format} floor={floor} />
      </div>
    </figure>
  );
}

interface ChartBodyProps {
  data: readonly ChartPoint[];
  label: string;
  metric: 'cpu' | 'memory';
  format: (value: number | null) => string;
  floor: number;
}

const MARGIN = { top: 6, right: 8, bottom: 0, left: 0 };
const TICK = { fontSize: 11 };
const TOOLTIP_STYLE = { background: 'var(--surface-raised)', border: '1px solid var(--line)', borderRadius: 6, color: 'var(--fg)' };
const INITIAL = { width: 320, height: 140 };
const X_DOMAIN = ['dataMin', 'dataMax'] as const;
const tooltipLabel = (value: unknown) => formatClock(Number(value));

const ChartBody = memo(function ChartBody({ data, label, metric, format, floor }: ChartBodyProps) {
  // Same identities on every redraw: recharts 3 keeps each axis's and the tooltip's settings in its own
  // store and replaces them when a prop's identity changes, so inline arrays and functions cost an update each.
  const yDomain = useMemo(() => [0, (dataMax: number) => Math.max(floor, Math.ceil(dataMax * 1.1))] as const, [floor]);
  const yTick = useCallback((value: number) => format(value), [format]);
  const tooltipValue = useCallback((value: unknown) => [format(typeof value === 'number' ? value : null), label] as [string, string], [format, label]);
  if (data.length < 2) return <p className="chart-empty muted">{data.length === 0 ? 'No samples yet' : 'Collecting samples…'}</p>;
  return (
    <ResponsiveContainer width="100%" height="100%" initialDimension={INITIAL}>
      <LineChart data={data as ChartPoint[]} margin={MARGIN} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="2 4" vertical={false} className="chart-grid" />
        <XAxis dataKey="at" type="number" domain={X_DOMAIN} scale="time" tickFormatter={formatClock} minTickGap={48} tick={TICK} stroke="currentColor" className="chart-axis" />
        <YAxis width={52} domain={yDomain} tickFormatter={yTick} tick={TICK} stroke="currentColor" className="chart-axis" />
        <Tooltip isAnimationActive={false} labelFormatter={tooltipLabel} formatter={tooltipValue} contentStyle={TOOLTIP_STYLE} />
        <Line type="linear" dataKey={metric} stroke="currentColor" className="chart-line" strokeWidth={1.75} dot={false} isAnimationActive={false} connectNulls={false} />
      </LineChart>
    </ResponsiveContainer>
  );
});

export const HistoryChart = memo(HistoryChartImpl);
