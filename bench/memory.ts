/**
 * Does the engine's host grow while it samples? RSS of this process (which
 * hosts the engine) after a warm-up, then after each further block of ticks.
 */
import type { Supervisor } from '../src-main/supervisor/index';
import { sleep } from './harness';

const MB = 1024 * 1024;

export interface RssFigures {
  /** RSS (MB) after the warm-up ticks, after a full GC. */
  afterWarmupMb: number;
  /** Growth (MB) over each block of `ticks` ticks, after a full GC. */
  growthMb: number[];
  /** Same, of the V8 heap in use. */
  heapGrowthMb: number[];
  /** Whether a full GC could be forced before each reading. */
  collected: boolean;
}

function collect(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  gc();
  return true;
}

export async function measureRssGrowth(
  supervisor: Supervisor,
  { warmupTicks, ticks, rounds, gapMs }: { warmupTicks: number; ticks: number; rounds: number; gapMs: number },
): Promise<RssFigures> {
  for (let i = 0; i < warmupTicks; i++) {
    await supervisor.sampleNow();
    await sleep(gapMs);
  }
  const collected = collect();
  let rss = process.memoryUsage().rss;
  let heap = process.memoryUsage().heapUsed;
  const afterWarmupMb = rss / MB;
  const growthMb: number[] = [];
  const heapGrowthMb: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < ticks; i++) {
      await supervisor.sampleNow();
      await sleep(gapMs);
    }
    collect();
    const usage = process.memoryUsage();
    growthMb.push((usage.rss - rss) / MB);
    heapGrowthMb.push((usage.heapUsed - heap) / MB);
    rss = usage.rss;
    heap = usage.heapUsed;
  }
  return { afterWarmupMb, growthMb, heapGrowthMb, collected };
}
