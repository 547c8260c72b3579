import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_POLICY, DEFAULT_STALL_POLICY, type AgentView, type ExitView, type GuardAlertView } from '../../src-preload/contract';
import { noticesBetween } from '../../src-main/api/notices';

const base: AgentView = {
  agentId: 'a1', agentName: 'Worker', agentType: 'test', parentAgentId: null, model: null, state: 'running', health: 'healthy',
  pid: 10, processStatus: 'sleeping', exitCode: null, signal: null, treeCpuPercent: 1, treeMemoryMb: 10, treeNumThreads: 1,
  runtimeSeconds: 1, startedAt: null, endedAt: null, progress: null, progressMessage: null, descendantCount: 0, zombieDescendants: 0,
  error: null, notes: [], adopted: false, stopProgress: null, stopReport: null,
  policies: { restart: DEFAULT_RESTART_POLICY, stall: DEFAULT_STALL_POLICY, guard: null, niceness: null },
  restarts: 0, nextRestartAt: null, stalledSince: null, lastOutputAt: null, guardAlert: null, lastExit: null, runCount: 1, containment: 'process-group', limitEnforcement: { memory: null, cpu: null },
};
const exited = (code: number, summary: string): ExitView => ({
  kind: 'exited', code, signal: null, stopStage: null, stoppedBy: null, possiblyOutOfMemory: false, spawn: null, summary,
});
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

  it('says how the run ended, from its exit summary, when the agent fails', () => {
    const failed: AgentView = { ...base, state: 'failed', health: 'failed', exitCode: 3, error: null, lastExit: exited(3, 'Exited with code 3 after 2 s.') };
    expect(noticesBetween(base, failed, at)).toMatchObject([{ kind: 'failed', body: 'Exited with code 3 after 2 s.' }]);
  });

  it('raises no notice while an agent is restarted again and again, then one crash-looping notice when it gives up', () => {
    const ended = (restarts: number): AgentView => ({ ...base, state: 'backoff', health: 'restarting', pid: null, exitCode: 1, restarts, nextRestartAt: 1, lastExit: exited(1, 'Exited with code 1.') });
    const running = (restarts: number): AgentView => ({ ...base, restarts, lastExit: null });
    const views: AgentView[] = [running(0)];
    for (let restarts = 1; restarts <= 3; restarts++) views.push(ended(restarts - 1), { ...running(restarts), state: 'spawning' }, running(restarts));
    const looping: AgentView = { ...base, state: 'crash-looping', health: 'failed', pid: null, exitCode: 1, restarts: 3, lastExit: exited(1, 'Exited with code 1 after 0.2 s.') };
    views.push(ended(3), looping, looping);
    const told = views.slice(1).flatMap((view, index) => noticesBetween(views[index], view, at));
    expect(told).toEqual([
      { kind: 'crash-looping', agentId: 'a1', title: 'Worker (a1) keeps failing', body: 'Restarted 3 times in a row; no more restarts. Last run: Exited with code 1 after 0.2 s.', at },
    ]);
    // First seen already crash-looping (e.g. after Corral restarted): old news.
    expect(noticesBetween(undefined, looping, at)).toEqual([]);
  });

  it('tells once when an agent goes quiet, with how long and that it may be waiting for input', () => {
    const quiet: AgentView = { ...base, lastOutputAt: '2025-12-31T23:54:00.000Z', stalledSince: '2025-12-31T23:59:00.000Z', health: 'stalled' };
    const [notice, ...more] = noticesBetween(base, quiet, at);
    expect(more).toEqual([]);
    expect(notice).toEqual({ kind: 'stalled', agentId: 'a1', title: 'Worker (a1) looks stalled', body: 'No output for 6 min, CPU under 5 %: it may be waiting for input, or hung.', at });
    expect(noticesBetween(quiet, quiet, at)).toEqual([]);
    // It spoke again, then went quiet again: that is news again.
    expect(noticesBetween(base, { ...quiet, stalledSince: at }, at).map((told) => told.kind)).toEqual(['stalled']);
    expect(noticesBetween(undefined, quiet, at)).toEqual([]);
  });

  it('tells when a resource guard fires (not while the limit is merely exceeded), with the figure, the limit and the action', () => {
    const over: GuardAlertView = { metric: 'memory', value: 612.4, limit: 500, since: '2025-12-31T23:59:29.000Z', fired: false, action: 'stop' };
    const exceeding: AgentView = { ...base, guardAlert: over };
    const fired: AgentView = { ...base, guardAlert: { ...over, fired: true } };
    expect(noticesBetween(base, exceeding, at)).toEqual([]);
    expect(noticesBetween(exceeding, fired, at)).toEqual([
      { kind: 'threshold', agentId: 'a1', title: 'Worker (a1) is over its memory limit', body: 'Memory 612 MB over its 500 MB limit for 31 s; Corral is stopping it.', at },
    ]);
    expect(noticesBetween(fired, fired, at)).toEqual([]);
    const cpu: AgentView = { ...base, guardAlert: { metric: 'cpu', value: 180, limit: 150, since: at, fired: true, action: 'notify' } };
    expect(noticesBetween(fired, cpu, at)).toMatchObject([{ kind: 'threshold', title: 'Worker (a1) is over its CPU limit', body: 'CPU 180 % over its 150 % limit for 0 s; it keeps running (the guard only notifies).' }]);
  });
});
