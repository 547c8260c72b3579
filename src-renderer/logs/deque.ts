/**
 * A double-ended list with O(1) push, shift and index: the line store adds at
 * the end and evicts from the front on every chunk, so a plain array's
 * `shift()` (O(n)) would make appending O(all lines).
 */
export class Deque<T> {
  private items: T[] = [];
  private head = 0;
  /** Absolute index of the first item: +1 per shift, −n per unshift. The view uses it to keep its scroll position. */
  base = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  get(index: number): T | undefined {
    return index < 0 ? undefined : this.items[this.head + index];
  }

  first(): T | undefined {
    return this.items[this.head];
  }

  last(): T | undefined {
    return this.length > 0 ? this.items[this.items.length - 1] : undefined;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined as T; // let it be collected
    this.head++;
    this.base++;
    // Compact once the dead prefix is half the array: amortised O(1).
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Puts `items` (in order) before the first item. O(length): for user actions, not the hot path. */
  unshiftAll(items: readonly T[]): void {
    if (items.length === 0) return;
    this.items = [...items, ...this.items.slice(this.head)];
    this.head = 0;
    this.base -= items.length;
  }

  /** All items, in order (a copy). O(length). */
  toArray(): T[] {
    return this.items.slice(this.head);
  }

  /** Replaces the items by `items`, which hold the old ones plus `added` new ones. O(length): for user actions. */
  replaceAll(items: readonly T[], added: number): void {
    this.items = [...items];
    this.head = 0;
    this.base -= added;
  }

  /** Drops every item for which `keep` is false. O(length): rare (a big gap). */
  retain(keep: (item: T) => boolean): number {
    const before = this.length;
    this.items = this.items.slice(this.head).filter(keep);
    this.head = 0;
    return before - this.items.length;
  }

  /** Index of the first item for which `isBefore` is false, `isBefore` being true for a prefix (binary search). */
  lowerBound(isBefore: (item: T) => boolean): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (isBefore(this.items[this.head + mid] as T)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
