import { describe, expect, it } from 'vitest';
import { measureAppendThroughput } from '../../../bench/browser/log-append';

describe('measureAppendThroughput', () => {
  it('reports lines per second with a bounded store', () => {
    const result = measureAppendThroughput(100_000, { maxLines: 10_000 });
    expect(result.keptLines).toBe(10_000);
    // A rate, not a verdict: the ≥ 50 000 lines/s target is the bench's, measured in one run (never in a timed test).
    expect(Number.isFinite(result.linesPerSecond) && result.linesPerSecond > 0).toBe(true);
  });
});
