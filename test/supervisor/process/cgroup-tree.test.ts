/**
 * The tick of agents in cgroups (issue 14 items 4 and 7): it reads their own processes and their
 * cgroups' files, never the machine's process table; their tree CPU is the cgroup's `cpu.stat`, their
 * pressure its PSI files. Real cgroups, real processes; 500 unrelated sleepers prove what is not read.
 * Skipped where the engine cannot contain (or `CORRAL_CONTAINMENT=process-group`), except the
 * process-group half of the pressure test.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import type { AgentStatus, Supervisor } from '../../../src-main/supervisor/index';
import { someAvg10 } from '../../../src-main/supervisor/process/cgroup/pressure';
import { fixture, idPrefix, NODE, request, startSleepers, startTreeAgents, useSupervisor, waitForLog, waitForStaleSample } from '../../helpers/agents';
import { cgroupDirOf, countingSnapshots, measuredTick, untilEachRan } from '../../helpers/cgroup-usage';
import { cgroupsOff } from '../../helpers/cgroups';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('cgtree');

/**
 * A tick that took no full snapshot: at most one in FULL_CHECK_MS does (the periodic check), so two tries do.
 * Each follows a run of something in every cgroup of `dirs`, so that it reads their members.
 */
async function cgroupTick(supervisor: Supervisor, snapshots: () => number, dirs: readonly string[]): Promise<number> {
  for (let attempt = 0; attempt < 2; attempt++) {
    await untilEachRan(dirs);
    const tick = await measuredTick(supervisor, snapshots);
    if (tick.snapshots === 0) return tick.files;
  }
  throw new Error('two ticks in a row took a full snapshot');
}

/** user + system CPU ms of `pid`, read by the test itself from /proc/<pid>/stat. */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // CLK_TCK is 100 on Linux
}

describe.skipIf(cgroupsOff)('the tick of agents in cgroups', () => {
  it('reads only the agents’ own processes: 500 unrelated sleepers add no read and no snapshot', async () => {
    const { reader, snapshots } = countingSnapshots();
    const supervisor = await useSupervisor(prefix, { processReader: reader, sampleIntervalMs: 60_000, orphanSweepMs: 600_000 });
    const reqs = await startTreeAgents(supervisor, prefix, 3);
    // tree.mjs's node processes wake every second: a tick after they did reads every member.
    const dirs = await Promise.all(reqs.map(async (req) => cgroupDirOf((await supervisor.getAgentStatus(req.agentId)).pid!)));
    const before = await cgroupTick(supervisor, snapshots, dirs);
    const sleepers = await startSleepers(500);
    try {
      const after = await cgroupTick(supervisor, snapshots, dirs);
      // Per process: its stat and its children list; a full scan would read 500 more.
      expect(before).toBe(2 * 9);
      expect(after).toBe(before);
      for (const req of reqs) expect((await supervisor.getAgentStatus(req.agentId)).descendantCount).toBe(2);
    } finally {
      sleepers.stop();
    }
  }, 60_000);

  it('finds a zombie, which no cgroup lists, in a tick that takes no snapshot', async () => {
    const { reader, snapshots } = countingSnapshots();
    const supervisor = await useSupervisor(prefix, { processReader: reader, sampleIntervalMs: 60_000, orphanSweepMs: 600_000 });
    // `sleep 30` replaces the shell and never waits for its inherited child: a zombie after a second.
    const req = request(prefix, ['sh', '-c', 'sleep 1 & exec sleep 30']);
    await supervisor.spawnAgent(req);
    await supervisor.sampleNow(); // the first tick is a full one
    const seen = await waitFor(async () => {
      const tick = await measuredTick(supervisor, snapshots);
      const status = await supervisor.getAgentStatus(req.agentId);
      return status.zombieDescendants === 1 && { tick, status };
    });
    expect(seen.tick.snapshots).toBe(0);
    expect(seen.status.descendantCount).toBe(1);
    expect(seen.status.containment).toBe('cgroup');
    expect((await supervisor.getProcessTree(req.agentId)).map((p) => p.status).sort()).toEqual(['sleeping', 'zombie']);
  });

  it('takes tree CPU from cpu.stat: a child that ended between two ticks is counted', async () => {
    const supervisor = await useSupervisor(prefix, { sampleIntervalMs: 60_000 });
    // On SIGUSR1 the root runs a child that burns 300 ms of CPU and waits for it to end: at the next
    // tick the child is gone, so no process's own figures hold its CPU; only the cgroup's do.
    const burn = 'while (process.cpuUsage().user < 300000);';
    const script = `process.on('SIGUSR1', () => { require('node:child_process').spawnSync(process.execPath, ['-e', ${JSON.stringify(burn)}]); console.log('burnt'); }); console.log('ready'); setInterval(() => {}, 1000);`;
    const req = request(prefix, [NODE, '-e', script]);
    const { pid } = await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'ready');
    const startedAt = performance.now();
    await supervisor.sampleNow();
    process.kill(pid!, 'SIGUSR1');
    await waitForLog(supervisor, req.agentId, 'burnt');
    await supervisor.sampleNow();
    const windowMs = performance.now() - startedAt; // at least the engine's window between the two ticks
    const status = await supervisor.getAgentStatus(req.agentId);
    const tree = await supervisor.getProcessTree(req.agentId);
    expect(tree).toHaveLength(1);
    expect((status.treeCpuPercent! / 100) * windowMs).toBeGreaterThan(280);
    expect(((tree[0]!.cpuPercent ?? 0) / 100) * windowMs).toBeLessThan(150);
  });

  it('shows a busy agent at the CPU it really uses (~one core on an idle machine)', async () => {
    const supervisor = await useSupervisor(prefix, { sampleIntervalMs: 60_000 });
    const req = request(prefix, [NODE, fixture('busy.mjs')]);
    const { pid } = await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'busy');
    await supervisor.sampleNow(); // the cgroup's first reading
    const cpuBefore = cpuMsOf(pid!);
    const startedAt = performance.now();
    await waitForStaleSample(supervisor, req.agentId, 1000);
    const status = await supervisor.getAgentStatus(req.agentId); // samples anew: the cgroup's delta over ≥ 1 s
    const measured = ((cpuMsOf(pid!) - cpuBefore) / (performance.now() - startedAt)) * 100;
    expect(status.containment).toBe('cgroup');
    expect(status.treeCpuPercent).toBeGreaterThan(20);
    expect(status.treeCpuPercent).toBeLessThan(130);
    expect(Math.abs(status.treeCpuPercent! - measured)).toBeLessThan(15);
  });
});

describe('pressure', () => {
  it.skipIf(cgroupsOff)('is read from a cgroup agent’s PSI files, each figure in [0, 100]', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('busy.mjs')]);
    await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'busy');
    const status: AgentStatus = await waitFor(async () => {
      await supervisor.sampleNow();
      const s = await supervisor.getAgentStatus(req.agentId);
      return s.pressure != null && s;
    });
    for (const figure of [status.pressure!.cpu, status.pressure!.memory, status.pressure!.io]) {
      expect(figure).not.toBeNull();
      expect(figure).toBeGreaterThanOrEqual(0);
      expect(figure).toBeLessThanOrEqual(100);
    }
    await supervisor.killAgent(req.agentId, { force: true });
    expect((await supervisor.getAgentStatus(req.agentId)).pressure).toBeNull(); // no live figures once it has ended
  });

  it('is null for a process-group agent', async () => {
    const supervisor = await useSupervisor(prefix, { containment: 'process-group' });
    const req = request(prefix, [NODE, fixture('sleeper.mjs')]);
    await supervisor.spawnAgent(req);
    await supervisor.sampleNow();
    const status = await supervisor.getAgentStatus(req.agentId);
    expect(status.containment).toBe('process-group');
    expect(status.pressure).toBeNull();
  });

  it('parses `some avg10` from PSI text, clamped to [0, 100]', () => {
    expect(someAvg10('some avg10=2.46 avg60=9.20 avg300=18.31 total=18599908147\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n')).toBe(2.46);
    expect(someAvg10('full avg10=5.00 avg60=0.00 avg300=0.00 total=0\n')).toBeNull();
    expect(someAvg10('some avg10=100.00 avg60=0 avg300=0 total=1')).toBe(100);
  });
});
