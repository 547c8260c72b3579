/**
 * A resource guard: a limit on the tree's memory or CPU that, once exceeded
 * for `sustainedMs` without a break, fires its action once per episode.
 */
import type { GuardAlert, ResourceGuard } from '../types';

export interface GuardReading {
  atMs: number;
  treeCpuPercent: number | null;
  treeMemoryMb: number | null;
}

export class GuardWatch {
  private alert: GuardAlert | null = null;
  private sinceMs = 0;

  get current(): GuardAlert | null {
    return this.alert;
  }

  /** Takes one sample; true the one time the limit has held long enough to act. */
  observe(reading: GuardReading, guard: ResourceGuard | null): boolean {
    const over = guard === null ? null : exceeded(reading, guard);
    if (over === null) {
      this.alert = null; // the episode is over: a later one fires again
      return false;
    }
    if (this.alert === null || this.alert.metric !== over.metric) {
      this.sinceMs = reading.atMs;
      this.alert = { ...over, since: new Date(reading.atMs).toISOString(), fired: false, action: guard!.action };
    } else {
      this.alert = { ...this.alert, value: over.value, action: guard!.action };
    }
    if (this.alert.fired || reading.atMs - this.sinceMs < guard!.sustainedMs) return false;
    this.alert = { ...this.alert, fired: true };
    return true;
  }

  reset(): void {
    this.alert = null;
  }
}

function exceeded(reading: GuardReading, guard: ResourceGuard): { metric: 'memory' | 'cpu'; value: number; limit: number } | null {
  if (guard.memoryMb !== null && reading.treeMemoryMb !== null && reading.treeMemoryMb > guard.memoryMb) {
    return { metric: 'memory', value: reading.treeMemoryMb, limit: guard.memoryMb };
  }
  if (guard.cpuPercent !== null && reading.treeCpuPercent !== null && reading.treeCpuPercent > guard.cpuPercent) {
    return { metric: 'cpu', value: reading.treeCpuPercent, limit: guard.cpuPercent };
  }
  return null;
}
