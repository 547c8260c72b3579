/**
 * Stall detection (`stalledSince`), the CPU mean it reads
 * (`HistoryRing.meanTreeCpuSince`) and resource guards (`GuardWatch`).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_STALL_POLICY } from '../../../src-preload/contract';
import { HistoryRing } from '../../../src-main/supervisor/agent/history';
import { GuardWatch, type GuardReading } from '../../../src-main/supervisor/policies/resource-guard';
import { stalledSince } from '../../../src-main/supervisor/policies/stall';
import type { ResourceGuard, StallPolicy } from '../../../src-main/supervisor/types';

describe('stalledSince', () => {
  const policy: StallPolicy = { quietMs: 60_000, cpuBelowPercent: 5 };
  const last = 1_700_000_000_000;

  it('is not stalled before quietMs of silence, even at zero CPU', () => {
    expect(stalledSince({ nowMs: last, lastOutputAtMs: last, meanCpuPercent: 0, policy })).toBeNull();
    expect(stalledSince({ nowMs: last + 59_999, lastOutputAtMs: last, meanCpuPercent: 0, policy })).toBeNull();
  });

  it('is stalled from lastOutput + quietMs when the mean CPU is under the threshold', () => {
    expect(stalledSince({ nowMs: last + 60_000, lastOutputAtMs: last, meanCpuPercent: 0, policy })).toBe(last + 60_000);
    expect(stalledSince({ nowMs: last + 3_600_000, lastOutputAtMs: last, meanCpuPercent: 4.9, policy })).toBe(last + 60_000);
  });

  it('is not stalled while the tree computes (mean CPU at or above the threshold)', () => {
    expect(stalledSince({ nowMs: last + 120_000, lastOutputAtMs: last, meanCpuPercent: 5, policy })).toBeNull();
    expect(stalledSince({ nowMs: last + 120_000, lastOutputAtMs: last, meanCpuPercent: 250, policy })).toBeNull();
  });

  it('says nothing without a CPU reading', () => {
    expect(stalledSince({ nowMs: last + 120_000, lastOutputAtMs: last, meanCpuPercent: null, policy })).toBeNull();
  });

  it('says nothing when stall detection is off', () => {
    expect(stalledSince({ nowMs: last + 10 * 3_600_000, lastOutputAtMs: last, meanCpuPercent: 0, policy: null })).toBeNull();
  });

  it('uses the policy it is given (the default: 5 minutes, 5 %)', () => {
    expect(DEFAULT_STALL_POLICY).toEqual({ quietMs: 300_000, cpuBelowPercent: 5 });
    expect(stalledSince({ nowMs: last + 299_999, lastOutputAtMs: last, meanCpuPercent: 1, policy: DEFAULT_STALL_POLICY })).toBeNull();
    expect(stalledSince({ nowMs: last + 300_000, lastOutputAtMs: last, meanCpuPercent: 1, policy: DEFAULT_STALL_POLICY })).toBe(last + 300_000);
  });
});

describe('HistoryRing.meanTreeCpuSince', () => {
  const point = (at: number, treeCpuPercent: number | null) => ({ at, treeCpuPercent, treeMemoryMb: 10, cpuPercent: null, memoryMb: null });

  it('is null for an empty ring', () => {
    expect(new HistoryRing(4).meanTreeCpuSince(0)).toBeNull();
  });

  it('is the mean of the samples at or after the time', () => {
    const ring = new HistoryRing(8);
    ring.push(point(1000, 100));
    ring.push(point(2000, 10));
    ring.push(point(3000, 20));
    ring.push(point(4000, 30));
    expect(ring.meanTreeCpuSince(0)).toBe(40);
    expect(ring.meanTreeCpuSince(2000)).toBe(20); // 2000 itself counts
    expect(ring.meanTreeCpuSince(2001)).toBe(25);
    expect(ring.meanTreeCpuSince(4000)).toBe(30);
    expect(ring.meanTreeCpuSince(4001)).toBeNull();
  });

  it('skips unreadable samples, and is null when only those are in range', () => {
    const ring = new HistoryRing(8);
    ring.push(point(1000, 50));
    ring.push(point(2000, null));
    ring.push(point(3000, 10));
    ring.push(point(4000, null));
    expect(ring.meanTreeCpuSince(1000)).toBe(30);
    expect(ring.meanTreeCpuSince(2000)).toBe(10);
    expect(ring.meanTreeCpuSince(3500)).toBeNull();
  });

  it('is right after the ring wrapped around (only the retained samples count)', () => {
    const ring = new HistoryRing(3);
    ring.push(point(1000, 1000));
    ring.push(point(2000, 1000));
    ring.push(point(3000, 10));
    ring.push(point(4000, 20));
    ring.push(point(5000, 30));
    expect(ring.toArray().map((p) => p.at)).toEqual([3000, 4000, 5000]);
    expect(ring.meanTreeCpuSince(0)).toBe(20);
    expect(ring.meanTreeCpuSince(4000)).toBe(25);
    ring.push(point(6000, 60));
    ring.push(point(7000, null));
    expect(ring.meanTreeCpuSince(0)).toBe(45); // 5000: 30, 6000: 60, 7000: unreadable
    expect(ring.meanTreeCpuSince(5500)).toBe(60);
    expect(ring.meanTreeCpuSince(6500)).toBeNull();
  });

  it('feeds stalledSince: a silent tree idling after a busy spell is stalled once the busy samples are out of the window', () => {
    const policy: StallPolicy = { quietMs: 10_000, cpuBelowPercent: 5 };
    const ring = new HistoryRing(100);
    for (let t = 0; t <= 20_000; t += 1000) ring.push(point(t, t < 8_000 ? 90 : 1));
    const check = (nowMs: number) => stalledSince({ nowMs, lastOutputAtMs: 0, meanCpuPercent: ring.meanTreeCpuSince(nowMs - policy.quietMs), policy });
    expect(check(12_000)).toBeNull(); // the window 2 000…12 000 still holds busy samples (mean ≈ 33)
    expect(check(20_000)).toBe(10_000); // the window 10 000…20 000 is idle
  });
});

describe('GuardWatch', () => {
  const guard: ResourceGuard = { memoryMb: 500, cpuPercent: 150, sustainedMs: 10_000, action: 'stop' };
  const T0 = Date.UTC(2025, 2, 3, 4, 5, 6);
  const at = (dt: number, treeMemoryMb: number | null, treeCpuPercent: number | null = 0): GuardReading => ({ atMs: T0 + dt, treeMemoryMb, treeCpuPercent });

  it('fires once, after sustainedMs of continuous excess and not before', () => {
    const watch = new GuardWatch();
    expect(watch.current).toBeNull();
    expect(watch.observe(at(0, 600), guard)).toBe(false);
    expect(watch.current).toEqual({ metric: 'memory', value: 600, limit: 500, since: new Date(T0).toISOString(), fired: false, action: 'stop' });
    expect(watch.observe(at(5_000, 700), guard)).toBe(false);
    expect(watch.observe(at(9_999, 650), guard)).toBe(false);
    expect(watch.current).toEqual({ metric: 'memory', value: 650, limit: 500, since: new Date(T0).toISOString(), fired: false, action: 'stop' });
    expect(watch.observe(at(10_000, 800), guard)).toBe(true);
    expect(watch.current).toEqual({ metric: 'memory', value: 800, limit: 500, since: new Date(T0).toISOString(), fired: true, action: 'stop' });
    // Once per episode.
    expect(watch.observe(at(11_000, 900), guard)).toBe(false);
    expect(watch.observe(at(60_000, 900), guard)).toBe(false);
    expect(watch.current).toMatchObject({ fired: true, value: 900, since: new Date(T0).toISOString() });
  });

  it('a reading at the limit is not over it', () => {
    const watch = new GuardWatch();
    for (let dt = 0; dt <= 30_000; dt += 1000) expect(watch.observe(at(dt, 500, 150), guard)).toBe(false);
    expect(watch.current).toBeNull();
  });

  it('a dip below the limit ends the episode: the count starts again, and a later episode fires again', () => {
    const watch = new GuardWatch();
    watch.observe(at(0, 600), guard);
    watch.observe(at(9_000, 600), guard);
    expect(watch.observe(at(9_500, 400), guard)).toBe(false);
    expect(watch.current).toBeNull();
    expect(watch.observe(at(10_000, 600), guard)).toBe(false); // 10 s after the first excess, but a new episode
    expect(watch.current).toMatchObject({ since: new Date(T0 + 10_000).toISOString(), fired: false });
    expect(watch.observe(at(19_999, 600), guard)).toBe(false);
    expect(watch.observe(at(20_000, 600), guard)).toBe(true);
    // After a fired episode ends, the next one fires too.
    expect(watch.observe(at(21_000, 100), guard)).toBe(false);
    expect(watch.observe(at(30_000, 600), guard)).toBe(false);
    expect(watch.observe(at(40_000, 600), guard)).toBe(true);
    expect(watch.current).toMatchObject({ fired: true, since: new Date(T0 + 30_000).toISOString() });
  });

  it('a CPU limit works like the memory one', () => {
    const watch = new GuardWatch();
    const cpuOnly: ResourceGuard = { memoryMb: null, cpuPercent: 150, sustainedMs: 2000, action: 'notify' };
    expect(watch.observe(at(0, 99_999, 200), cpuOnly)).toBe(false);
    expect(watch.current).toEqual({ metric: 'cpu', value: 200, limit: 150, since: new Date(T0).toISOString(), fired: false, action: 'notify' });
    expect(watch.observe(at(2000, 99_999, 180), cpuOnly)).toBe(true);
    expect(watch.current).toMatchObject({ metric: 'cpu', value: 180, fired: true });
  });

  it('checks memory before CPU', () => {
    const watch = new GuardWatch();
    watch.observe(at(0, 600, 400), guard);
    expect(watch.current).toMatchObject({ metric: 'memory', value: 600, limit: 500 });
    expect(watch.observe(at(10_000, 600, 400), guard)).toBe(true);
    expect(watch.current).toMatchObject({ metric: 'memory', fired: true });
  });

  it('a change of metric starts a new episode', () => {
    const watch = new GuardWatch();
    watch.observe(at(0, 600, 400), guard);
    expect(watch.observe(at(8_000, 100, 400), guard)).toBe(false); // memory back under: now CPU alone
    expect(watch.current).toMatchObject({ metric: 'cpu', value: 400, limit: 150, since: new Date(T0 + 8_000).toISOString(), fired: false });
    expect(watch.observe(at(10_000, 100, 400), guard)).toBe(false);
    expect(watch.observe(at(18_000, 100, 400), guard)).toBe(true);
  });

  it('null readings never fire', () => {
    const watch = new GuardWatch();
    for (let dt = 0; dt <= 60_000; dt += 5000) expect(watch.observe(at(dt, null, null), guard)).toBe(false);
    expect(watch.current).toBeNull();
    // Memory unreadable but CPU over: the CPU limit still applies.
    expect(watch.observe(at(70_000, null, 300), guard)).toBe(false);
    expect(watch.current).toMatchObject({ metric: 'cpu' });
  });

  it('no guard: never fires, and clears an episode in progress', () => {
    const watch = new GuardWatch();
    watch.observe(at(0, 600), guard);
    expect(watch.observe(at(20_000, 600), null)).toBe(false);
    expect(watch.current).toBeNull();
  });

  it('follows a change of action while the episode goes on', () => {
    const watch = new GuardWatch();
    watch.observe(at(0, 600), guard);
    expect(watch.observe(at(10_000, 600), { ...guard, action: 'restart' })).toBe(true);
    expect(watch.current).toMatchObject({ action: 'restart', fired: true });
  });

  it('reset forgets the episode', () => {
    const watch = new GuardWatch();
    watch.observe(at(0, 600), guard);
    watch.reset();
    expect(watch.current).toBeNull();
    expect(watch.observe(at(10_000, 600), guard)).toBe(false);
    expect(watch.observe(at(20_000, 600), guard)).toBe(true);
  });
});
