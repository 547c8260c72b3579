/**
 * Polyline geometry for the list's sparklines: hand-written instead of a chart
 * library because up to 100 rows redraw on every tick and must cost
 * microseconds each. Pure; reads the ring in place (no array copy).
 */
import type { RingBuffer } from '../state/ring-buffer';

export interface SparklineGeometry {
  /** One `points` string per unbroken run of samples (a missing sample breaks the line). */
  segments: string[];
  /** The scale's top value, for a title. */
  max: number;
}

/** A young agent's line spans at least this many sample slots, so a few samples are not squeezed into one pixel. */
export const MIN_SPARKLINE_SLOTS = 30;

/**
 * Newest sample at the right edge; x steps by the samples held (at least
 * MIN_SPARKLINE_SLOTS), so a young agent's line grows from the right and a
 * full ring scrolls left as samples arrive.
 * The y scale is the larger of the samples' max and `floor`, so an idle agent's
 * flat 0.3 % does not fill the box as if it were busy.
 */
export function sparklineGeometry(ring: RingBuffer, width: number, height: number, floor: number): SparklineGeometry {
  const count = ring.length;
  let max = floor;
  for (let i = 0; i < count; i += 1) {
    const value = ring.at(i);
    if (value !== null && value > max) max = value;
  }
  const segments: string[] = [];
  if (count === 0 || width <= 0 || height <= 0) return { segments, max };
  const slots = Math.min(ring.capacity, Math.max(count, MIN_SPARKLINE_SLOTS));
  const step = slots > 1 ? width / (slots - 1) : width;
  const pad = 1; // keep the stroke inside the box
  const usable = height - 2 * pad;
  let current = '';
  for (let i = 0; i < count; i += 1) {
    const value = ring.at(i);
    if (value === null) {
      if (current !== '') segments.push(current);
      current = '';
      continue;
    }
    // Inside a flat run a point draws nothing: left out, a quiet agent's line is
    // two points, the same string tick after tick once its x span is fixed
    // (React then leaves the DOM alone).
    if (i > 0 && i < count - 1 && ring.at(i - 1) === value && ring.at(i + 1) === value) continue;
    const x = width - (count - 1 - i) * step;
    const y = pad + usable - (Math.max(0, value) / max) * usable;
    // Rounded by hand: toFixed was the hottest line of a 100-agent tick (CPU profile in Chromium).
    current += `${current === '' ? '' : ' '}${Math.round(x * 10) / 10},${Math.round(y * 10) / 10}`;
  }
  if (current !== '') segments.push(current);
  return { segments, max };
}
