/**
 * The guard's limits as kernel limits (issue 14 item 6): the values written to
 * `memory.max` / `cpu.max`, the OOM-kill count read from `memory.events`, the
 * per-limit view (`enforced` or `watched`, and why), and — through the engine,
 * with real processes and this machine's real cgroups — what an agent's status
 * says here, where memory and cpu are v1-only controllers: every set limit is
 * watched by the guard, never claimed as enforced.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResourceGuard } from '../../../src-main/supervisor/index';
import { baseNameFor } from '../../../src-main/supervisor/process/cgroup/containment';
import { findCgroup2Mount } from '../../../src-main/supervisor/process/cgroup/hierarchy';
import { cpuMaxLine, guardLimitsOf, memoryMaxLine, noKernelLimits, oomKillsIn, type KernelLimits } from '../../../src-main/supervisor/process/cgroup/limits';
import { fixture, idPrefix, NODE, request, tempDir, useSupervisor, waitForLog } from '../../helpers/agents';
import { cgroupsOff, underProcessGroupEnv } from '../../helpers/cgroups';

const prefix = idPrefix('limits');
const STOP_GUARD: ResourceGuard = { memoryMb: 512, cpuPercent: 150, sustainedMs: 60_000, action: 'stop' };

/** The v2 controllers this machine's cgroup2 root offers (here: not memory, cpu or pids). */
const rootControllers = ((): string[] => {
  const mount = findCgroup2Mount();
  try {
    return mount === null ? [] : readFileSync(path.join(mount, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
  } catch {
    return [];
  }
})();


describe('kernel limit values', () => {
  it('memory.max in bytes, whole pages, at least 1 MiB; "max" for none', () => {
    expect(memoryMaxLine(512)).toBe(String(512 * 1024 * 1024));
    expect(memoryMaxLine(2048)).toBe('2147483648');
    expect(Number(memoryMaxLine(100.3)) % 4096).toBe(0);
    expect(memoryMaxLine(0.01)).toBe(String(1024 * 1024));
    expect(memoryMaxLine(null)).toBe('max');
  });

  it('cpu.max as quota and period in µs on psutil\'s scale (100 = one core)', () => {
    expect(cpuMaxLine(150)).toBe('150000 100000');
    expect(cpuMaxLine(100)).toBe('100000 100000');
    expect(cpuMaxLine(0.1)).toBe('1000 100000'); // the kernel's 1 ms minimum
    expect(cpuMaxLine(null)).toBe('max 100000');
  });

  it('reads the OOM-kill count from memory.events, null without the line', () => {
    expect(oomKillsIn('low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n')).toBe(2);
    expect(oomKillsIn('oom_kill 0\n')).toBe(0);
    expect(oomKillsIn('low 0\n')).toBeNull();
    expect(oomKillsIn(null)).toBeNull();
  });
});

describe('which limit is enforced and which watched', () => {
  const held: KernelLimits = { memoryProblem: null, cpuProblem: null, memoryMb: 512, cpuPercent: 150, oomKillsAtStart: 0 };

  it('enforced where the cgroup holds the guard\'s value', () => {
    expect(guardLimitsOf(STOP_GUARD, held)).toEqual({
      memory: { by: 'enforced', why: 'memory.max of its cgroup' },
      cpu: { by: 'enforced', why: 'cpu.max of its cgroup' },
    });
  });

  it('watched, with the reason, where the controller is missing; null for a limit the guard does not set', () => {
    const noMemory = { ...held, memoryProblem: 'no memory controller in cgroup v2 here', memoryMb: null };
    expect(guardLimitsOf({ ...STOP_GUARD, cpuPercent: null }, noMemory)).toEqual({ memory: { by: 'watched', why: 'no memory controller in cgroup v2 here' }, cpu: null });
    expect(guardLimitsOf(null, held)).toEqual({ memory: null, cpu: null });
  });

  it('watched for a notify-only guard, a guard changed since the run started, and an agent without a cgroup', () => {
    expect(guardLimitsOf({ ...STOP_GUARD, action: 'notify' }, held).memory).toMatchObject({ by: 'watched', why: expect.stringMatching(/notify-only/) });
    expect(guardLimitsOf({ ...STOP_GUARD, memoryMb: 1024 }, held).memory).toMatchObject({ by: 'watched', why: expect.stringMatching(/next run/) });
    expect(guardLimitsOf(STOP_GUARD, noKernelLimits('no cgroup of its own (process-group tracking)')).cpu).toEqual({ by: 'watched', why: 'no cgroup of its own (process-group tracking)' });
    expect(guardLimitsOf(STOP_GUARD, null).memory).toMatchObject({ by: 'watched' });
  });
});

describe.skipIf(cgroupsOff || rootControllers.includes('memory') || rootControllers.includes('cpu'))('on this machine (memory and cpu are v1-only controllers)', () => {
  it('an agent\'s status says each set limit is watched by the guard, with the missing controller named, and the kernel is not asked', async () => {
    const dataDir = tempDir();
    const supervisor = await useSupervisor(prefix, { dataDir });
    const req = request(prefix, [NODE, fixture('sleeper.mjs')], { guard: STOP_GUARD });
    expect((await supervisor.spawnAgent(req)).status).toBe('running');
    await waitForLog(supervisor, req.agentId, 'up');
    const status = await supervisor.getAgentStatus(req.agentId);
    expect(status.containment).toBe('cgroup');
    expect(status.limitEnforcement).toEqual({
      memory: { by: 'watched', why: 'no memory controller in cgroup v2 here' },
      cpu: { by: 'watched', why: 'no cpu controller in cgroup v2 here' },
    });
    // Nothing was enabled that is not there: neither the data folder's cgroup nor the root passes memory or cpu down.
    for (const dir of [findCgroup2Mount()!, path.join(findCgroup2Mount()!, baseNameFor(dataDir))]) {
      expect(readFileSync(path.join(dir, 'cgroup.subtree_control'), 'utf8')).not.toMatch(/\b(memory|cpu)\b/);
    }
    const none = request(prefix, [NODE, fixture('sleeper.mjs')]);
    await supervisor.spawnAgent(none);
    expect((await supervisor.getAgentStatus(none.agentId)).limitEnforcement).toEqual({ memory: null, cpu: null });
    await supervisor.killAgent(req.agentId);
    await supervisor.killAgent(none.agentId);
  });

  it('under process-group tracking every set limit is watched: there is no cgroup to hold it', async () => {
    await underProcessGroupEnv(async () => {
      const supervisor = await useSupervisor(prefix);
      const req = request(prefix, [NODE, fixture('sleeper.mjs')], { guard: { ...STOP_GUARD, cpuPercent: null } });
      await supervisor.spawnAgent(req);
      expect((await supervisor.getAgentStatus(req.agentId)).limitEnforcement).toEqual({ memory: { by: 'watched', why: 'no cgroup of its own (process-group tracking)' }, cpu: null });
      await supervisor.killAgent(req.agentId);
    });
  });
});
