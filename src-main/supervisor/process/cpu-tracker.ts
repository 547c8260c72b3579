import { identityKey, type ProcEntry, type ProcessTable } from './process-table';

/**
 * CPU % from CPU-time deltas, psutil's scale (100 = one core busy).
 * Keyed by pid + start time, so a recycled pid starts fresh. The first reading
 * of a process is its average since it started, not 0 and not "unknown":
 * a busy agent shows busy on its first tick.
 */
export class CpuTracker {
  private readonly previous = new Map<string, { cpuTimeMs: number; atMs: number; percent: number | null }>();

  percent(entry: ProcEntry, atMs: number): number | null {
    if (entry.cpuTimeMs === null) return null;
    const key = identityKey(entry);
    const before = this.previous.get(key);
    if (before && atMs - before.atMs < MIN_WINDOW_MS) return before.percent; // too close to the last reading to mean anything
    const percent = before ? ((entry.cpuTimeMs - before.cpuTimeMs) / (atMs - before.atMs)) * 100 : this.sinceStart(entry, atMs);
    const rounded = percent === null ? null : round1(percent);
    this.previous.set(key, { cpuTimeMs: entry.cpuTimeMs, atMs, percent: rounded });
    return rounded;
  }

  private sinceStart(entry: ProcEntry, atMs: number): number | null {
    if (entry.startedAtMs === null || entry.cpuTimeMs === null) return null;
    const livedMs = atMs - entry.startedAtMs;
    // CPU time and start time count in 10 ms clock ticks: a younger process cannot be measured yet.
    return livedMs < MIN_WINDOW_MS ? null : (entry.cpuTimeMs / livedMs) * 100;
  }

  /** Drop history of processes that are no longer in the table. */
  forgetMissing(table: ProcessTable): void {
    for (const key of this.previous.keys()) {
      const pid = Number(key.slice(0, key.indexOf('@')));
      const entry = table.byPid.get(pid);
      if (!entry || identityKey(entry) !== key) this.previous.delete(key);
    }
  }

  clear(): void {
    this.previous.clear();
  }
}

/** Ten clock ticks: below that, one tick of rounding is over 10 points of CPU %. */
const MIN_WINDOW_MS = 100;

/** Whether `entry` is too young at `atMs` for its first reading to mean anything (it reads null). */
export function tooYoungToMeasure(entry: Pick<ProcEntry, 'startedAtMs'>, atMs: number): boolean {
  return entry.startedAtMs !== null && atMs - entry.startedAtMs < MIN_WINDOW_MS;
}

function round1(value: number): number {
  return Math.max(0, Math.round(value * 10) / 10);
}
