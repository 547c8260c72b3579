/**
 * Sub-agents (an agent whose request names a parentAgentId) are stopped before
 * their parent under its `stopChildrenFirst` policy (on by default): in
 * parallel, each with its own stop and report, grandchildren before children,
 * as forceful as the parent's stop; the parent's report lists them. With the
 * policy off the parent is stopped alone. Stop all, which stops every agent at
 * once, stops each sub-agent once. Real processes throughout; the order is read
 * from the engine's own events, and /proc says what is left.
 */
import { describe, expect, it } from 'vitest';
import type { DeploymentRequest, StopReport, Supervisor } from '../../../src-main/supervisor/index';
import { idPrefix, isPidAlive, liveAgentProcesses, NODE, request, useSupervisor, waitForLog } from '../../helpers/agents';
import { waitFor } from '../../helpers/wait';

/** Takes `SLOW_EXIT_MS` to exit after SIGTERM: the stops of several of them overlap only if they run in parallel. */
const SLOW_EXIT_MS = 400;
const SLOW = [NODE, '-e', `process.on('SIGTERM', () => setTimeout(() => process.exit(0), ${SLOW_EXIT_MS})); console.log('ready'); setInterval(() => {}, 1000);`];
/** Ignores SIGTERM: only SIGKILL ends it. */
const STUBBORN = [NODE, '-e', `process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);`];
const TIMEOUTS = { firstTermMs: 3_000, secondTermMs: 1_000, killMs: 2_000 };

/** When each agent began stopping, when it ended (state events), and when each stage of its stop began (stopStage events). */
interface Timeline {
  stopping: Map<string, number>;
  ended: Map<string, number>;
  stages: { agentId: string; stage: string; at: number }[];
}

function watch(supervisor: Supervisor): Timeline {
  const timeline: Timeline = { stopping: new Map(), ended: new Map(), stages: [] };
  supervisor.on('state', (event) => {
    if (event.state === 'stopping') timeline.stopping.set(event.agentId, performance.now());
    if (event.previousState === 'stopping' || (event.state === 'cancelled' && !timeline.ended.has(event.agentId))) timeline.ended.set(event.agentId, performance.now());
  });
  supervisor.on('stopStage', (event) => timeline.stages.push({ agentId: event.agentId, stage: event.stage, at: performance.now() }));
  return timeline;
}

function firstSignal(timeline: Timeline, agentId: string): number {
  const stage = timeline.stages.find((entry) => entry.agentId === agentId);
  if (stage === undefined) throw new Error(`${agentId} was never signalled`);
  return stage.at;
}

async function startReady(supervisor: Supervisor, req: DeploymentRequest): Promise<number> {
  const response = await supervisor.spawnAgent(req);
  expect(response.status, response.error).toBe('running');
  await waitForLog(supervisor, req.agentId, 'ready');
  return response.pid!;
}

const ids = (reports: readonly StopReport[] | undefined) => (reports ?? []).map((report) => report.agentId);

describe('stopping a parent stops its sub-agents first', () => {
  it('stops three children in parallel (their stops overlap), each with its own stop and record, then the parent; its report lists them', async () => {
    const prefix = idPrefix('subagents');
    const supervisor = await useSupervisor(prefix, { stopTimeouts: TIMEOUTS });
    const timeline = watch(supervisor);
    const parent = request(prefix, SLOW);
    const children = [1, 2, 3].map(() => request(prefix, SLOW, { parentAgentId: parent.agentId }));
    const pids = [await startReady(supervisor, parent)];
    for (const child of children) pids.push(await startReady(supervisor, child));

    const { reports } = await supervisor.cleanup({ agentId: parent.agentId });
    const report = reports[parent.agentId]!;
    expect(report.outcome).toBe('stopped');
    expect(ids(report.children).sort()).toEqual(children.map((child) => child.agentId).sort());
    for (const child of report.children!) expect(child).toMatchObject({ outcome: 'stopped', forced: false, processCount: 1, endedByStage: { term1: 1, term2: 0, kill: 0 } });

    // Children first: every child had ended before the parent's first signal.
    const parentSignalledAt = firstSignal(timeline, parent.agentId);
    for (const child of children) expect(timeline.ended.get(child.agentId)!).toBeLessThanOrEqual(parentSignalledAt);
    // In parallel: each child took SLOW_EXIT_MS to go, and every one began stopping before any had ended.
    const lastBegan = Math.max(...children.map((child) => timeline.stopping.get(child.agentId)!));
    const firstEnded = Math.min(...children.map((child) => timeline.ended.get(child.agentId)!));
    expect(lastBegan).toBeLessThan(firstEnded);

    for (const child of children) {
      const status = await supervisor.getAgentStatus(child.agentId);
      expect(status.state).toBe('cancelled');
      expect(status.lastExit).toMatchObject({ kind: 'stopped', stoppedBy: 'user', stopStage: 'term1' });
      expect(status.stopReport).toMatchObject({ agentId: child.agentId, outcome: 'stopped' });
    }
    const parentStatus = await supervisor.getAgentStatus(parent.agentId);
    expect(parentStatus.state).toBe('cancelled');
    expect(ids(parentStatus.stopReport?.children).sort()).toEqual(ids(report.children).sort());
    expect(pids.filter(isPidAlive)).toEqual([]);
    expect(liveAgentProcesses(prefix)).toEqual([]);
  }, 30_000);

  it('stops grandchildren before children, and lists every descendant in one flat list, each grandchild before its parent', async () => {
    const prefix = idPrefix('grandchildren');
    const supervisor = await useSupervisor(prefix, { stopTimeouts: TIMEOUTS });
    const timeline = watch(supervisor);
    const root = request(prefix, SLOW);
    const child = request(prefix, SLOW, { parentAgentId: root.agentId });
    const grandchildren = [1, 2].map(() => request(prefix, SLOW, { parentAgentId: child.agentId }));
    for (const req of [root, child, ...grandchildren]) await startReady(supervisor, req);

    expect(await supervisor.killAgent(root.agentId)).toBe(true);
    const report = (await supervisor.getAgentStatus(root.agentId)).stopReport!;
    const listed = ids(report.children);
    expect(listed.sort()).toEqual([child.agentId, ...grandchildren.map((g) => g.agentId)].sort());
    expect(ids(report.children).at(-1)).toBe(child.agentId);
    // The child's own report lists its children too.
    expect(ids((await supervisor.getAgentStatus(child.agentId)).stopReport?.children).sort()).toEqual(grandchildren.map((g) => g.agentId).sort());

    const childSignalledAt = firstSignal(timeline, child.agentId);
    for (const grandchild of grandchildren) expect(timeline.ended.get(grandchild.agentId)!).toBeLessThanOrEqual(childSignalledAt);
    expect(timeline.ended.get(child.agentId)!).toBeLessThanOrEqual(firstSignal(timeline, root.agentId));
    expect(liveAgentProcesses(prefix)).toEqual([]);
  }, 30_000);

  it('with the policy off (in the request, or changed later), stops the parent alone: its children keep running', async () => {
    const prefix = idPrefix('policyoff');
    const supervisor = await useSupervisor(prefix, { stopTimeouts: TIMEOUTS });
    const parent = request(prefix, SLOW, { stopChildrenFirst: false });
    const child = request(prefix, SLOW, { parentAgentId: parent.agentId });
    await startReady(supervisor, parent);
    const childPid = await startReady(supervisor, child);
    expect((await supervisor.getAgentStatus(parent.agentId)).policies.stopChildrenFirst).toBe(false);
    expect((await supervisor.getAgentStatus(child.agentId)).policies.stopChildrenFirst).toBe(true); // the default

    const { reports } = await supervisor.cleanup({ agentId: parent.agentId });
    expect(reports[parent.agentId]).toMatchObject({ outcome: 'stopped', children: [] });
    expect((await supervisor.getAgentStatus(child.agentId)).state).toBe('running');
    expect(isPidAlive(childPid)).toBe(true);

    // Turned off later through updatePolicies: the same.
    const second = request(prefix, SLOW);
    const secondChild = request(prefix, SLOW, { parentAgentId: second.agentId });
    await startReady(supervisor, second);
    const secondChildPid = await startReady(supervisor, secondChild);
    expect((await supervisor.updatePolicies(second.agentId, { stopChildrenFirst: false })).policies.stopChildrenFirst).toBe(false);
    expect(await supervisor.killAgent(second.agentId)).toBe(true);
    expect(isPidAlive(secondChildPid)).toBe(true);
    expect((await supervisor.getAgentStatus(secondChild.agentId)).state).toBe('running');
  }, 30_000);

  it('forced, forces the children too: SIGKILL at once, even for children that ignore SIGTERM', async () => {
    const prefix = idPrefix('forced');
    const supervisor = await useSupervisor(prefix, { stopTimeouts: { firstTermMs: 20_000, secondTermMs: 20_000, killMs: 2_000 } });
    const parent = request(prefix, STUBBORN);
    const children = [1, 2].map(() => request(prefix, STUBBORN, { parentAgentId: parent.agentId }));
    for (const req of [parent, ...children]) await startReady(supervisor, req);

    const startedAt = performance.now();
    const { reports } = await supervisor.cleanup({ agentId: parent.agentId, force: true });
    // Well under one graceful stage: nobody waited for a SIGTERM to work.
    expect(performance.now() - startedAt).toBeLessThan(10_000);
    expect(reports[parent.agentId]).toMatchObject({ outcome: 'stopped', forced: true, endedByStage: { term1: 0, term2: 0, kill: 1 } });
    expect(ids(reports[parent.agentId]!.children).sort()).toEqual(children.map((child) => child.agentId).sort());
    for (const child of reports[parent.agentId]!.children!) expect(child).toMatchObject({ outcome: 'stopped', forced: true, endedByStage: { term1: 0, term2: 0, kill: 1 } });
    expect(liveAgentProcesses(prefix)).toEqual([]);
  }, 30_000);

  it('a forced stop overtakes a graceful one still waiting on the children: all go at once, one report', async () => {
    const prefix = idPrefix('overtake');
    const supervisor = await useSupervisor(prefix, { stopTimeouts: { firstTermMs: 20_000, secondTermMs: 20_000, killMs: 2_000 } });
    const timeline = watch(supervisor);
    const parent = request(prefix, STUBBORN);
    const children = [1, 2].map(() => request(prefix, STUBBORN, { parentAgentId: parent.agentId }));
    for (const req of [parent, ...children]) await startReady(supervisor, req);

    const graceful = supervisor.cleanup({ agentId: parent.agentId });
    await waitFor(() => children.every((child) => timeline.stages.some((entry) => entry.agentId === child.agentId && entry.stage === 'term1')), { what: 'the children’s first SIGTERM' });
    expect(timeline.stages.filter((entry) => entry.agentId === parent.agentId)).toEqual([]); // still waiting on its children
    const startedAt = performance.now();
    const forced = await supervisor.cleanup({ agentId: parent.agentId, force: true });
    expect(performance.now() - startedAt).toBeLessThan(10_000);
    const overtaken = await graceful;
    expect(forced.reports[parent.agentId]).toMatchObject({ outcome: 'stopped', forced: true });
    expect(overtaken.reports[parent.agentId]).toEqual(forced.reports[parent.agentId]);
    // The parent itself was signalled once, by the forced stop.
    expect(timeline.stages.filter((entry) => entry.agentId === parent.agentId).map((entry) => entry.stage)).toEqual(['kill']);
    expect(liveAgentProcesses(prefix)).toEqual([]);
  }, 30_000);

  it('leaves a child that has already ended as it was, and still stops that child’s own live children', async () => {
    const prefix = idPrefix('ended');
    const supervisor = await useSupervisor(prefix, { stopTimeouts: TIMEOUTS });
    const parent = request(prefix, SLOW);
    const done = request(prefix, [NODE, '-e', 'process.exit(0)'], { parentAgentId: parent.agentId });
    const live = request(prefix, SLOW, { parentAgentId: parent.agentId });
    await startReady(supervisor, parent);
    await startReady(supervisor, live);
    await supervisor.spawnAgent(done);
    await waitFor(async () => (await supervisor.getAgentStatus(done.agentId)).state === 'completed', { what: 'the short child to complete' });
    // A live grandchild under the ended child.
    const orphaned = request(prefix, SLOW, { parentAgentId: done.agentId });
    await startReady(supervisor, orphaned);

    const { reports } = await supervisor.cleanup({ agentId: parent.agentId });
    expect(ids(reports[parent.agentId]!.children).sort()).toEqual([live.agentId, orphaned.agentId].sort());
    const ended = await supervisor.getAgentStatus(done.agentId);
    expect(ended.state).toBe('completed');
    expect(ended.stopReport).toBeNull();
    expect((await supervisor.getAgentStatus(orphaned.agentId)).state).toBe('cancelled');
    expect(liveAgentProcesses(prefix)).toEqual([]);
  }, 30_000);

  it('Stop all, graceful or forced, stops parents and children at once and each sub-agent exactly once', async () => {
    for (const force of [false, true]) {
      const prefix = idPrefix(force ? 'stopall-forced' : 'stopall');
      const supervisor = await useSupervisor(prefix, { stopTimeouts: TIMEOUTS });
      const timeline = watch(supervisor);
      const parents = [1, 2].map(() => request(prefix, SLOW));
      const children = parents.flatMap((parent) => [1, 2].map(() => request(prefix, SLOW, { parentAgentId: parent.agentId })));
      const grandchild = request(prefix, SLOW, { parentAgentId: children[0]!.agentId });
      const all = [...parents, ...children, grandchild];
      for (const req of all) await startReady(supervisor, req);

      const report = await supervisor.cleanup({ force });
      expect(report.stopped.sort()).toEqual(all.map((req) => req.agentId).sort());
      expect(report.unkillable).toEqual([]);
      // One stop each: one first stage per agent (a second stop would signal it again, or fail).
      for (const req of all) expect(timeline.stages.filter((entry) => entry.agentId === req.agentId).map((entry) => entry.stage)).toEqual([force ? 'kill' : 'term1']);
      for (const req of all) expect((await supervisor.getAgentStatus(req.agentId)).state).toBe('cancelled');
      expect(ids(report.reports[parents[0]!.agentId]!.children).sort()).toEqual([children[0]!.agentId, children[1]!.agentId, grandchild.agentId].sort());
      // The report a parent lists for a child is the very stop Stop all got for it, not a second one.
      for (const parent of parents) {
        for (const listed of report.reports[parent.agentId]!.children!) {
          expect({ ...listed, children: 'elided' }).toEqual({ ...report.reports[listed.agentId]!, children: 'elided' });
        }
      }
      expect(liveAgentProcesses(prefix)).toEqual([]);
    }
  }, 60_000);
});
