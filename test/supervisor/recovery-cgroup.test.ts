/**
 * An agent re-adopted after Corral restarted keeps its cgroup (issue 14): the
 * cgroup's path is deterministic, and its member list proves the run lives
 * there, so the new engine takes it back — containment stays `cgroup`, an
 * env-stripped, setsid, double-forked daemon started before the restart is
 * still counted, and the stop (cgroup.kill) leaves 0 survivors. An agent that
 * ran without a cgroup is not given one it never had. Real processes, this
 * machine's real cgroups, two engines on one data dir.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Supervisor } from '../../src-main/supervisor/index';
import { baseNameFor } from '../../src-main/supervisor/process/cgroup/containment';
import { findCgroup2Mount } from '../../src-main/supervisor/process/cgroup/hierarchy';
import { fixture, idPrefix, isPidAlive, NODE, request, tempDir, trackPid, useSupervisor, waitForLog } from '../helpers/agents';
import { liveWith, ppidOf } from '../helpers/proc';
import { waitFor } from '../helpers/wait';
import { cgroupsOff, underProcessGroupEnv } from '../helpers/cgroups';

const prefix = idPrefix('recgroup');
const STAGES = { firstTermMs: 300, secondTermMs: 300, killMs: 2000 };


/** Starts the env-stripped daemon agent; resolves once its launcher is gone and only the cgroup ties the daemon to it. */
async function daemonAgent(supervisor: Supervisor): Promise<{ agentId: string; root: number; daemon: number; token: string }> {
  const token = `recovered-daemon-${process.pid}-${Date.now()}`;
  const req = request(prefix, [NODE, fixture('env-stripped-daemon.mjs'), token]);
  const answer = await supervisor.spawnAgent(req);
  expect(answer.status).toBe('running');
  const daemon = Number(/daemon (\d+)/.exec(await waitForLog(supervisor, req.agentId, 'daemon '))![1]);
  trackPid(daemon);
  await waitFor(() => ppidOf(daemon) === 1 || ppidOf(daemon) === null, { what: 'the launcher to exit (the daemon reparented)' });
  expect(readFileSync(`/proc/${daemon}/environ`, 'latin1')).not.toContain('CORRAL_AGENT_ID=');
  return { agentId: req.agentId, root: answer.pid!, daemon, token };
}

describe.skipIf(cgroupsOff)('recovery: a re-adopted agent gets its cgroup back', () => {
  it('after a restart of Corral: containment stays cgroup, the escaped daemon is counted, and the stop leaves 0 survivors', async () => {
    const dataDir = tempDir();
    const first = await useSupervisor(prefix, { dataDir });
    const { agentId, root, daemon, token } = await daemonAgent(first);
    expect((await first.getAgentStatus(agentId)).containment).toBe('cgroup');
    await first.close(); // Corral goes away; its agents run on
    const cgroup = path.join(findCgroup2Mount()!, baseNameFor(dataDir), `a-${agentId}`);
    expect(readFileSync(path.join(cgroup, 'cgroup.procs'), 'utf8').split('\n')).toEqual(expect.arrayContaining([String(root), String(daemon)]));

    const second = await useSupervisor(prefix, { dataDir });
    const adopted = await second.getAgentStatus(agentId);
    expect(adopted).toMatchObject({ state: 'running', adopted: true, pid: root, containment: 'cgroup' });
    const counted = await waitFor(async () => {
      await second.sampleNow();
      const tree = await second.getProcessTree(agentId);
      return tree.some((process) => process.pid === daemon) && tree;
    }, { what: 'the daemon to be in the re-adopted agent\'s tree' });
    expect(counted.map((process) => process.pid)).toContain(root);

    expect(await second.killAgent(agentId, { timeouts: STAGES })).toBe(true);
    const after = await second.getAgentStatus(agentId);
    expect(after.stopReport).toMatchObject({ outcome: 'stopped', survivors: [] });
    expect(after.stopReport!.processCount).toBeGreaterThanOrEqual(2);
    expect(after.stopReport!.endedByStage.kill).toBeGreaterThanOrEqual(1); // the daemon ignores SIGTERM: the cgroup's kill ended it
    expect(after.state).toBe('cancelled');
    expect(liveWith(token)).toEqual([]);
    expect(isPidAlive(daemon)).toBe(false);
    await second.close();
    expect(existsSync(cgroup)).toBe(false);
  });

  it('an agent that ran without a cgroup is not given one on recovery: its root is not in the agent cgroup\'s list', async () => {
    const dataDir = tempDir();
    const agentId = await underProcessGroupEnv(async () => {
      const first = await useSupervisor(prefix, { dataDir });
      const req = request(prefix, [NODE, fixture('sleeper.mjs')]);
      await first.spawnAgent(req);
      await waitForLog(first, req.agentId, 'up');
      expect((await first.getAgentStatus(req.agentId)).containment).toBe('process-group');
      await first.close();
      return req.agentId;
    });
    const second = await useSupervisor(prefix, { dataDir });
    expect(await second.getAgentStatus(agentId)).toMatchObject({ state: 'running', adopted: true, containment: 'process-group' });
    expect(await second.killAgent(agentId, { timeouts: STAGES })).toBe(true);
  });
});
