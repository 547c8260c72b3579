/**
 * Total CPU and memory over the last ticks, in the Summary header. Reads the
 * store's rings; the deferred version means a tick first commits the cheap
 * parts (figures, rows) and this chart redraws in a following, interruptible
 * render, keeping the tick itself well inside its budget.
 */
import { memo, useDeferredValue, useMemo } from 'react';
import { Line, LineChart, YAxis } from 'recharts';
import type { TotalsSamples } from '../state/corral-store';

interface TotalsChartProps {
  totals: TotalsSamples;
  version: number;
}

interface TotalsPoint {
  at: number;
  cpu: number | null;
  memory: number | null;
}

function TotalsChartImpl({ totals, version }: TotalsChartProps) {
  // Urgent render: same deferred version → same data array → TotalsLines skips.
  const deferredVersion = useDeferredValue(version);
  const data = useMemo(() => {
    void deferredVersion; // the rings are mutable: the version is what moved
    const points: TotalsPoint[] = new Array(totals.at.length);
    for (let i = 0; i < totals.at.length; i += 1) points[i] = { at: totals.at.at(i) ?? 0, cpu: totals.cpu.at(i), memory: totals.memory.at(i) };
    return points;
  }, [totals, deferredVersion]);
  return (
    <div role="img" aria-label="Total CPU and memory over time" className="totals-chart" title="Total CPU (solid) and memory (dashed), recent ticks">
      <TotalsLines data={data} />
    </div>
  );
}

const MARGIN = { top: 3, right: 2, bottom: 3, left: 2 };
const cpuDomain: [number, (max: number) => number] = [0, (max) => Math.max(10, max)];
const memoryDomain: [number, (max: number) => number] = [0, (max) => Math.max(64, max)];

const TotalsLines = memo(function TotalsLines({ data }: { data: TotalsPoint[] }) {
  return (
    <LineChart width={168} height={40} data={data} margin={MARGIN} accessibilityLayer={false}>
      <YAxis yAxisId="cpu" hide domain={cpuDomain} />
      <YAxis yAxisId="memory" hide domain={memoryDomain} />
      <Line yAxisId="memory" dataKey="memory" stroke="currentColor" className="totals-memory" strokeWidth={1.25} strokeDasharray="3 2" dot={false} isAnimationActive={false} />
      <Line yAxisId="cpu" dataKey="cpu" stroke="currentColor" className="totals-cpu" strokeWidth={1.5} dot={false} isAnimationActive={false} />
    </LineChart>
  );
});

export const TotalsChart = memo(TotalsChartImpl);
