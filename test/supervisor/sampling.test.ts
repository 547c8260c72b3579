import { describe, expect, it } from 'vitest';
import type { StatusEvent } from '../../src-main/supervisor/index';
import { createPsReader } from '../../src-main/supervisor/process/ps-reader';
import { fixture, idPrefix, NODE, request, useSupervisor, waitForLog, waitForStaleSample, waitForTicks } from '../helpers/agents';
import { waitFor } from '../helpers/wait';

const prefix = idPrefix('sample');

describe('sampling', () => {
  it('shows a CPU-busy agent with CPU > 0 and memory > 0 on its first status', async () => {
    const supervisor = await useSupervisor(prefix, { sampleIntervalMs: 60_000 });
    const req = request(prefix, [NODE, fixture('busy.mjs')]);
    await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'busy');
    await waitForStaleSample(supervisor, req.agentId); // so the status below samples anew, over half a second of CPU time
    const status = await supervisor.getAgentStatus(req.agentId);
    expect(status.cpuPercent).toBeGreaterThan(20);
    expect(status.memoryMb).toBeGreaterThan(5);
    expect(status.numThreads).toBeGreaterThan(1);
    expect(status.treeCpuPercent).toBeGreaterThanOrEqual(status.cpuPercent!);
    expect(status.health).toBe('healthy');
    expect(await supervisor.checkProcessHealth(req.agentId)).toBe(true);
  });

  it('works the same through the portable ps + pidusage reader: tree, CPU, stop', async () => {
    const supervisor = await useSupervisor(prefix, { processReader: createPsReader(), sampleIntervalMs: 60_000 });
    const tree = request(prefix, [NODE, fixture('tree.mjs'), '1']);
    const busy = request(prefix, [NODE, fixture('busy.mjs')]);
    await supervisor.spawnAgent(tree);
    await supervisor.spawnAgent(busy);
    await waitForLog(supervisor, busy.agentId, 'busy');
    await waitForStaleSample(supervisor, busy.agentId); // the next sample measures over half a second of CPU time
    const status = await waitFor(async () => {
      await supervisor.sampleNow();
      const s = await supervisor.getAgentStatus(tree.agentId);
      return s.descendantCount === 2 && s;
    });
    expect(status.treeMemoryMb).toBeGreaterThan(status.memoryMb!);
    expect((await supervisor.getAgentStatus(busy.agentId)).cpuPercent).toBeGreaterThan(20);
    const report = await supervisor.cleanup({ timeouts: { firstTermMs: 2000, secondTermMs: 1000, killMs: 1000 } });
    expect(report.stopped.sort()).toEqual([tree.agentId, busy.agentId].sort());
  });

  it('counts children and grandchildren and sums the tree', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('tree.mjs'), '2']);
    await supervisor.spawnAgent(req);
    // Four descendants exist as soon as they are forked; a grandchild is `sleep` only once it has exec'd.
    const { status, tree } = await waitFor(async () => {
      await supervisor.sampleNow();
      const s = await supervisor.getAgentStatus(req.agentId);
      const t = await supervisor.getProcessTree(req.agentId);
      return s.descendantCount === 4 && t.filter((p) => p.name === 'sleep').length === 2 && { status: s, tree: t };
    });
    expect(status.zombieDescendants).toBe(0);
    expect(status.treeMemoryMb).toBeGreaterThan(status.memoryMb!);
    expect(status.treeNumThreads).toBeGreaterThan(status.numThreads!);
    expect(tree).toHaveLength(5);
    expect(tree[0]!.pid).toBe(status.pid);
    expect(tree.filter((p) => p.name === 'sleep')).toHaveLength(2);
    const summary = await supervisor.getProcessSummary();
    expect(summary.running).toBe(1);
    expect(summary.totalMemoryMb).toBeCloseTo(status.treeMemoryMb!, 0);
  });

  it('detects a zombie descendant and reports the reap attempt honestly', async () => {
    const supervisor = await useSupervisor(prefix);
    // `sleep 30` replaces the shell and never waits for its inherited child: a zombie.
    const req = request(prefix, ['sh', '-c', 'sleep 0.05 & exec sleep 30']);
    await supervisor.spawnAgent(req);
    const status = await waitFor(async () => {
      await supervisor.sampleNow();
      const s = await supervisor.getAgentStatus(req.agentId);
      return s.zombieDescendants === 1 && s;
    });
    expect(status.health).toBe('healthy'); // the root itself is fine
    expect(status.isZombie).toBe(false);
    expect((await supervisor.getProcessSummary()).zombieDescendants).toBe(1);
    expect(await supervisor.reapZombies()).toEqual([req.agentId]);
    // sleep has no SIGCHLD handler: the zombie stays, and the agent says why.
    expect((await supervisor.getAgentStatus(req.agentId)).notes.join('\n')).toMatch(/zombie pid \d+ \(sleep\) remains: its parent \(pid \d+\) does not reap it/);
  });

  it('reads progress from CORRAL_STATUS_FILE, and ignores a malformed one with a note', async () => {
    const supervisor = await useSupervisor(prefix);
    const good = request(prefix, [NODE, fixture('progress.mjs')]);
    const bad = request(prefix, [NODE, fixture('progress.mjs'), '--malformed']);
    await supervisor.spawnAgent(good);
    await supervisor.spawnAgent(bad);
    await waitForLog(supervisor, good.agentId, 'progress written');
    await waitForLog(supervisor, bad.agentId, 'progress written');
    await supervisor.sampleNow();
    expect(await supervisor.getAgentStatus(good.agentId)).toMatchObject({ progress: 42, progressMessage: 'halfway-ish' });
    const badStatus = await supervisor.getAgentStatus(bad.agentId);
    expect(badStatus.progress).toBeNull();
    expect(badStatus.notes.join('\n')).toMatch(/Progress file ignored: not valid JSON/);
    expect(badStatus.state).toBe('running');
  });

  it('emits one batched status event per tick with every agent, and keeps a bounded history', async () => {
    const supervisor = await useSupervisor(prefix, { sampleIntervalMs: 50, historyMs: 500 });
    const reqs = [request(prefix, [NODE, fixture('sleeper.mjs')]), request(prefix, [NODE, fixture('sleeper.mjs')])];
    for (const req of reqs) await supervisor.spawnAgent(req);
    const events: StatusEvent[] = [];
    const unsubscribe = supervisor.on('status', (event) => events.push(event));
    await waitFor(() => events.length >= 15, { what: '15 status events' });
    unsubscribe();
    const count = events.length;
    for (const event of events) expect(Object.keys(event.agents).sort()).toEqual(reqs.map((r) => r.agentId).sort());
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
    const history = await supervisor.getAgentHistory(reqs[0]!.agentId);
    expect(history.length).toBe(10); // 500 ms at 50 ms
    expect(history.every((point) => point.treeMemoryMb !== null && point.treeMemoryMb > 0)).toBe(true);
    await waitForTicks(supervisor, 3);
    expect(events.length).toBe(count); // unsubscribed means no more, though ticks went on
  });

  it('stops counting runtime when the agent exits', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('exit-code.mjs'), '0', '200']);
    await supervisor.spawnAgent(req);
    const done = await waitFor(async () => {
      const s = await supervisor.getAgentStatus(req.agentId);
      return s.state === 'completed' && s;
    });
    // A runtime still counting must have time to show it (0.1 s steps): two ticks are one 200 ms interval apart.
    const ticks = await waitForTicks(supervisor, 2);
    expect(ticks.map((tick) => tick.agents[req.agentId]?.runtimeSeconds)).toEqual([done.runtimeSeconds, done.runtimeSeconds]);
    const later = await supervisor.getAgentStatus(req.agentId);
    expect(later.runtimeSeconds).toBe(done.runtimeSeconds);
    expect(later.runtimeSeconds).toBeGreaterThanOrEqual(0.1);
    expect(later.cpuPercent).toBeNull(); // not 0: nothing to measure
  });

  it('emits new log bytes per agent and stream', async () => {
    const supervisor = await useSupervisor(prefix, { logPollMs: 20 });
    const chunks: Buffer[] = [];
    supervisor.on('log', (event) => {
      if (event.stream === 'stdout') chunks.push(Buffer.from(event.data));
    });
    const req = request(prefix, [NODE, '-e', "for (let i = 0; i < 5000; i++) console.log('line ' + i + ' é'); setInterval(() => {}, 1000)"]);
    await supervisor.spawnAgent(req);
    await waitFor(() => Buffer.concat(chunks).toString('utf8').includes('line 4999 é\n'));
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text.split('\n')).toHaveLength(5001);
    expect(chunks.every((chunk) => chunk.length <= 64 * 1024)).toBe(true);
  });
});
