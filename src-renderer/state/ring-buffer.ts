/**
 * A fixed-capacity ring of numbers. Every status tick pushes one sample per
 * live agent; a ring makes that O(1) with no array copies, so a 100-agent tick
 * costs 100 writes into preallocated memory, not 100 array reallocations.
 *
 * A missing sample (`null`: the engine could not read it) is stored as NaN so
 * the storage stays a Float64Array; readers turn NaN back into a gap.
 */
export class RingBuffer {
  readonly capacity: number;
  private readonly values: Float64Array;
  /** Index of the oldest value. */
  private start = 0;
  private count = 0;
  /** How many values were ever pushed: a cheap version number for memoised readers. */
  private pushes = 0;
  /** Bumped when the held values change (see contentVersion). */
  private changes = 0;
  /** How many of the newest values are equal (NaN equal to NaN), capped at the capacity. */
  private run = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.values = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Grows by one on every push, even once the ring is full and drops its oldest value. */
  get version(): number {
    return this.pushes;
  }

  /**
   * Moves only when the values held change: a full ring of one repeated value
   * that gets that value again holds the same, so a flat-lined quiet agent's
   * sparkline does not redraw.
   */
  get contentVersion(): number {
    return this.changes;
  }

  push(value: number | null): void {
    const stored = value === null ? Number.NaN : value;
    const newest = this.count === 0 ? undefined : this.values[(this.start + this.count - 1) % this.capacity];
    const same = newest !== undefined && (newest === stored || (Number.isNaN(newest) && Number.isNaN(stored)));
    if (!(same && this.count === this.capacity && this.run >= this.capacity)) this.changes += 1;
    this.run = same ? Math.min(this.run + 1, this.capacity) : 1;
    if (this.count < this.capacity) {
      this.values[(this.start + this.count) % this.capacity] = stored;
      this.count += 1;
    } else {
      this.values[this.start] = stored;
      this.start = (this.start + 1) % this.capacity;
    }
    this.pushes += 1;
  }

  /** The i-th value, oldest first; null for a gap or out of range. */
  at(index: number): number | null {
    if (index < 0 || index >= this.count) return null;
    const value = this.values[(this.start + index) % this.capacity] ?? Number.NaN;
    return Number.isNaN(value) ? null : value;
  }

  /** The newest value, or null. */
  last(): number | null {
    return this.at(this.count - 1);
  }

  /** Oldest first. Allocates: for charts, not for per-tick hot paths. */
  toArray(): (number | null)[] {
    const out: (number | null)[] = new Array(this.count);
    for (let i = 0; i < this.count; i += 1) out[i] = this.at(i);
    return out;
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
    this.run = 0;
    this.pushes += 1;
    this.changes += 1;
  }
}
