import { describe, expect, it } from 'vitest';
import { formatExitCode, MISSING } from '../../../src-renderer/format/format';
import { describeOrphanStop } from '../../../src-renderer/orphans/orphan-stop';
import { agentView } from './fixtures';

describe('formatExitCode', () => {
  it('says unknown when Corral could not see the end (lost, or adopted and ended), the code when known, a dash otherwise', () => {
    expect(formatExitCode(agentView('a', { state: 'lost', endedAt: '2025-01-01T00:00:01.000Z' }))).toBe('unknown');
    expect(formatExitCode(agentView('a', { state: 'cancelled', adopted: true, endedAt: '2025-01-01T00:00:01.000Z' }))).toBe('unknown');
    expect(formatExitCode(agentView('a', { state: 'failed', exitCode: 3, endedAt: '2025-01-01T00:00:01.000Z' }))).toBe('3');
    expect(formatExitCode(agentView('a', { state: 'cancelled', signal: 'SIGTERM', endedAt: '2025-01-01T00:00:01.000Z' }))).toBe(MISSING);
    expect(formatExitCode(agentView('a', { state: 'running', adopted: true }))).toBe(MISSING);
  });
});

describe('describeOrphanStop', () => {
  it('says what was stopped and what was left alone, and why', () => {
    expect(describeOrphanStop({ stopped: 1, alreadyEnded: 0, survivors: [], refused: [] })).toBe('Stopped 1 orphan.');
    expect(
      describeOrphanStop({
        stopped: 2,
        alreadyEnded: 1,
        survivors: [{ pid: 42, name: 'stuck' }],
        refused: [
          { pid: 7, reason: 'recycled' },
          { pid: 8, reason: 'not-an-orphan' },
        ],
      }),
    ).toBe(
      'Stopped 2 orphans; 1 had already ended; survived SIGKILL: 42 (stuck); 1 left alone: the pid now belongs to another process; 1 left alone: no longer an orphan of this Corral.',
    );
  });
});
