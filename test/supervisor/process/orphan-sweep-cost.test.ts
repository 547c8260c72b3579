/**
 * What the background orphan sweep reads: with kernel containment it finds the
 * processes left in the cgroup of an agent that is not live by the cgroups
 * alone, reading no environment; the environment sweep (every process's
 * marker) runs first, then only when due or while an agent lives outside a
 * cgroup, and what it found by marker is followed by pid + start time in
 * between. The engine under `CORRAL_CONTAINMENT=process-group` still counts a
 * marker orphan in the background. Real processes, this machine's cgroups; the
 * environment reads are counted by a reader that passes every call to the real one.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Containment } from '../../../src-main/supervisor/process/cgroup/containment';
import { OrphanSweeper, type LiveAgentRef } from '../../../src-main/supervisor/process/orphans';
import type { ProcessReader } from '../../../src-main/supervisor/process/process-table';
import { createProcessReader } from '../../../src-main/supervisor/process/readers';
import { SnapshotCache } from '../../../src-main/supervisor/process/snapshot-cache';
import { fixture, idPrefix, isPidAlive, NODE, request, tempDir, trackPid, useSupervisor, waitForLog } from '../../helpers/agents';
import { waitFor } from '../../helpers/wait';
import { cgroupsOff } from '../../helpers/cgroups';

const prefix = idPrefix('sweepcost');
const FAST = { firstTermMs: 500, secondTermMs: 300, killMs: 1000 };


const containments: Containment[] = [];
afterEach(() => {
  for (const containment of containments.splice(0)) containment.close();
});

/** The real reader, counting the environments it is asked to read (every process in the table but the skipped). */
function countingReader(): { reader: ProcessReader; environments: () => number } {
  const real = createProcessReader();
  let environments = 0;
  const reader: ProcessReader = {
    kind: real.kind,
    snapshot: (hints) => real.snapshot(hints),
    usage: (table, pids) => real.usage(table, pids),
    read: (pid) => real.read(pid),
    commandLines: (pids) => real.commandLines(pids),
    close: () => real.close(),
    agentMarkers: (table, skip, dataDir, memo) => {
      for (const pid of table.byPid.keys()) if (!skip.has(pid)) environments++;
      return real.agentMarkers(table, skip, dataDir, memo);
    },
  };
  return { reader, environments: () => environments };
}

function sweeper(dataDir: string, containment: Containment | null, liveAgents: () => LiveAgentRef[] = () => []) {
  const { reader, environments } = countingReader();
  const sweep = new OrphanSweeper({
    dataDir,
    reader,
    snapshots: new SnapshotCache(reader, dataDir),
    liveAgents,
    intervalMs: 60_000,
    containment,
    onError: (message) => expect.fail(message),
  });
  return { sweep, environments };
}

function sleeper(env: NodeJS.ProcessEnv = process.env): number {
  const child = spawn(NODE, [fixture('sleeper.mjs')], { stdio: 'ignore', env });
  trackPid(child.pid!);
  return child.pid!;
}

describe('background orphan sweep cost', () => {
  it.skipIf(cgroupsOff)("finds a process left in an ended agent's cgroup, not one in a live agent's, reading no environment", async () => {
    const dataDir = tempDir();
    const containment = Containment.open(dataDir).containment!;
    containments.push(containment);
    const live = containment.agent(`${prefix}-live`);
    const livePid = containment.placedWhile(live, () => sleeper()).value;
    const liveAgents = (): LiveAgentRef[] => [
      { agentId: `${prefix}-live`, anchor: { root: null, sessionId: null, knownMembers: [], cgroup: live }, startedAtMs: Date.now(), spawning: false },
    ];
    const { sweep, environments } = sweeper(dataDir, containment, liveAgents);
    expect(await sweep.sweep()).toBe(0); // the first sweep is full: it reads every environment once
    const afterFirst = environments();
    expect(afterFirst).toBeGreaterThan(0);

    // No marker at all (a cleared environment): only the cgroup says whose it is.
    const bare = { ...process.env };
    delete bare['CORRAL_AGENT_ID'];
    delete bare['CORRAL_STATUS_FILE'];
    const left = containment.placedWhile(containment.agent(`${prefix}-ended`), () => sleeper(bare)).value;
    await waitFor(() => isPidAlive(left) && containment.agent(`${prefix}-ended`).pids().includes(left), { what: 'the leftover in its cgroup' });
    expect(await sweep.sweep()).toBe(1);
    expect(await sweep.sweep()).toBe(1);
    expect(sweep.count).toBe(1);
    expect(environments()).toBe(afterFirst);
    expect(sweep.stats).toMatchObject({ sweeps: 3, environmentSweeps: 1 });

    // On demand the sweep is full, and lists it under the agent its cgroup names; then it stops it.
    const listed = await sweep.find();
    expect(listed.map(({ pid, agentId }) => ({ pid, agentId }))).toEqual([{ pid: left, agentId: `${prefix}-ended` }]);
    const report = await sweep.stop([{ pid: left, startTime: listed[0]!.startTime }], { force: false, timeouts: FAST });
    expect(report).toEqual({ stopped: 1, alreadyEnded: 0, survivors: [], refused: [] });
    expect(await sweep.sweep()).toBe(0);
    expect(isPidAlive(livePid)).toBe(true);
    process.kill(livePid, 'SIGKILL');
    await waitFor(() => !isPidAlive(livePid), { what: 'the live one to end' });
    await sweep.close();
  });

  it.skipIf(cgroupsOff)('a marker orphan outside any cgroup is found by the full sweep and followed by pid + start time, with no environment read in between', async () => {
    const dataDir = tempDir();
    const containment = Containment.open(dataDir).containment!;
    containments.push(containment);
    const agentId = `${prefix}-marked`;
    let live: LiveAgentRef[] = [];
    const { sweep, environments } = sweeper(dataDir, containment, () => live);
    // As a process of a Corral from before containment would be: our marker, in no cgroup of ours.
    const pid = sleeper({ ...process.env, CORRAL_AGENT_ID: agentId, CORRAL_STATUS_FILE: path.join(dataDir, 'agents', agentId, 'status.json') });
    await waitFor(() => isPidAlive(pid), { what: 'the marked process' });
    expect(await sweep.sweep()).toBe(1);
    const afterFirst = environments();
    expect(await sweep.sweep()).toBe(1);
    expect(environments()).toBe(afterFirst);

    // While an agent lives outside a cgroup every sweep reads the environments, and one more after it ends.
    live = [{ agentId: `${prefix}-other`, anchor: { root: null, sessionId: null, knownMembers: [], cgroup: null }, startedAtMs: Date.now(), spawning: false }];
    await sweep.sweep();
    await sweep.sweep();
    expect(sweep.stats.environmentSweeps).toBe(3);
    live = [];
    await sweep.sweep();
    expect(sweep.stats.environmentSweeps).toBe(4);
    const read = environments();

    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isPidAlive(pid), { what: 'the marked process to end' });
    expect(await sweep.sweep()).toBe(0);
    expect(environments()).toBe(read);
    expect(sweep.stats).toMatchObject({ sweeps: 6, environmentSweeps: 4 });
    await sweep.close();
  });

  it('without containment every background sweep reads the environments, as before', async () => {
    const dataDir = tempDir();
    const { sweep } = sweeper(dataDir, null);
    await sweep.sweep();
    await sweep.sweep();
    expect(sweep.stats).toMatchObject({ sweeps: 2, environmentSweeps: 2 });
    await sweep.close();
  });

  it('under CORRAL_CONTAINMENT=process-group the background sweep counts a daemon whose agent ended, and the stop ends it', async () => {
    const supervisor = await useSupervisor(prefix, { containment: 'process-group', orphanSweepMs: 100, stopTimeouts: FAST });
    const req = request(prefix, [NODE, fixture('escape.mjs'), '--orphan']);
    await supervisor.spawnAgent(req);
    const daemon = Number(/escaped (\d+)/.exec(await waitForLog(supervisor, req.agentId, 'escaped '))![1]);
    trackPid(daemon);
    await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).state === 'completed', { what: 'the agent to end' });
    // Counted by the background sweep alone: nothing here asked for one.
    await waitFor(async () => (await supervisor.getProcessSummary()).orphanCount === 1, { what: 'the background count' });
    const [orphan] = await supervisor.findOrphans();
    expect(orphan).toMatchObject({ pid: daemon, agentId: req.agentId });
    expect(await supervisor.stopOrphans([{ pid: daemon, startTime: orphan!.startTime }])).toMatchObject({ stopped: 1 });
    expect(isPidAlive(daemon)).toBe(false);
  });
});
