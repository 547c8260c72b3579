/**
 * How a run ended, in words and fields (`classifyExit`), and which ends count
 * as failures (`isFailure`).
 */
import { describe, expect, it } from 'vitest';
import { classifyExit, isFailure, type RunEnd } from '../../../src-main/supervisor/policies/exit-classification';
import type { ExitClassification } from '../../../src-main/supervisor/types';

const end = (overrides: Partial<RunEnd>): RunEnd => ({ code: null, signal: null, stop: null, spawnFailure: null, unseen: null, ...overrides });

describe('classifyExit', () => {
  it('an exit with a code', () => {
    expect(classifyExit(end({ code: 3 }))).toEqual({
      kind: 'exited',
      code: 3,
      signal: null,
      stopStage: null,
      stoppedBy: null,
      possiblyOutOfMemory: false,
      spawn: null,
      summary: 'Exited with code 3.',
    });
    expect(classifyExit(end({ code: 0 }))).toMatchObject({ kind: 'exited', code: 0, summary: 'Exited with code 0.' });
  });

  it('a SIGKILL Corral did not send: possibly out of memory', () => {
    const exit = classifyExit(end({ signal: 'SIGKILL' }));
    expect(exit).toEqual({
      kind: 'signalled',
      code: null,
      signal: 'SIGKILL',
      stopStage: null,
      stoppedBy: null,
      possiblyOutOfMemory: true,
      spawn: null,
      summary: 'Killed by SIGKILL, not sent by Corral. Possibly out of memory (the kernel OOM killer sends SIGKILL).',
    });
  });

  it('another signal Corral did not send: not out of memory', () => {
    const exit = classifyExit(end({ signal: 'SIGTERM' }));
    expect(exit).toMatchObject({ kind: 'signalled', signal: 'SIGTERM', possiblyOutOfMemory: false, stopStage: null, stoppedBy: null });
    expect(exit.summary).toBe('Killed by SIGTERM, not sent by Corral.');
    expect(exit.summary).not.toMatch(/memory/i);
    expect(classifyExit(end({ signal: 'SIGSEGV' }))).toMatchObject({ kind: 'signalled', possiblyOutOfMemory: false, summary: 'Killed by SIGSEGV, not sent by Corral.' });
  });

  it('neither code nor signal: "a signal"', () => {
    expect(classifyExit(end({}))).toMatchObject({ kind: 'signalled', possiblyOutOfMemory: false, summary: 'Killed by a signal, not sent by Corral.' });
  });

  it('stopped by the user, at each stage, with the code or signal in the summary', () => {
    expect(classifyExit(end({ code: 0, stop: { stage: 'term1', by: 'user' } }))).toEqual({
      kind: 'stopped',
      code: 0,
      signal: null,
      stopStage: 'term1',
      stoppedBy: 'user',
      possiblyOutOfMemory: false,
      spawn: null,
      summary: 'Stopped by Corral at SIGTERM; exited with code 0.',
    });
    expect(classifyExit(end({ code: 143, stop: { stage: 'term1', by: 'user' } })).summary).toBe('Stopped by Corral at SIGTERM; exited with code 143.');
    expect(classifyExit(end({ signal: 'SIGTERM', stop: { stage: 'term2', by: 'user' } }))).toMatchObject({
      kind: 'stopped',
      signal: 'SIGTERM',
      stopStage: 'term2',
      stoppedBy: 'user',
      summary: 'Stopped by Corral at the second SIGTERM; ended by SIGTERM.',
    });
    // A SIGKILL Corral sent is not an out-of-memory hint.
    expect(classifyExit(end({ signal: 'SIGKILL', stop: { stage: 'kill', by: 'user' } }))).toMatchObject({
      kind: 'stopped',
      signal: 'SIGKILL',
      stopStage: 'kill',
      stoppedBy: 'user',
      possiblyOutOfMemory: false,
      summary: 'Stopped by Corral at SIGKILL; ended by SIGKILL.',
    });
    expect(classifyExit(end({ stop: { stage: 'kill', by: 'user' } })).summary).toBe('Stopped by Corral at SIGKILL; ended by a signal.');
  });

  it('stopped by a resource guard says so', () => {
    const exit = classifyExit(end({ signal: 'SIGTERM', stop: { stage: 'term1', by: 'guard' } }));
    expect(exit).toMatchObject({ kind: 'stopped', stoppedBy: 'guard', stopStage: 'term1', possiblyOutOfMemory: false });
    expect(exit.summary).toBe('Stopped by a resource guard at SIGTERM; ended by SIGTERM.');
    expect(classifyExit(end({ code: 1, stop: { stage: 'kill', by: 'guard' } })).summary).toBe('Stopped by a resource guard at SIGKILL; exited with code 1.');
  });

  it('a spawn failure keeps what was tried (argv, cwd, path) and the reason', () => {
    const exit = classifyExit(
      end({ spawnFailure: { message: 'no such program "frob" on PATH', argv: ['frob', '--x'], cwd: '/tmp/work', path: '/usr/bin:/bin' } }),
    );
    expect(exit).toEqual({
      kind: 'spawn-failed',
      code: null,
      signal: null,
      stopStage: null,
      stoppedBy: null,
      possiblyOutOfMemory: false,
      spawn: { argv: ['frob', '--x'], cwd: '/tmp/work', path: '/usr/bin:/bin' },
      summary: 'Could not start: no such program "frob" on PATH',
    });
  });

  it('an end Corral did not see: kind unknown, exit code unknown', () => {
    const away = classifyExit(end({ unseen: 'corral-away' }));
    expect(away).toEqual({
      kind: 'unknown',
      code: null,
      signal: null,
      stopStage: null,
      stoppedBy: null,
      possiblyOutOfMemory: false,
      spawn: null,
      summary: 'Exited while Corral was not running; exit code unknown.',
    });
    const adopted = classifyExit(end({ unseen: 'adopted' }));
    expect(adopted).toMatchObject({ kind: 'unknown', code: null, signal: null, possiblyOutOfMemory: false });
    expect(adopted.summary).toBe('Ended while adopted (Corral was not its parent); exit code unknown.');
  });
});

describe('isFailure', () => {
  const of = (overrides: Partial<RunEnd>): ExitClassification => classifyExit(end(overrides));

  it('an exit is a failure exactly when its code is not 0', () => {
    expect(isFailure(of({ code: 0 }))).toBe(false);
    expect(isFailure(of({ code: 1 }))).toBe(true);
    expect(isFailure(of({ code: 3 }))).toBe(true);
    expect(isFailure(of({ code: 255 }))).toBe(true);
  });

  it('a signal Corral did not send is a failure', () => {
    expect(isFailure(of({ signal: 'SIGKILL' }))).toBe(true);
    expect(isFailure(of({ signal: 'SIGTERM' }))).toBe(true);
  });

  it('a spawn failure is a failure', () => {
    expect(isFailure(of({ spawnFailure: { message: 'ENOENT', argv: ['x'], cwd: '/', path: '' } }))).toBe(true);
  });

  it('a stop is never a failure, whatever the code or signal', () => {
    expect(isFailure(of({ code: 0, stop: { stage: 'term1', by: 'user' } }))).toBe(false);
    expect(isFailure(of({ code: 1, stop: { stage: 'term1', by: 'user' } }))).toBe(false);
    expect(isFailure(of({ signal: 'SIGKILL', stop: { stage: 'kill', by: 'user' } }))).toBe(false);
    expect(isFailure(of({ signal: 'SIGTERM', stop: { stage: 'term2', by: 'guard' } }))).toBe(false);
  });

  it('an unknown end is not a failure', () => {
    expect(isFailure(of({ unseen: 'corral-away' }))).toBe(false);
    expect(isFailure(of({ unseen: 'adopted' }))).toBe(false);
  });
});
