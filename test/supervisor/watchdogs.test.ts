/**
 * Stall detection, resource guards and niceness, with real processes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixture, idPrefix, isPidAlive, NODE, request, tempDir, useSupervisor, waitForLog, waitForTicks } from '../helpers/agents';
import { waitFor } from '../helpers/wait';

const prefix = idPrefix('watchdogs');
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The nice value of a live process, from /proc/<pid>/stat (field 19). */
function niceOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

describe('stall detection', () => {
  it('marks a silent, idle agent stalled; a silent busy one is not; output ends the stall', async () => {
    const supervisor = await useSupervisor(prefix, { sampleIntervalMs: 100 });
    const stall = { quietMs: 1000, cpuBelowPercent: 5 };
    // Silent and idle after its first line, until the test wakes it with SIGUSR2 (its handler is set before that line).
    const idle = request(prefix, [NODE, '-e', "process.on('SIGUSR2', () => console.log('woke')); console.log('hello'); setTimeout(() => {}, 60000)"], { stall });
    const busy = request(prefix, [NODE, fixture('busy.mjs')], { stall });
    const { pid: idlePid } = await supervisor.spawnAgent(idle);
    await supervisor.spawnAgent(busy);
    const stalled = await waitFor(async () => {
      const status = await supervisor.getAgentStatus(idle.agentId);
      return status.health === 'stalled' && status;
    }, { what: 'the idle agent to stall' });
    expect(stalled.state).toBe('running');
    expect(Date.parse(stalled.stalledSince!) - Date.parse(stalled.lastOutputAt!)).toBe(1000);
    expect((await supervisor.getProcessSummary()).stalled).toBeGreaterThanOrEqual(1);
    expect((await supervisor.getAgentStatus(busy.agentId)).health).toBe('healthy');
    process.kill(idlePid!, 'SIGUSR2');
    await waitFor(async () => (await supervisor.getAgentStatus(idle.agentId)).health === 'healthy', { what: 'output to end the stall' });
    expect((await supervisor.getAgentStatus(idle.agentId)).stalledSince).toBeNull();
  });

  it('never marks an agent stalled when its stall detection is off', async () => {
    const supervisor = await useSupervisor(prefix, { sampleIntervalMs: 100 });
    const req = request(prefix, [NODE, fixture('sleeper.mjs')], { stall: null });
    await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'up');
    // Never stalling needs a quiet period past the 1 s the test above stalls after: 13 ticks span at least 1.2 s.
    const ticks = await waitForTicks(supervisor, 13);
    expect(ticks.map((tick) => tick.agents[req.agentId]?.health)).toEqual(ticks.map(() => 'healthy'));
    const status = await supervisor.getAgentStatus(req.agentId);
    expect(status.policies.stall).toBeNull();
    expect(status.health).toBe('healthy');
  });
});

describe('resource guards', () => {
  it('notes a tree over its memory limit for the sustained time, once, and leaves it running with `notify`', async () => {
    const supervisor = await useSupervisor(prefix, { sampleIntervalMs: 100 });
    const req = request(prefix, [NODE, fixture('sleeper.mjs')], { guard: { memoryMb: 1, cpuPercent: null, sustainedMs: 1000, action: 'notify' } });
    const startedAt = Date.now();
    await supervisor.spawnAgent(req);
    const unfired = await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).guardAlert);
    expect(unfired).toMatchObject({ metric: 'memory', limit: 1, fired: false, action: 'notify' });
    const fired = await waitFor(async () => {
      const status = await supervisor.getAgentStatus(req.agentId);
      return status.guardAlert?.fired && status;
    });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1000);
    expect(fired.state).toBe('running');
    expect(fired.guardAlert!.value).toBeGreaterThan(1);
    expect(fired.notes.filter((note) => note.startsWith('Resource guard: memory'))).toHaveLength(1);
  });

  it('stops the agent with `stop`: the run says a guard stopped it, and it is not restarted', async () => {
    const supervisor = await useSupervisor(prefix, { sampleIntervalMs: 100 });
    const req = request(prefix, [NODE, fixture('sleeper.mjs')], {
      guard: { memoryMb: 1, cpuPercent: null, sustainedMs: 1000, action: 'stop' },
      restart: { mode: 'always', maxRestarts: 3, initialDelayMs: 100, maxDelayMs: 100, resetAfterMs: 60_000 },
    });
    await supervisor.spawnAgent(req);
    const status = await waitFor(async () => {
      const current = await supervisor.getAgentStatus(req.agentId);
      return current.state === 'cancelled' && current;
    }, { what: 'the guard to stop it' });
    expect(status.lastExit).toMatchObject({ kind: 'stopped', stoppedBy: 'guard', stopStage: 'term1' });
    expect(status.lastExit!.summary).toMatch(/^Stopped by a resource guard at SIGTERM/);
    // Showing no restart follows needs a period past its 100 ms backoff: four ticks span at least 300 ms.
    const ticks = await waitForTicks(supervisor, 4);
    expect(ticks.map((tick) => tick.agents[req.agentId]?.state)).toEqual(ticks.map(() => 'cancelled'));
    expect((await supervisor.getAgentStatus(req.agentId)).runCount).toBe(1);
  });

  it('restarts the agent with `restart`, as a run triggered by the guard, within the restart limit', async () => {
    const supervisor = await useSupervisor(prefix, { sampleIntervalMs: 100 });
    const req = request(prefix, [NODE, fixture('sleeper.mjs')], {
      guard: { memoryMb: 1, cpuPercent: null, sustainedMs: 1000, action: 'restart' },
      restart: { mode: 'no', maxRestarts: 1, initialDelayMs: 100, maxDelayMs: 100, resetAfterMs: 60_000 },
    });
    await supervisor.spawnAgent(req);
    const status = await waitFor(async () => {
      const current = await supervisor.getAgentStatus(req.agentId);
      return current.state === 'crash-looping' && current;
    }, { what: 'one guard restart, then the limit', timeoutMs: 15_000 });
    const runs = await supervisor.getRunHistory(req.agentId);
    expect(runs.map((run) => run.trigger)).toEqual(['user', 'guard']);
    expect(runs.map((run) => run.exit?.stoppedBy)).toEqual(['guard', 'guard']);
    expect(status.restarts).toBe(1);
  });
});

describe('niceness', () => {
  it('starts an agent at the niceness asked for, and changes its whole live tree', async () => {
    const supervisor = await useSupervisor(prefix, { sampleIntervalMs: 100 });
    const req = request(prefix, [NODE, fixture('tree.mjs'), '2'], { niceness: 5 });
    const { pid } = await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'root');
    expect(niceOf(pid!)).toBe(5);
    const tree = await waitFor(async () => {
      const processes = await supervisor.getProcessTree(req.agentId);
      return processes.length >= 5 && processes;
    }, { what: 'the whole tree' });
    // Children forked after the root's niceness was set inherit it.
    for (const member of tree) expect(niceOf(member.pid), member.name).toBe(5);
    const status = await supervisor.updatePolicies(req.agentId, { niceness: 10 });
    expect(status.policies.niceness).toBe(10);
    for (const member of tree) expect(niceOf(member.pid), member.name).toBe(10);
    expect((await supervisor.getAgentRequest(req.agentId)).niceness).toBe(10); // and the next run starts there
  });

  it('refuses to raise priority without the right (CAP_SYS_NICE dropped), with a typed error, and changes nothing', () => {
    // A real engine in a child process that has no right to lower niceness: setpriv drops the capability, no shell.
    const tsx = path.join(REPO, 'node_modules', '.bin', 'tsx');
    const output = execFileSync('setpriv', ['--bounding-set', '-sys_nice', '--inh-caps', '-sys_nice', tsx, fixture('niceness-denied.ts'), tempDir()], { encoding: 'utf8', timeout: 30_000 });
    const result = JSON.parse(output.trim().split('\n').at(-1)!);
    expect(result).toMatchObject({ spawned: 'running', refused: true, kind: 'permission-denied', nice: 5, policy: 5 });
    expect(isPidAlive(result.pid), 'the agent the child engine stopped').toBe(false);
    expect(result.message).toMatch(/^Not allowed to set niceness -5 on pid \d+: raising priority \(a lower niceness\) needs administrator rights\.$/);
  });

  it('applies a restart policy change to an agent waiting in backoff: `no` calls the restart off', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('exit-code.mjs'), '4'], { restart: { mode: 'on-failure', maxRestarts: 3, initialDelayMs: 60_000, maxDelayMs: 60_000, resetAfterMs: 60_000 } });
    await supervisor.spawnAgent(req);
    await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).state === 'backoff');
    const status = await supervisor.updatePolicies(req.agentId, { restart: { mode: 'no', maxRestarts: 3, initialDelayMs: 100, maxDelayMs: 100, resetAfterMs: 60_000 } });
    expect(status).toMatchObject({ state: 'failed', nextRestartAt: null });
  });
});
