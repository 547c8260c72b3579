import { describe, expect, it } from 'vitest';
import { sparklineGeometry } from '../../../src-renderer/charts/sparkline-points';
import { RingBuffer } from '../../../src-renderer/state/ring-buffer';

describe('RingBuffer', () => {
  it('keeps the newest values up to its capacity, oldest first', () => {
    const ring = new RingBuffer(3);
    expect(ring.toArray()).toEqual([]);
    ring.push(1);
    ring.push(2);
    expect(ring.toArray()).toEqual([1, 2]);
    ring.push(3);
    ring.push(4);
    ring.push(5);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.length).toBe(3);
    expect(ring.last()).toBe(5);
    expect(ring.at(0)).toBe(3);
    expect(ring.at(3)).toBeNull();
    expect(ring.at(-1)).toBeNull();
  });

  it('stores a missing sample as a gap, not as 0', () => {
    const ring = new RingBuffer(4);
    ring.push(1);
    ring.push(null);
    ring.push(0);
    expect(ring.toArray()).toEqual([1, null, 0]);
  });

  it('moves its version on every push, even when full', () => {
    const ring = new RingBuffer(1);
    ring.push(1);
    const before = ring.version;
    ring.push(1);
    expect(ring.version).toBe(before + 1);
    ring.clear();
    expect(ring.length).toBe(0);
    expect(ring.version).toBe(before + 2);
  });

  it('rejects a useless capacity', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});

describe('sparklineGeometry', () => {
  it('puts the newest sample at the right edge and breaks the line at gaps', () => {
    const ring = new RingBuffer(5);
    for (const value of [0, 50, null, 100, 100]) ring.push(value);
    const geometry = sparklineGeometry(ring, 40, 12, 10);
    expect(geometry.max).toBe(100);
    expect(geometry.segments).toHaveLength(2);
    expect(geometry.segments[1]?.endsWith('40,1')).toBe(true);
    expect(geometry.segments[0]?.startsWith('0,11')).toBe(true);
  });

  it('uses the floor as the scale for small values', () => {
    const ring = new RingBuffer(2);
    ring.push(1);
    ring.push(1);
    expect(sparklineGeometry(ring, 10, 10, 25).max).toBe(25);
  });

  it('draws nothing for an empty ring', () => {
    expect(sparklineGeometry(new RingBuffer(3), 10, 10, 1).segments).toEqual([]);
  });
});
