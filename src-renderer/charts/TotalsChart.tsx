/**
 * Total CPU and memory over the last ticks, in the Summary header. Drawn by
 * hand like the rows' sparklines: it redraws on every tick, and a chart
 * library's layout pass there cost more than the whole 100-row list
 * (`npm run bench`, browser section).
 */
import { memo } from 'react';
import type { TotalsSamples } from '../state/corral-store';
import { sparklineGeometry } from './sparkline-points';

interface TotalsChartProps {
  totals: TotalsSamples;
  /** The rings' version; the rings themselves are mutable. */
  version: number;
}

const WIDTH = 168;
const HEIGHT = 40;
/** Scales start here so an idle machine's 0.4 % is not drawn as a full-height line. */
const CPU_FLOOR = 10;
const MEMORY_FLOOR_MB = 64;

function TotalsChartImpl({ totals }: TotalsChartProps) {
  const cpu = sparklineGeometry(totals.cpu, WIDTH, HEIGHT, CPU_FLOOR);
  const memory = sparklineGeometry(totals.memory, WIDTH, HEIGHT, MEMORY_FLOOR_MB);
  return (
    <div role="img" aria-label="Total CPU and memory over time" className="totals-chart" title="Total CPU (solid) and memory (dashed), recent ticks">
      <svg width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} aria-hidden="true" focusable="false">
        {memory.segments.map((points, index) => (
          <polyline key={`m${index}`} className="totals-memory" points={points} fill="none" stroke="currentColor" strokeWidth={1.25} strokeDasharray="3 2" />
        ))}
        {cpu.segments.map((points, index) => (
          <polyline key={`c${index}`} className="totals-cpu" points={points} fill="none" stroke="currentColor" strokeWidth={1.5} />
        ))}
      </svg>
    </div>
  );
}

export const TotalsChart = memo(TotalsChartImpl, (a, b) => a.totals === b.totals && a.version === b.version);
