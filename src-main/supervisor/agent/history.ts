import type { HistoryPoint } from '../types';

/** A fixed-size ring of samples per agent. Typed arrays keep it small and bounded; NaN stands for "unavailable". */
export class HistoryRing {
  private readonly at: Float64Array;
  private readonly treeCpu: Float32Array;
  private readonly treeMem: Float32Array;
  private readonly cpu: Float32Array;
  private readonly mem: Float32Array;
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.at = new Float64Array(capacity);
    this.treeCpu = new Float32Array(capacity);
    this.treeMem = new Float32Array(capacity);
    this.cpu = new Float32Array(capacity);
    this.mem = new Float32Array(capacity);
  }

  push(point: HistoryPoint): void {
    const i = this.next;
    this.at[i] = point.at;
    this.treeCpu[i] = point.treeCpuPercent ?? NaN;
    this.treeMem[i] = point.treeMemoryMb ?? NaN;
    this.cpu[i] = point.cpuPercent ?? NaN;
    this.mem[i] = point.memoryMb ?? NaN;
    this.next = (i + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** Mean of the readable tree CPU samples taken at or after `sinceMs` (newest first, without copying); null when none. */
  meanTreeCpuSince(sinceMs: number): number | null {
    let sum = 0;
    let count = 0;
    for (let k = 1; k <= this.size; k++) {
      const i = (this.next - k + this.capacity) % this.capacity;
      if (this.at[i]! < sinceMs) break;
      const value = this.treeCpu[i]!;
      if (Number.isNaN(value)) continue;
      sum += value;
      count++;
    }
    return count === 0 ? null : sum / count;
  }

  /** Oldest first. */
  toArray(): HistoryPoint[] {
    const points: HistoryPoint[] = [];
    const first = (this.next - this.size + this.capacity) % this.capacity;
    for (let k = 0; k < this.size; k++) {
      const i = (first + k) % this.capacity;
      points.push({
        at: this.at[i]!,
        treeCpuPercent: orNull(this.treeCpu[i]!),
        treeMemoryMb: orNull(this.treeMem[i]!),
        cpuPercent: orNull(this.cpu[i]!),
        memoryMb: orNull(this.mem[i]!),
      });
    }
    return points;
  }
}

function orNull(value: number): number | null {
  return Number.isNaN(value) ? null : Math.round(value * 100) / 100;
}
