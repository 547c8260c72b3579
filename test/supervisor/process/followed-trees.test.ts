/**
 * The tick of agents with no cgroup (containment `process-group`, issue 14 item 7): it follows their
 * known members and those members' children, and reads the whole machine only at the periodic check
 * (process/followed-trees.ts). Real processes; 300 unrelated sleepers prove what a tick does not read.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Supervisor } from '../../../src-main/supervisor/index';
import { FOLLOW_CHECK_MS } from '../../../src-main/supervisor/process/followed-trees';
import { heldFileReads } from '../../../src-main/supervisor/process/held-files';
import { fixture, idPrefix, NODE, request, startSleepers, startTreeAgents, tempDir, useSupervisor, waitForLog } from '../../helpers/agents';
import { countingSnapshots, measuredTick } from '../../helpers/cgroup-usage';
import { cgroupsOff } from '../../helpers/cgroups';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('follow');
const options = { containment: 'process-group', sampleIntervalMs: 60_000, orphanSweepMs: 600_000 } as const;

/**
 * A tick that took no full snapshot (at most one in FOLLOW_CHECK_MS does, so two tries do), with the
 * member `stat` files it read (each read through the reader's held files; a full scan reads none so).
 */
async function followTick(supervisor: Supervisor, snapshots: () => number): Promise<{ files: number; stats: number }> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const stats = heldFileReads('stat');
    const tick = await measuredTick(supervisor, snapshots);
    if (tick.snapshots === 0) return { files: tick.files, stats: heldFileReads('stat') - stats };
  }
  throw new Error('two ticks in a row took a full snapshot');
}

/** pid, ppid and session of every process now, read by the test itself. */
function processes(): { pid: number; ppid: number; sid: number; name: string }[] {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.push({ pid: Number(name), ppid: Number(fields[1]), sid: Number(fields[3]), name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) });
    } catch {
      // gone
    }
  }
  return found;
}

describe.skipIf(process.platform !== 'linux')('the tick of agents with no cgroup', () => {
  it('reads only the agents’ own processes: 300 unrelated sleepers add no read and no snapshot', async () => {
    const { reader, snapshots } = countingSnapshots();
    const supervisor = await useSupervisor(prefix, { ...options, processReader: reader });
    const reqs = await startTreeAgents(supervisor, prefix, 10);
    const before = await followTick(supervisor, snapshots);
    const sleepers = await startSleepers(300);
    try {
      const after = await followTick(supervisor, snapshots);
      // One stat per member, none of anything else; a full scan would read 300 more files.
      expect(before.stats).toBe(30);
      expect(after.stats).toBe(30);
      expect(after.files).toBeLessThan(300);
      for (const req of reqs) {
        const status = await supervisor.getAgentStatus(req.agentId);
        expect(status.containment).toBe('process-group');
        expect(status.descendantCount).toBe(2);
        expect(status.state).toBe('running');
        expect((await supervisor.getProcessTree(req.agentId)).map((p) => p.name).sort()).toEqual(['node', 'node', 'sleep']);
      }
    } finally {
      sleepers.stop();
    }
  }, 90_000);

  it('sees a child forked by a member at the next tick, from its main thread or another one', async () => {
    const { reader, snapshots } = countingSnapshots();
    const supervisor = await useSupervisor(prefix, { ...options, processReader: reader });
    // SIGUSR1: a `sleep` forked by the main thread; SIGUSR2: one forked by a worker thread that stays (the
    // kernel lists a child under the thread that forked it, not under the main thread).
    const inThread = `require('node:child_process').spawn('sleep', ['1000'], { stdio: 'ignore' }); setInterval(() => {}, 1000); require('node:worker_threads').parentPort.postMessage('forked');`;
    const script = [
      `const { spawn } = require('node:child_process'); const { Worker } = require('node:worker_threads');`,
      `process.on('SIGUSR1', () => { spawn('sleep', ['1000'], { stdio: 'ignore' }); console.log('forked in main'); });`,
      `process.on('SIGUSR2', () => new Worker(${JSON.stringify(inThread)}, { eval: true }).on('message', () => console.log('forked in thread')));`,
      `console.log('ready'); setInterval(() => {}, 1000);`,
    ].join('\n');
    const req = request(prefix, [NODE, '-e', script]);
    const { pid } = await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'ready');
    await supervisor.sampleNow(); // a new run's first tick is a full one
    expect((await supervisor.getAgentStatus(req.agentId)).descendantCount).toBe(0);

    process.kill(pid!, 'SIGUSR1');
    await waitForLog(supervisor, req.agentId, 'forked in main');
    await followTick(supervisor, snapshots);
    expect((await supervisor.getAgentStatus(req.agentId)).descendantCount).toBe(1);

    process.kill(pid!, 'SIGUSR2');
    await waitForLog(supervisor, req.agentId, 'forked in thread');
    await followTick(supervisor, snapshots);
    expect((await supervisor.getAgentStatus(req.agentId)).descendantCount).toBe(2);
    expect((await supervisor.getProcessTree(req.agentId)).filter((p) => p.name === 'sleep')).toHaveLength(2);
  }, 60_000);

  it('finds a double-forked daemon that left the parent chain at the periodic check, then follows it', async () => {
    const { reader, snapshots } = countingSnapshots();
    const supervisor = await useSupervisor(prefix, { ...options, processReader: reader });
    // After the first tick, a subshell forks `sleep 1000` and exits: the sleep is reparented out of the
    // agent's tree, still in its session. The root then becomes `sleep 999`.
    const req = request(prefix, ['sh', '-c', 'sleep 2; (sleep 1000 &); exec sleep 999']);
    const { pid } = await supervisor.spawnAgent(req);
    await supervisor.sampleNow();
    const daemon = await waitFor(() => processes().find((p) => p.sid === pid && p.pid !== pid && p.ppid !== pid && p.name === 'sleep'), {
      what: 'the double-forked daemon',
    });
    await waitFor(() => processes().every((p) => p.sid !== pid || p.pid === pid || p.pid === daemon.pid), { what: 'the subshells to end' });

    // Between checks, nothing reaches it from the agent's members.
    await followTick(supervisor, snapshots);
    expect((await supervisor.getProcessTree(req.agentId)).map((p) => p.pid)).not.toContain(daemon.pid);

    // The periodic check finds it in the agent's session...
    const found = await waitFor(
      async () => {
        const tick = await measuredTick(supervisor, snapshots);
        return (await supervisor.getProcessTree(req.agentId)).some((p) => p.pid === daemon.pid) && tick;
      },
      { what: 'the periodic check to find the daemon', timeoutMs: FOLLOW_CHECK_MS + 10_000, intervalMs: 250 },
    );
    expect(found.snapshots).toBe(1);
    // ...and from then on it is a member seen before, followed without a snapshot.
    await followTick(supervisor, snapshots);
    expect((await supervisor.getProcessTree(req.agentId)).map((p) => p.pid)).toContain(daemon.pid);
    expect((await supervisor.getAgentStatus(req.agentId)).descendantCount).toBe(1);
  }, 60_000);

  it.skipIf(cgroupsOff)('follows an agent without a cgroup next to one in a cgroup, in ticks that take no snapshot', async () => {
    const dataDir = tempDir();
    const first = await useSupervisor(prefix, { ...options, dataDir });
    const old = request(prefix, [NODE, fixture('tree.mjs'), '1']);
    await first.spawnAgent(old);
    await waitForLog(first, old.agentId, 'root');
    await first.close(); // the agent runs on, and the next engine adopts it as it ran: without a cgroup
    const { reader, snapshots } = countingSnapshots();
    const second = await useSupervisor(prefix, { ...options, containment: 'auto', dataDir, processReader: reader });
    const fresh = request(prefix, [NODE, fixture('tree.mjs'), '1']);
    await second.spawnAgent(fresh);
    const complete = async (agentId: string) => (await second.getProcessTree(agentId)).map((p) => p.name).sort().join() === 'node,node,sleep';
    await waitFor(
      async () => {
        await second.sampleNow();
        return (await complete(old.agentId)) && (await complete(fresh.agentId));
      },
      { what: 'both trees complete', timeoutMs: 30_000 },
    );
    await followTick(second, snapshots);
    expect(await complete(old.agentId)).toBe(true);
    expect(await complete(fresh.agentId)).toBe(true);
    expect((await second.getAgentStatus(old.agentId)).containment).toBe('process-group');
    expect((await second.getAgentStatus(fresh.agentId)).containment).toBe('cgroup');
  }, 60_000);
});
