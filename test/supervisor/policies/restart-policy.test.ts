/**
 * The restart rule (`shouldRestart`, `restartsInARow`) and the run records it
 * reads (`run-history.ts`): pure functions, tested without processes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_POLICY, type RestartMode } from '../../../src-preload/contract';
import { restartsInARow, shouldRestart } from '../../../src-main/supervisor/policies/restart-policy';
import { beginRun, closeRecord, MAX_RUNS, notePeaks } from '../../../src-main/supervisor/agent/run-history';
import type { ExitClassification, RestartPolicy, RunRecord, StopStage } from '../../../src-main/supervisor/types';

const base = { code: null, signal: null, stopStage: null, stoppedBy: null, possiblyOutOfMemory: false, spawn: null, summary: 'test' } as const;

const exited = (code: number): ExitClassification => ({ ...base, kind: 'exited', code });
const signalled = (signal: string): ExitClassification => ({ ...base, kind: 'signalled', signal, possiblyOutOfMemory: signal === 'SIGKILL' });
const stopped = (by: 'user' | 'guard', stage: StopStage = 'term1'): ExitClassification => ({ ...base, kind: 'stopped', code: 0, stoppedBy: by, stopStage: stage });
const spawnFailed = (): ExitClassification => ({ ...base, kind: 'spawn-failed', spawn: { argv: ['nope'], cwd: '/', path: '' } });
const unknown = (): ExitClassification => ({ ...base, kind: 'unknown' });

const policy = (overrides: Partial<RestartPolicy> = {}): RestartPolicy => ({
  mode: 'on-failure',
  maxRestarts: 10,
  initialDelayMs: 1000,
  maxDelayMs: 5000,
  resetAfterMs: 60_000,
  ...overrides,
});

/** A finished run; short (1 s) unless told. */
function run(trigger: RunRecord['trigger'], durationMs: number | null = 1000, n = 1): RunRecord {
  return {
    run: n,
    trigger,
    pid: 100 + n,
    startedAt: new Date(1_700_000_000_000).toISOString(),
    endedAt: durationMs === null ? null : new Date(1_700_000_000_000 + durationMs).toISOString(),
    durationMs,
    exit: durationMs === null ? null : exited(1),
    peakCpuPercent: null,
    peakMemoryMb: null,
  };
}

/** A first run by hand, then `restarts` short runs started by restarts. */
function history(restarts: number, extra: Partial<Record<'durationMs', number>> = {}): RunRecord[] {
  const runs = [run('user', extra.durationMs ?? 1000, 1)];
  for (let i = 0; i < restarts; i++) runs.push(run('restart', 1000, i + 2));
  return runs;
}

const MODES: RestartMode[] = ['no', 'on-failure', 'always'];

describe('shouldRestart: which ends restart', () => {
  it('mode "no" never restarts, whatever the end', () => {
    for (const exit of [exited(0), exited(3), signalled('SIGKILL'), signalled('SIGSEGV'), unknown(), stopped('user'), stopped('guard'), spawnFailed()]) {
      expect(shouldRestart(exit, policy({ mode: 'no' }), history(0))).toEqual({ restart: false, reason: 'policy', crashLooping: false });
    }
  });

  it('on-failure: code 0 does not restart (succeeded); a non-zero code restarts after initialDelayMs', () => {
    const p = policy({ mode: 'on-failure', initialDelayMs: 750 });
    expect(shouldRestart(exited(0), p, history(0))).toEqual({ restart: false, reason: 'succeeded', crashLooping: false });
    expect(shouldRestart(exited(3), p, history(0))).toEqual({ restart: true, delayMs: 750, attempt: 1 });
    expect(shouldRestart(exited(255), p, history(0))).toEqual({ restart: true, delayMs: 750, attempt: 1 });
  });

  it('on-failure: a signal Corral did not send restarts', () => {
    const p = policy({ mode: 'on-failure' });
    expect(shouldRestart(signalled('SIGKILL'), p, history(0))).toEqual({ restart: true, delayMs: 1000, attempt: 1 });
    expect(shouldRestart(signalled('SIGSEGV'), p, history(0))).toEqual({ restart: true, delayMs: 1000, attempt: 1 });
  });

  it('always: even code 0 restarts', () => {
    const p = policy({ mode: 'always' });
    expect(shouldRestart(exited(0), p, history(0))).toEqual({ restart: true, delayMs: 1000, attempt: 1 });
    expect(shouldRestart(exited(7), p, history(0))).toEqual({ restart: true, delayMs: 1000, attempt: 1 });
    expect(shouldRestart(signalled('SIGTERM'), p, history(0))).toEqual({ restart: true, delayMs: 1000, attempt: 1 });
  });

  it('a stop by the user never restarts, in any mode and at any stage', () => {
    for (const stage of ['term1', 'term2', 'kill'] as const) {
      expect(shouldRestart(stopped('user', stage), policy({ mode: 'on-failure' }), history(0))).toEqual({ restart: false, reason: 'stopped', crashLooping: false });
      expect(shouldRestart(stopped('user', stage), policy({ mode: 'always' }), history(0))).toEqual({ restart: false, reason: 'stopped', crashLooping: false });
      expect(shouldRestart(stopped('user', stage), policy({ mode: 'no' }), history(0))).toMatchObject({ restart: false });
      // guardAsksRestart only concerns a guard's stop: a user's stop stays a stop.
      for (const mode of MODES) expect(shouldRestart(stopped('user', stage), policy({ mode }), history(0), true)).toMatchObject({ restart: false });
    }
  });

  it('a stop by a guard: no restart unless the guard asks for one, which restarts even under mode "no"', () => {
    for (const mode of ['on-failure', 'always'] as const) {
      expect(shouldRestart(stopped('guard'), policy({ mode }), history(0))).toEqual({ restart: false, reason: 'stopped', crashLooping: false });
    }
    for (const mode of MODES) {
      expect(shouldRestart(stopped('guard'), policy({ mode }), history(0), true)).toEqual({ restart: true, delayMs: 1000, attempt: 1 });
    }
  });

  it('a guard restart is bound by the same limit and backoff', () => {
    const p = policy({ mode: 'no', maxRestarts: 2 });
    const runs = [run('user', 1000, 1), run('guard', 1000, 2)];
    expect(shouldRestart(stopped('guard'), p, runs, true)).toEqual({ restart: true, delayMs: 2000, attempt: 2 });
    runs.push(run('guard', 1000, 3));
    expect(shouldRestart(stopped('guard'), p, runs, true)).toEqual({ restart: false, reason: 'limit-reached', crashLooping: true });
  });

  it('a spawn failure never restarts', () => {
    for (const mode of ['on-failure', 'always'] as const) {
      expect(shouldRestart(spawnFailed(), policy({ mode }), history(0))).toEqual({ restart: false, reason: 'spawn-failed', crashLooping: false });
    }
  });

  it('an unknown end (exited while Corral was away) restarts only under "always"', () => {
    expect(shouldRestart(unknown(), policy({ mode: 'on-failure' }), history(0))).toEqual({ restart: false, reason: 'exit-unknown', crashLooping: false });
    expect(shouldRestart(unknown(), policy({ mode: 'no' }), history(0))).toMatchObject({ restart: false, crashLooping: false });
    expect(shouldRestart(unknown(), policy({ mode: 'always' }), history(0))).toEqual({ restart: true, delayMs: 1000, attempt: 1 });
  });

  it('the default policy never restarts', () => {
    expect(DEFAULT_RESTART_POLICY.mode).toBe('no');
    expect(shouldRestart(exited(1), DEFAULT_RESTART_POLICY, history(0))).toEqual({ restart: false, reason: 'policy', crashLooping: false });
  });
});

describe('shouldRestart: backoff and limit', () => {
  it('the delay doubles with each restart in a row and is capped at maxDelayMs', () => {
    const p = policy({ initialDelayMs: 1000, maxDelayMs: 5000, maxRestarts: 10 });
    const got = [0, 1, 2, 3, 4, 5].map((n) => shouldRestart(exited(1), p, history(n)));
    expect(got).toEqual([
      { restart: true, delayMs: 1000, attempt: 1 },
      { restart: true, delayMs: 2000, attempt: 2 },
      { restart: true, delayMs: 4000, attempt: 3 },
      { restart: true, delayMs: 5000, attempt: 4 },
      { restart: true, delayMs: 5000, attempt: 5 },
      { restart: true, delayMs: 5000, attempt: 6 },
    ]);
  });

  it('maxRestarts 2: a run by hand and two short restarts reach the limit (crash-looping)', () => {
    const p = policy({ maxRestarts: 2 });
    expect(shouldRestart(exited(1), p, history(0))).toEqual({ restart: true, delayMs: 1000, attempt: 1 });
    expect(shouldRestart(exited(1), p, history(1))).toEqual({ restart: true, delayMs: 2000, attempt: 2 });
    expect(shouldRestart(exited(1), p, history(2))).toEqual({ restart: false, reason: 'limit-reached', crashLooping: true });
    expect(shouldRestart(signalled('SIGKILL'), p, history(2))).toEqual({ restart: false, reason: 'limit-reached', crashLooping: true });
    // The limit applies under `always` too, success or not.
    expect(shouldRestart(exited(0), policy({ mode: 'always', maxRestarts: 2 }), history(2))).toEqual({ restart: false, reason: 'limit-reached', crashLooping: true });
  });

  it('maxRestarts 0: a failure is crash-looping at once', () => {
    const p = policy({ maxRestarts: 0 });
    expect(shouldRestart(exited(1), p, history(0))).toEqual({ restart: false, reason: 'limit-reached', crashLooping: true });
    // ...but a success under on-failure is simply a success.
    expect(shouldRestart(exited(0), p, history(0))).toEqual({ restart: false, reason: 'succeeded', crashLooping: false });
  });

  it('a run that lasted resetAfterMs resets the count; a shorter one does not', () => {
    const p = policy({ maxRestarts: 2, resetAfterMs: 60_000 });
    const longFirst = [run('user', 1000, 1), run('restart', 1000, 2), run('restart', 60_000, 3)];
    expect(restartsInARow(longFirst, p)).toBe(0);
    expect(shouldRestart(exited(1), p, longFirst)).toEqual({ restart: true, delayMs: 1000, attempt: 1 });

    const justShort = [run('user', 1000, 1), run('restart', 1000, 2), run('restart', 59_999, 3)];
    expect(restartsInARow(justShort, p)).toBe(2);
    expect(shouldRestart(exited(1), p, justShort)).toEqual({ restart: false, reason: 'limit-reached', crashLooping: true });

    // A stable run earlier in the chain: only the restarts after it count.
    const stableThenShort = [run('user', 1000, 1), run('restart', 1000, 2), run('restart', 1000, 3), run('restart', 120_000, 4), run('restart', 1000, 5)];
    expect(restartsInARow(stableThenShort, p)).toBe(1);
    expect(shouldRestart(exited(1), p, stableThenShort)).toEqual({ restart: true, delayMs: 2000, attempt: 2 });
  });

  it('a run started by hand resets the count, even a short one', () => {
    const p = policy({ maxRestarts: 2 });
    const withoutHand = [run('user', 1000, 1), run('restart', 1000, 2), run('restart', 1000, 3), run('restart', 1000, 4)];
    expect(shouldRestart(exited(1), p, withoutHand)).toMatchObject({ restart: false, reason: 'limit-reached' });
    const withHand = [run('user', 1000, 1), run('restart', 1000, 2), run('restart', 1000, 3), run('user', 10, 4)];
    expect(restartsInARow(withHand, p)).toBe(0);
    expect(shouldRestart(exited(1), p, withHand)).toEqual({ restart: true, delayMs: 1000, attempt: 1 });
    withHand.push(run('restart', 1000, 5));
    expect(restartsInARow(withHand, p)).toBe(1);
    expect(shouldRestart(exited(1), p, withHand)).toEqual({ restart: true, delayMs: 2000, attempt: 2 });
  });

  it('restartsInARow counts guard-started runs and stops at the first run by hand', () => {
    const p = { resetAfterMs: 60_000 };
    expect(restartsInARow([], p)).toBe(0);
    expect(restartsInARow([run('user')], p)).toBe(0);
    expect(restartsInARow([run('user'), run('restart'), run('guard'), run('restart')], p)).toBe(3);
    expect(restartsInARow([run('restart'), run('restart')], p)).toBe(2); // older runs were dropped: count what is on record
  });

  it('property: the delay stays within [initialDelayMs, maxDelayMs] and the attempt never exceeds maxRestarts', () => {
    const arbRun = fc.record({
      trigger: fc.constantFrom<RunRecord['trigger']>('user', 'restart', 'guard'),
      durationMs: fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: null, freq: 10 }),
    });
    const arbPolicy = fc
      .record({
        mode: fc.constantFrom<RestartMode>('no', 'on-failure', 'always'),
        maxRestarts: fc.integer({ min: 0, max: 40 }),
        initialDelayMs: fc.integer({ min: 1, max: 100_000 }),
        extraDelayMs: fc.integer({ min: 0, max: 10_000_000 }),
        resetAfterMs: fc.integer({ min: 1, max: 200_000 }),
      })
      .map(({ extraDelayMs, ...rest }): RestartPolicy => ({ ...rest, maxDelayMs: rest.initialDelayMs + extraDelayMs }));
    const arbExit = fc.oneof(
      fc.integer({ min: 0, max: 255 }).map(exited),
      fc.constantFrom('SIGKILL', 'SIGSEGV', 'SIGTERM').map(signalled),
      fc.constantFrom<'user' | 'guard'>('user', 'guard').map((by) => stopped(by)),
      fc.constant(spawnFailed()),
      fc.constant(unknown()),
    );
    fc.assert(
      fc.property(arbExit, arbPolicy, fc.array(arbRun, { minLength: 1, maxLength: 60 }), fc.boolean(), (exit, p, shapes, guardAsks) => {
        const runs = shapes.map((s, i) => run(s.trigger, s.durationMs, i + 1));
        const decision = shouldRestart(exit, p, runs, guardAsks);
        const inARow = restartsInARow(runs, p);
        if (decision.restart) {
          expect(decision.delayMs).toBeGreaterThanOrEqual(p.initialDelayMs);
          expect(decision.delayMs).toBeLessThanOrEqual(p.maxDelayMs);
          expect(decision.attempt).toBeGreaterThanOrEqual(1);
          expect(decision.attempt).toBeLessThanOrEqual(p.maxRestarts);
          expect(decision.attempt).toBe(inARow + 1);
        } else {
          expect(decision.crashLooping).toBe(decision.reason === 'limit-reached');
          if (decision.reason === 'limit-reached') expect(inARow).toBeGreaterThanOrEqual(p.maxRestarts);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('run history', () => {
  it('numbers runs from 1 and records the trigger and start', () => {
    const runs: RunRecord[] = [];
    const first = beginRun(runs, 'user', Date.UTC(2025, 0, 1, 12, 0, 0));
    expect(first).toEqual({
      run: 1,
      trigger: 'user',
      pid: null,
      startedAt: '2025-01-01T12:00:00.000Z',
      endedAt: null,
      durationMs: null,
      exit: null,
      peakCpuPercent: null,
      peakMemoryMb: null,
    });
    const second = beginRun(runs, 'restart', Date.UTC(2025, 0, 1, 12, 0, 5));
    const third = beginRun(runs, 'guard', Date.UTC(2025, 0, 1, 12, 0, 9));
    expect([second.run, third.run]).toEqual([2, 3]);
    expect(runs).toEqual([first, second, third]);
    expect(runs.map((r) => r.trigger)).toEqual(['user', 'restart', 'guard']);
  });

  it(`keeps only the newest ${MAX_RUNS} runs, numbering on`, () => {
    const runs: RunRecord[] = [];
    for (let i = 0; i < MAX_RUNS + 10; i++) beginRun(runs, 'restart', 1_000_000 + i);
    expect(runs).toHaveLength(MAX_RUNS);
    expect(runs[0]!.run).toBe(11);
    expect(runs.at(-1)!.run).toBe(MAX_RUNS + 10);
    expect(beginRun(runs, 'user', 2_000_000).run).toBe(MAX_RUNS + 11);
    expect(runs).toHaveLength(MAX_RUNS);
    expect(runs[0]!.run).toBe(12);
  });

  it('closeRecord sets the exit, end and duration once', () => {
    const runs: RunRecord[] = [];
    const start = Date.UTC(2025, 5, 1);
    const record = beginRun(runs, 'user', start);
    closeRecord(record, exited(2), start + 4321);
    expect(record).toMatchObject({ exit: exited(2), endedAt: new Date(start + 4321).toISOString(), durationMs: 4321 });
    closeRecord(record, exited(0), start + 99_999);
    expect(record).toMatchObject({ exit: exited(2), endedAt: new Date(start + 4321).toISOString(), durationMs: 4321 });
  });

  it('closeRecord never gives a negative duration (clock stepped back)', () => {
    const record = beginRun([], 'user', 10_000);
    closeRecord(record, exited(0), 9_000);
    expect(record.durationMs).toBe(0);
  });

  it('notePeaks keeps the maxima, ignores null readings and rounds to 0.1', () => {
    const record = beginRun([], 'user', 0);
    notePeaks(record, null, null);
    expect([record.peakCpuPercent, record.peakMemoryMb]).toEqual([null, null]);
    notePeaks(record, 12.34, 100.06);
    expect([record.peakCpuPercent, record.peakMemoryMb]).toEqual([12.3, 100.1]);
    notePeaks(record, 5, 200);
    expect([record.peakCpuPercent, record.peakMemoryMb]).toEqual([12.3, 200]);
    notePeaks(record, 80, null);
    expect([record.peakCpuPercent, record.peakMemoryMb]).toEqual([80, 200]);
    notePeaks(record, null, 50);
    expect([record.peakCpuPercent, record.peakMemoryMb]).toEqual([80, 200]);
    notePeaks(record, 0, 0);
    expect([record.peakCpuPercent, record.peakMemoryMb]).toEqual([80, 200]);
  });

  it('notePeaks of zero readings records zero (not null)', () => {
    const record = beginRun([], 'user', 0);
    notePeaks(record, 0, 0);
    expect([record.peakCpuPercent, record.peakMemoryMb]).toEqual([0, 0]);
  });
});
