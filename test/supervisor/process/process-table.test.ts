import { describe, expect, it } from 'vitest';
import { decideHealth } from '../../../src-main/supervisor/policies/health';
import { buildTable, collectTree, statusName, type ProcEntry } from '../../../src-main/supervisor/process/process-table';
import { createProcReader } from '../../../src-main/supervisor/process/proc-reader';

function entry(pid: number, ppid: number, sid: number, extra: Partial<ProcEntry> = {}): ProcEntry {
  return { pid, ppid, pgid: sid, sid, stateCode: 'S', startTime: `t${pid}`, startedAtMs: null, cpuTimeMs: 0, rssBytes: 0, numThreads: 1, name: `p${pid}`, ...extra };
}

describe('collectTree', () => {
  // 100 (agent, session 100) → 101 → 102; 103 left the session (setsid) but is still 101's child;
  // 104 was reparented to init but stays in session 100; 200 is a stranger.
  const table = buildTable(
    [entry(1, 0, 1), entry(100, 1, 100), entry(101, 100, 100), entry(102, 101, 100), entry(103, 101, 103), entry(104, 1, 100), entry(200, 1, 200), entry(201, 103, 103)],
    0,
  );

  it('finds descendants by ppid walk and session, including one that left the group', () => {
    const tree = collectTree(table, { root: { pid: 100, startTime: 't100' }, sessionId: 100, knownMembers: [] });
    expect(tree.map((e) => e.pid).sort((a, b) => a - b)).toEqual([100, 101, 102, 103, 104, 201]);
    expect(tree[0]!.pid).toBe(100);
  });

  it('ignores a root whose pid now belongs to a process with another start time', () => {
    const tree = collectTree(table, { root: { pid: 100, startTime: 'other' }, sessionId: null, knownMembers: [] });
    expect(tree).toEqual([]);
  });

  it('ignores a session whose verified members are all gone, since its number may now be another agent\'s', () => {
    const tree = collectTree(table, { root: { pid: 100, startTime: 'recycled' }, sessionId: 100, knownMembers: [{ pid: 999, startTime: 't999' }] });
    expect(tree).toEqual([]);
  });

  it('keeps following known members after the root is gone', () => {
    const tree = collectTree(table, { root: null, sessionId: null, knownMembers: [{ pid: 103, startTime: 't103' }] });
    expect(tree.map((e) => e.pid).sort()).toEqual([103, 201]);
  });
});

describe('health', () => {
  it('is decided by lifecycle state, with a zombie root outranking it', () => {
    expect(decideHealth('running', false)).toBe('healthy');
    expect(decideHealth('running', true)).toBe('zombie');
    expect(decideHealth('completed', false)).toBe('completed');
    expect(decideHealth('failed', false)).toBe('failed');
    expect(decideHealth('cancelled', false)).toBe('cancelled');
    expect(decideHealth('lost', false)).toBe('unknown');
    expect(statusName('Z')).toBe('zombie');
    expect(statusName('T')).toBe('stopped');
  });
});

describe('proc reader', () => {
  it('reads this very process with its session, start time, memory and threads', async () => {
    const reader = createProcReader();
    const self = await reader.read(process.pid);
    expect(self).toMatchObject({ pid: process.pid, ppid: process.ppid });
    expect(self!.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(self!.numThreads).toBeGreaterThan(0);
    expect(Math.abs(self!.startedAtMs! - (Date.now() - process.uptime() * 1000))).toBeLessThan(2000);
    const table = await reader.snapshot();
    expect(table.byPid.get(process.pid)?.startTime).toBe(self!.startTime);
    expect(await reader.read(2 ** 22 + 12345)).toBeNull();
    reader.close();
  });
});
