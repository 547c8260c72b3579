/**
 * An agent's pressure (PSI `some avg10` of its cgroup) as the detail and the
 * list show it: the three figures, and when they are high enough for a badge.
 */
import type { PressureView } from '../../src-preload/contract';
import { MISSING } from '../format/format';

/**
 * A row shows the pressure badge from this share of the last 10 s on. Below it, waiting is the normal
 * cost of sharing a machine (a busy agent beside others sees a few %); at a fifth of the time its work
 * is visibly held up, for the user to act on (fewer agents at once, a guard, more memory).
 */
export const HIGH_PRESSURE_PERCENT = 20;

const NAMES = { cpu: 'CPU', memory: 'memory', io: 'I/O' } as const;

/** One figure: `12.5 %`, or the missing mark. */
export function formatPressure(percent: number | null | undefined): string {
  return percent === null || percent === undefined || !Number.isFinite(percent) ? MISSING : `${percent.toFixed(1)} %`;
}

/** The resources at or over HIGH_PRESSURE_PERCENT; empty when none (or no figures). */
export function highPressure(pressure: PressureView | null | undefined): (keyof PressureView)[] {
  if (!pressure) return [];
  return (Object.keys(NAMES) as (keyof PressureView)[]).filter((resource) => (pressure[resource] ?? 0) >= HIGH_PRESSURE_PERCENT);
}

/** All three in words, for the badge's title and accessible name. */
export function describePressure(pressure: PressureView): string {
  const figures = (Object.keys(NAMES) as (keyof PressureView)[]).map((resource) => `${NAMES[resource]} ${formatPressure(pressure[resource])}`);
  return `Pressure (share of the last 10 s spent waiting): ${figures.join(', ')}`;
}
