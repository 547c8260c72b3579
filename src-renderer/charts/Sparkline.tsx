/**
 * A tiny SVG line of recent samples for one list row. Decorative (the figure
 * beside it is the accessible value), so it is hidden from assistive tech.
 * Memoised on the ring's contentVersion: it redraws only when its samples changed
 * (a full ring of one repeated value getting that value again is no change).
 */
import { memo } from 'react';
import type { RingBuffer } from '../state/ring-buffer';
import { sparklineGeometry } from './sparkline-points';

interface SparklineProps {
  ring: RingBuffer | undefined;
  /** The ring's contentVersion when rendered; the memo compares it, the ring itself is mutable. */
  version: number;
  width?: number;
  height?: number;
  floor: number;
  className?: string;
}

function SparklineImpl({ ring, width = 48, height = 18, floor, className }: SparklineProps) {
  const geometry = ring === undefined ? null : sparklineGeometry(ring, width, height, floor);
  return (
    <svg className={`sparkline ${className ?? ''}`} width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true" focusable="false">
      {geometry?.segments.map((points, index) => (
        <polyline key={index} points={points} fill="none" vectorEffect="non-scaling-stroke" />
      ))}
    </svg>
  );
}

export const Sparkline = memo(
  SparklineImpl,
  (a, b) => a.ring === b.ring && a.version === b.version && a.width === b.width && a.height === b.height && a.floor === b.floor && a.className === b.className,
);
