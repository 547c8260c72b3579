/**
 * Pause / Resume (issue 14 item 5) with real processes: a tree that burns a core is frozen in place —
 * the agent's cgroup says `frozen 1` (kernel containment) or every process of it is in state `T`
 * (`process-group`: SIGSTOP) — its CPU figure drops to ~0 and its CPU time stops advancing, as /proc
 * read by the test confirms; a guard and a stall policy that would act on it do not while it is paused,
 * and do once it runs again. A stop or a force kill of a paused agent leaves nothing; a host restart
 * re-adopts it paused; the wrong states are refused with `not-running` and change nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuTicksOf, stateOf } from '../helpers/proc';
import { CorralError } from '../../src-main/supervisor/errors';
import type { Supervisor, SupervisorOptions } from '../../src-main/supervisor/index';
import { findCgroup2Mount } from '../../src-main/supervisor/process/cgroup/hierarchy';
import { fixture, idPrefix, isPidAlive, NODE, request, useSupervisor, waitForLog, waitForTicks } from '../helpers/agents';
import { waitFor } from '../helpers/wait';
import { cgroupsOff } from '../helpers/cgroups';

const prefix = idPrefix('pause');
const STAGES = { firstTermMs: 3000, secondTermMs: 1000, killMs: 2000 };


/** The `frozen` line of the cgroup `pid` lives in (cgroup v2), as 0 or 1. */
function frozenOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((entry) => entry.startsWith('0::'))!;
  const events = readFileSync(path.join(findCgroup2Mount()!, line.slice(3), 'cgroup.events'), 'utf8');
  return Number(/^frozen (\d)$/m.exec(events)![1]);
}

async function cpuTicksOfTree(pids: number[]): Promise<number> {
  return pids.reduce((sum, pid) => sum + cpuTicksOf(pid), 0);
}

for (const mode of ['cgroup', 'process-group'] as const) {
  const options: Partial<SupervisorOptions> = mode === 'process-group' ? { containment: 'process-group', stopTimeouts: STAGES } : { stopTimeouts: STAGES };

  describe.skipIf(mode === 'cgroup' && cgroupsOff)(`pause and resume (${mode})`, () => {
    /** Starts the CPU-burning tree; its agent id and its three pids (root, busy child, detached sleeper). */
    async function startTree(supervisor: Supervisor, extra: Parameters<typeof request>[2] = {}): Promise<{ agentId: string; pids: number[] }> {
      const req = request(prefix, [NODE, fixture('busy-tree.mjs')], { stall: null, ...extra });
      expect((await supervisor.spawnAgent(req)).status).toBe('running');
      const log = await waitForLog(supervisor, req.agentId, 'tree up');
      const [busy, sleeper] = /tree up (\d+) (\d+)/.exec(log)!.slice(1).map(Number);
      const root = (await supervisor.getAgentStatus(req.agentId)).pid!;
      const pids = [root, busy!, sleeper!];
      // The busy child's own figure: the tree's alone can pass on the root's start-up work before the child runs.
      await waitFor(async () => ((await supervisor.getProcessTree(req.agentId)).find((p) => p.pid === busy)?.cpuPercent ?? 0) > 20, { what: 'the busy child to burn CPU' });
      await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).treeCpuPercent! > 20, { what: 'the tree to burn CPU' });
      expect((await supervisor.getAgentStatus(req.agentId)).containment).toBe(mode);
      return { agentId: req.agentId, pids };
    }

    /** Every process of the tree frozen: the cgroup says so, or each one is stopped (`T`). */
    function expectFrozen(pids: number[]): void {
      if (mode === 'cgroup') expect(frozenOf(pids[0]!)).toBe(1);
      else expect(pids.map(stateOf)).toEqual(pids.map(() => 'T'));
    }

    it('freezes the whole tree (CPU ~0, CPU time still), then lets it run again', async () => {
      const supervisor = await useSupervisor(prefix, options);
      const { agentId, pids } = await startTree(supervisor);

      const paused = await supervisor.pauseAgent(agentId);
      expect(paused.state).toBe('paused');
      expect(paused.health).toBe('healthy');
      expectFrozen(pids);
      // The engine's figure: once a whole tick has passed frozen, ~0, and it stays there.
      // A known figure (null is unknown), and ~0.
      await waitFor(async () => ((await supervisor.getAgentStatus(agentId)).treeCpuPercent ?? 100) < 1, { what: 'the CPU figure to drop' });
      const before = await cpuTicksOfTree(pids);
      const ticks = await waitForTicks(supervisor, 4);
      for (const tick of ticks) expect(tick.agents[agentId]!.treeCpuPercent).toBeLessThan(1);
      expect(ticks.every((tick) => tick.agents[agentId]!.state === 'paused')).toBe(true);
      expect(await cpuTicksOfTree(pids)).toBe(before); // /proc agrees: not one tick of CPU while paused
      expectFrozen(pids);
      expect(await supervisor.pauseAgent(agentId)).toMatchObject({ state: 'paused' }); // again: nothing to do

      const resumed = await supervisor.resumeAgent(agentId);
      expect(resumed.state).toBe('running');
      await waitFor(async () => (await cpuTicksOfTree(pids)) > before, { what: 'CPU time to advance again' });
      await waitFor(async () => (await supervisor.getAgentStatus(agentId)).treeCpuPercent! > 20, { what: 'the CPU figure to rise again' });
      if (mode === 'cgroup') expect(frozenOf(pids[0]!)).toBe(0);
      expect(pids.map(stateOf).filter((state) => state === 'T')).toEqual([]);
      expect(pids.every(isPidAlive)).toBe(true);
    });

    it('a guard and a stall policy do not act while it is paused, and do once it runs', async () => {
      const supervisor = await useSupervisor(prefix, options);
      const { agentId } = await startTree(supervisor);
      await supervisor.pauseAgent(agentId);
      // Limits it is far over, held for a tick's worth: running, the guard would stop it after 1 s.
      const guard = { memoryMb: 1, cpuPercent: null, sustainedMs: 1000, action: 'stop' } as const;
      await supervisor.updatePolicies(agentId, { guard, stall: { quietMs: 1000, cpuBelowPercent: 5 } });
      const ticks = await waitForTicks(supervisor, 12); // ≥ 2.2 s: twice what either needs
      for (const tick of ticks) {
        const view = tick.agents[agentId]!;
        expect(view).toMatchObject({ state: 'paused', health: 'healthy', stalledSince: null, guardAlert: null });
      }
      const status = await supervisor.getAgentStatus(agentId);
      expect(status.notes.filter((note) => note.startsWith('Resource guard'))).toEqual([]);

      await supervisor.resumeAgent(agentId);
      // Armed all along: running again, the same guard stops it.
      const ended = await waitFor(async () => {
        const view = await supervisor.getAgentStatus(agentId);
        return view.state === 'cancelled' && view;
      }, { what: 'the guard to stop it once resumed', timeoutMs: 15_000 });
      expect(ended.lastExit).toMatchObject({ kind: 'stopped', stoppedBy: 'guard' });
    });

    it('a graceful stop of a paused agent is handled at the first SIGTERM and leaves nothing', async () => {
      const supervisor = await useSupervisor(prefix, options);
      const { agentId, pids } = await startTree(supervisor);
      await supervisor.pauseAgent(agentId);
      expectFrozen(pids);
      const { reports } = await supervisor.cleanup({ agentId });
      const report = reports[agentId]!;
      expect(report.outcome).toBe('stopped');
      expect(report.survivors).toEqual([]);
      // Thawed first: the tree handled SIGTERM in the first stage, no SIGKILL was needed.
      expect(report.endedByStage).toEqual({ term1: report.processCount, term2: 0, kill: 0 });
      expect(pids.filter(isPidAlive)).toEqual([]);
      expect((await supervisor.getAgentStatus(agentId)).state).toBe('cancelled');
    });

    it('a force kill of a paused agent leaves nothing, and its next run is not born frozen', async () => {
      const supervisor = await useSupervisor(prefix, options);
      const { agentId, pids } = await startTree(supervisor);
      await supervisor.pauseAgent(agentId);
      expect(await supervisor.killAgent(agentId, { force: true })).toBe(true);
      expect(pids.filter(isPidAlive)).toEqual([]);
      expect((await supervisor.getAgentStatus(agentId)).state).toBe('cancelled');

      expect((await supervisor.runAgain(agentId)).status).toBe('running');
      await waitFor(async () => (await supervisor.getAgentStatus(agentId)).treeCpuPercent! > 20, { what: 'the next run to burn CPU' });
    });

    it('Restart of a paused agent stops it gracefully and starts a run that is not born frozen', async () => {
      const supervisor = await useSupervisor(prefix, options);
      const { agentId, pids } = await startTree(supervisor);
      await supervisor.pauseAgent(agentId);
      expect((await supervisor.restartAgent(agentId)).status).toBe('running');
      expect(pids.filter(isPidAlive)).toEqual([]);
      const status = await supervisor.getAgentStatus(agentId);
      expect(status.state).toBe('running');
      // The paused run was thawed and ended by the first SIGTERM; the new one is run 2.
      const runs = await supervisor.getRunHistory(agentId);
      expect(runs.map((run) => run.exit?.kind ?? null)).toEqual(['stopped', null]);
      expect(runs[0]!.exit).toMatchObject({ stoppedBy: 'user', stopStage: 'term1' });
      await waitFor(async () => (await supervisor.getAgentStatus(agentId)).treeCpuPercent! > 20, { what: 'the new run to burn CPU' });
    });

    it('refuses the wrong states with not-running and changes nothing; a paused agent cannot be removed', async () => {
      const supervisor = await useSupervisor(prefix, options);
      const done = request(prefix, [NODE, fixture('exit-code.mjs'), '0']);
      await supervisor.spawnAgent(done);
      await waitFor(async () => (await supervisor.getAgentStatus(done.agentId)).state === 'completed', { what: 'it to complete' });
      for (const call of [() => supervisor.pauseAgent(done.agentId), () => supervisor.resumeAgent(done.agentId)]) {
        const error = await call().then(() => null, (thrown: unknown) => thrown);
        expect(error).toBeInstanceOf(CorralError);
        expect(error).toMatchObject({ kind: 'not-running' });
        expect((error as Error).message).toContain('is completed');
      }
      expect((await supervisor.getAgentStatus(done.agentId)).state).toBe('completed');
      await expect(supervisor.pauseAgent('no-such-agent')).rejects.toMatchObject({ kind: 'not-found' });

      const { agentId } = await startTree(supervisor);
      expect(await supervisor.resumeAgent(agentId)).toMatchObject({ state: 'running' }); // running already: nothing to do
      await supervisor.pauseAgent(agentId);
      await expect(supervisor.removeAgent(agentId)).rejects.toMatchObject({ kind: 'already-running' });
      expect((await supervisor.getAgentStatus(agentId)).state).toBe('paused');
    });

    it('a host restart re-adopts a paused agent as paused, still frozen, and it resumes', async () => {
      const first = await useSupervisor(prefix, options);
      const { agentId, pids } = await startTree(first);
      await first.pauseAgent(agentId);
      await first.close(); // agents outlive the engine

      const second = await useSupervisor(prefix, { ...options, dataDir: first.dataDir });
      const adopted = await second.getAgentStatus(agentId);
      expect(adopted).toMatchObject({ state: 'paused', adopted: true });
      expectFrozen(pids);
      const before = await cpuTicksOfTree(pids);
      await waitForTicks(second, 3);
      expect(await cpuTicksOfTree(pids)).toBe(before);

      expect((await second.resumeAgent(agentId)).state).toBe('running');
      await waitFor(async () => (await cpuTicksOfTree(pids)) > before, { what: 'the re-adopted tree to run again' });
    });
  });
}
