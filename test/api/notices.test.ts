import { describe, expect, it } from 'vitest';
import type { AgentView } from '../../src-preload/contract';
import { noticesBetween } from '../../src-main/api/notices';

const base: AgentView = {
  agentId: 'a1', agentName: 'Worker', agentType: 'test', parentAgentId: null, model: null, state: 'running', health: 'healthy',
  pid: 10, processStatus: 'sleeping', exitCode: null, signal: null, treeCpuPercent: 1, treeMemoryMb: 10, treeNumThreads: 1,
  runtimeSeconds: 1, startedAt: null, endedAt: null, progress: null, progressMessage: null, descendantCount: 0, zombieDescendants: 0,
  error: null, notes: [], adopted: false, stopProgress: null, stopReport: null,
};
const at = '2026-01-01T00:00:00.000Z';

describe('notices', () => {
  it('tells once when an agent fails, with why', () => {
    const failed: AgentView = { ...base, state: 'failed', health: 'failed', exitCode: 3, error: 'Exited with code 3.' };
    expect(noticesBetween(base, failed, at)).toEqual([{ kind: 'failed', agentId: 'a1', title: 'Worker (a1) failed', body: 'Exited with code 3.', at }]);
    expect(noticesBetween(failed, failed, at)).toEqual([]);
  });

  it('says nothing about an agent first seen already failed (e.g. after a restart)', () => {
    expect(noticesBetween(undefined, { ...base, state: 'failed' }, at)).toEqual([]);
  });

  it('tells when zombies appear, and when a stop left survivors', () => {
    const zombies = noticesBetween(base, { ...base, zombieDescendants: 2 }, at);
    expect(zombies.map((notice) => notice.kind)).toEqual(['zombie']);
    const report = { agentId: 'a1', forced: false, outcome: 'unkillable' as const, startedAt: at, durationMs: 1, processCount: 1,
      endedByStage: { term1: 0, term2: 0, kill: 0 }, survivors: [{ pid: 12, name: 'stuck' }] };
    const unkillable = noticesBetween(base, { ...base, stopReport: report }, at);
    expect(unkillable).toMatchObject([{ kind: 'unkillable', body: 'pid 12 (stuck) survived SIGKILL.' }]);
  });
});
