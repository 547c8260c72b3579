import { describe, expect, it } from 'vitest';
import { formatCountdown, formatCpu, formatDuration, formatMemory, formatRestartCountdown, formatRuntime, formatTimestamp, MISSING } from '../../../src-renderer/format/format';

describe('formatRuntime', () => {
  it('formats h:mm:ss without wrapping at a day', () => {
    expect(formatRuntime(0)).toBe('0:00:00');
    expect(formatRuntime(5.9)).toBe('0:00:05');
    expect(formatRuntime(61)).toBe('0:01:01');
    expect(formatRuntime(3600)).toBe('1:00:00');
    expect(formatRuntime(12 * 3600 + 3 * 60 + 44)).toBe('12:03:44');
    expect(formatRuntime(27 * 3600)).toBe('27:00:00');
  });

  it('shows a dash for unusable values', () => {
    expect(formatRuntime(null)).toBe(MISSING);
    expect(formatRuntime(-1)).toBe(MISSING);
    expect(formatRuntime(Number.NaN)).toBe(MISSING);
  });
});

describe('figures', () => {
  it('never shows a missing sample as 0', () => {
    expect(formatCpu(null)).toBe(MISSING);
    expect(formatMemory(null)).toBe(MISSING);
  });

  it('formats CPU and memory', () => {
    expect(formatCpu(3.456)).toBe('3.5 %');
    expect(formatCpu(250.4)).toBe('250 %');
    expect(formatMemory(5.25)).toBe('5.3 MB');
    expect(formatMemory(512)).toBe('512 MB');
    expect(formatMemory(2048)).toBe('2.0 GB');
  });

  it('counts down, never below zero', () => {
    expect(formatCountdown(10_000, 6_800)).toBe('3.2 s');
    expect(formatCountdown(10_000, 12_000)).toBe('0.0 s');
  });
});

describe('formatTimestamp', () => {
  it('shows a dash for nothing and the raw text for nonsense', () => {
    expect(formatTimestamp(null)).toBe(MISSING);
    expect(formatTimestamp('not a date')).toBe('not a date');
  });

  it('drops the date for today only', () => {
    const now = new Date(2025, 5, 1, 12, 0, 0);
    const today = new Date(2025, 5, 1, 9, 30, 0).toISOString();
    const earlier = new Date(2025, 4, 30, 9, 30, 0).toISOString();
    expect(formatTimestamp(today, now)).toBe(new Date(today).toLocaleTimeString());
    expect(formatTimestamp(earlier, now)).toBe(new Date(earlier).toLocaleString());
  });
});

describe('formatDuration', () => {
  it('reads tenths under 10 s, whole seconds under a minute, then h:mm:ss', () => {
    expect(formatDuration(420)).toBe('0.4 s');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
    expect(formatDuration(null)).toBe(MISSING);
    expect(formatDuration(-1)).toBe(MISSING);
  });
});

describe('formatRestartCountdown', () => {
  it('counts whole seconds up, and says restarting… once due or unknown', () => {
    expect(formatRestartCountdown(10_000, 6_200)).toBe('restarting in 4 s');
    expect(formatRestartCountdown(10_000, 9_999)).toBe('restarting in 1 s');
    expect(formatRestartCountdown(10_000, 10_000)).toBe('restarting…');
    expect(formatRestartCountdown(null, 0)).toBe('restarting…');
  });
});
