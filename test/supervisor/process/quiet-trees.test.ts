/**
 * Quiet agents in cgroups cost one file per tick between them (cgroup-tree.ts `QuietTrees`,
 * cpu-usage.ts): when nothing under their parent cgroup ran (its `cpu.stat` usage is as before),
 * neither their own `cpu.stat`, nor their `cgroup.procs`, nor their members are read again. A busy agent, a child that ends and the periodic full read still read them.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { stateOf } from '../../helpers/proc';
import type { Supervisor } from '../../../src-main/supervisor/index';
import { MEMBER_REREAD_MS } from '../../../src-main/supervisor/process/cgroup/cgroup-tree';
import { heldFileOpens, heldFileReads } from '../../../src-main/supervisor/process/held-files';
import { idPrefix, request, useSupervisor } from '../../helpers/agents';
import { cgroupDirOf, countingSnapshots, measuredTick, untilEachRan } from '../../helpers/cgroup-usage';
import { cgroupsOff } from '../../helpers/cgroups';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('quiet');

/** CPU % is measured over at least 100 ms (cpu-tracker.ts): ticks closer than that repeat the last figure. */
const CPU_WINDOW_MS = 150;

/** Resolves once `CPU_WINDOW_MS` has passed since `sinceMs` (`performance.now()`), so the next tick measures CPU anew. */
async function pastCpuWindow(sinceMs: number): Promise<void> {
  await waitFor(() => performance.now() - sinceMs >= CPU_WINDOW_MS, { what: 'a CPU window' });
}

/** A sleeping shell with two sleeping children: nothing in it runs until it is signalled. */
async function quietAgent(supervisor: Supervisor, script = 'sleep 600 & sleep 600 & wait'): Promise<{ agentId: string; dir: string }> {
  const req = request(prefix, ['sh', '-c', script]);
  const { pid } = await supervisor.spawnAgent(req);
  await waitFor(
    async () => {
      await supervisor.sampleNow();
      return (await supervisor.getProcessTree(req.agentId)).length === 3;
    },
    { what: 'a tree of three' },
  );
  return { agentId: req.agentId, dir: cgroupDirOf(pid!) };
}

describe.skipIf(cgroupsOff)('a quiet cgroup agent', () => {
  it('costs no file of its own once read — one cpu.stat of their parent serves all — no open, its figures kept', async () => {
    const { reader, snapshots } = countingSnapshots();
    const supervisor = await useSupervisor(prefix, { processReader: reader, sampleIntervalMs: 60_000, orphanSweepMs: 600_000 });
    const { agentId } = await quietAgent(supervisor);
    await quietAgent(supervisor);
    await quietAgent(supervisor);
    // The tick after a full read of the members reuses them (a periodic snapshot may come first: one more try).
    // Each try spans a CPU window: back to back, a member still starting up on a loaded machine (waiting
    // for a core) accrues nothing between two ticks and would pass for quiet.
    await waitFor(async () => {
      await pastCpuWindow(performance.now());
      const tick = await measuredTick(supervisor, snapshots);
      return tick.snapshots === 0 && tick.files === 0;
    });
    const before = await supervisor.getProcessTree(agentId);
    const opens = heldFileOpens();
    const ticks = [];
    for (let i = 0; i < 3; i++) {
      await pastCpuWindow(performance.now());
      const [procs, cpu] = [heldFileReads('cgroup.procs'), heldFileReads('cpu.stat')];
      ticks.push({ ...(await measuredTick(supervisor, snapshots)), procs: heldFileReads('cgroup.procs') - procs, cpu: heldFileReads('cpu.stat') - cpu });
    }
    const reused = ticks.filter((tick) => tick.snapshots === 0);
    // The one cpu.stat read is their parent's (corral-…/): nothing under it ran, so neither did any of the three.
    expect(reused.map(({ files, procs, cpu }) => ({ files, procs, cpu }))).toEqual(reused.map(() => ({ files: 0, procs: 0, cpu: 1 })));
    expect(heldFileOpens() - opens).toBe(0);
    const status = await supervisor.getAgentStatus(agentId);
    expect(status.descendantCount).toBe(2);
    expect(reused.length).toBeGreaterThan(0);
    const after = await supervisor.getProcessTree(agentId);
    expect(after.map((p) => [p.pid, p.status, p.memoryMb, p.numThreads])).toEqual(before.map((p) => [p.pid, p.status, p.memoryMb, p.numThreads]));
    expect(after.every((p) => p.cpuPercent === 0)).toBe(true);
  });

  it('has its pressure computed, not read, while it rests: the last figures, decayed as the kernel does', async () => {
    const { reader, snapshots } = countingSnapshots();
    const supervisor = await useSupervisor(prefix, { processReader: reader, sampleIntervalMs: 60_000, orphanSweepMs: 600_000 });
    const { agentId } = await quietAgent(supervisor);
    // Ticks more than the kernel's 2 s update apart: a quiet one reads no pressure file (the periodic
    // full reads, which do, are told apart by the members' files they read).
    const quiet: { reads: number; cpu: number }[] = [];
    while (quiet.length < 2) {
      const atMs = performance.now();
      await waitFor(() => performance.now() - atMs > 2_100, { what: '2.1 s' });
      const before = heldFileReads('cpu.pressure');
      const tick = await measuredTick(supervisor, snapshots);
      const { pressure } = await supervisor.getAgentStatus(agentId);
      if (tick.snapshots === 0 && tick.files === 0) quiet.push({ reads: heldFileReads('cpu.pressure') - before, cpu: pressure!.cpu! });
    }
    expect(quiet.map(({ reads }) => reads)).toEqual([0, 0]);
    // A stall at its start on a loaded machine only decays: by e^(-0.2) per 2 s, to two decimals.
    expect(quiet[1]!.cpu).toBeLessThanOrEqual(quiet[0]!.cpu);
    if (quiet[0]!.cpu >= 1) expect(quiet[1]!.cpu).toBeLessThan(quiet[0]!.cpu);
  }, 60_000);

  it('is read in full once something in it runs, and a child that ended is seen at that tick', async () => {
    const { reader, snapshots } = countingSnapshots();
    const supervisor = await useSupervisor(prefix, { processReader: reader, sampleIntervalMs: 60_000, orphanSweepMs: 600_000 });
    // `exec sleep` never waits for its inherited child, which ends (a zombie) after 3 s.
    const { agentId } = await quietAgent(supervisor, 'sleep 3 & sleep 600 & exec sleep 600');
    await waitFor(async () => (await measuredTick(supervisor, snapshots)).files === 0, { what: 'a tick that reuses the tree' });
    const zombie = (await supervisor.getProcessTree(agentId)).filter((p) => p.name === 'sleep');
    // Whichever sleep ends (the 3 s one), the test sees it a zombie, then one tick must.
    const ended = await waitFor(() => zombie.find((p) => stateOf(p.pid) === 'Z'), { what: 'the child to end' });
    const tick = await measuredTick(supervisor, snapshots);
    expect(tick.files).toBeGreaterThan(0);
    expect((await supervisor.getAgentStatus(agentId)).zombieDescendants).toBe(1);
    expect((await supervisor.getProcessTree(agentId)).find((p) => p.pid === ended.pid)?.status).toBe('zombie');
  });

  it('is read in full every MEMBER_REREAD_MS even when nothing in it ran', async () => {
    const { reader, snapshots } = countingSnapshots();
    const supervisor = await useSupervisor(prefix, { processReader: reader, sampleIntervalMs: 60_000, orphanSweepMs: 600_000 });
    await quietAgent(supervisor);
    // The last full read of the members: the ticks before the first that reads none.
    let fullAtMs = performance.now();
    await waitFor(async () => {
      const startedAtMs = performance.now();
      const tick = await measuredTick(supervisor, snapshots);
      if (tick.files > 0) fullAtMs = startedAtMs;
      return tick.snapshots === 0 && tick.files === 0;
    });
    const reread = await waitFor(
      async () => {
        const tick = await measuredTick(supervisor, snapshots);
        return tick.snapshots === 0 && tick.files > 0 && { tick, atMs: performance.now() };
      },
      { what: 'a full read', timeoutMs: MEMBER_REREAD_MS + 10_000, intervalMs: 250 },
    );
    expect(reread.tick.files).toBe(2 * 3); // each member's stat and children list
    expect(reread.atMs - fullAtMs).toBeGreaterThanOrEqual(MEMBER_REREAD_MS);
    expect(reread.atMs - fullAtMs).toBeLessThan(MEMBER_REREAD_MS + 5_000);
  }, 40_000);
});

describe.skipIf(cgroupsOff)('quiet cgroup agents started together', () => {
  it('are read again for their age a tenth per tick, not all on one tick', async () => {
    const { reader, snapshots } = countingSnapshots();
    const supervisor = await useSupervisor(prefix, { processReader: reader, sampleIntervalMs: 60_000, orphanSweepMs: 600_000 });
    for (let i = 0; i < 20; i++) await quietAgent(supervisor);
    await waitFor(async () => (await measuredTick(supervisor, snapshots)).files === 0, { what: 'a tick that reuses every tree' });
    // Past MEMBER_REREAD_MS every tree is due; ticks 250 ms apart read at most 2 of the 20 (2 × 3 members × 2 files) each.
    const files: number[] = [];
    const untilMs = performance.now() + MEMBER_REREAD_MS + 4_000;
    while (performance.now() < untilMs) {
      const atMs = performance.now();
      const tick = await measuredTick(supervisor, snapshots);
      if (tick.snapshots === 0) files.push(tick.files);
      await waitFor(() => performance.now() - atMs >= 250, { what: '250 ms' });
    }
    expect(Math.max(...files)).toBeLessThanOrEqual(2 * 3 * 2);
    expect(files.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(2 * 3 * 2 * 2); // the rereads did happen
  }, 90_000);
});

describe.skipIf(cgroupsOff)('a busy cgroup agent', () => {
  it('has its members read every tick, at the CPU its busy member uses', async () => {
    const { reader, snapshots } = countingSnapshots();
    const supervisor = await useSupervisor(prefix, { processReader: reader, sampleIntervalMs: 60_000, orphanSweepMs: 600_000 });
    const req = request(prefix, ['sh', '-c', 'sleep 600 & while :; do :; done']);
    const { pid } = await supervisor.spawnAgent(req);
    const dir = cgroupDirOf(pid!);
    await waitFor(
      async () => {
        await supervisor.sampleNow();
        return (await supervisor.getProcessTree(req.agentId)).length === 2;
      },
      { what: 'a tree of two' },
    );
    for (let i = 0; i < 3; i++) {
      await untilEachRan([dir]);
      await pastCpuWindow(performance.now());
      const tick = await measuredTick(supervisor, snapshots);
      if (tick.snapshots === 0) expect(tick.files).toBe(2 * 2);
    }
    const tree = await supervisor.getProcessTree(req.agentId);
    // A loaded machine shares its two cores: busy, not necessarily a whole one.
    expect(tree.find((p) => p.pid === pid)!.cpuPercent).toBeGreaterThan(10);
    expect(tree.find((p) => p.name === 'sleep')!.cpuPercent).toBeLessThan(5);
    expect((await supervisor.getAgentStatus(req.agentId)).treeCpuPercent).toBeGreaterThan(10);
  });
});
