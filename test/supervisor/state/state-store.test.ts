import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATE_VERSION, StateStore } from '../../../src-main/supervisor/state/state-store';
import { fixture, idPrefix, isPidAlive, NODE, request, tempDir, trackPid, useSupervisor, waitForLog } from '../../helpers/agents';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('state');

function stateFile(dataDir: string): string {
  return path.join(dataDir, 'state.json');
}

function quarantined(dataDir: string): string[] {
  return readdirSync(dataDir).filter((name) => name.startsWith('state.json.corrupt-'));
}

describe('persistence', () => {
  it('round trip: a new supervisor re-adopts a live agent, marks a dead one lost, keeps finished ones, and can stop the adopted one', async () => {
    const dataDir = tempDir();
    const first = await useSupervisor(prefix, { dataDir });
    const live = request(prefix, [NODE, fixture('sleeper.mjs')]);
    const dies = request(prefix, [NODE, fixture('sleeper.mjs')]);
    const done = request(prefix, [NODE, fixture('exit-code.mjs'), '5']);
    const livePid = (await first.spawnAgent(live)).pid!;
    const diesPid = (await first.spawnAgent(dies)).pid!;
    await first.spawnAgent(done);
    await waitForLog(first, live.agentId, 'up');
    await waitFor(async () => (await first.getAgentStatus(done.agentId)).state === 'failed');
    await first.close();
    expect(isPidAlive(livePid)).toBe(true); // closing Corral leaves agents running

    process.kill(diesPid, 'SIGKILL');
    await waitFor(() => !isPidAlive(diesPid));

    const second = await useSupervisor(prefix, { dataDir });
    const adopted = await second.getAgentStatus(live.agentId);
    expect(adopted).toMatchObject({ state: 'running', adopted: true, pid: livePid, processAlive: true, exitCode: null });
    expect(adopted.notes.join('\n')).toMatch(/Re-adopted .* exit code will not be known/);
    expect(adopted.memoryMb).toBeGreaterThan(0);
    const lost = await second.getAgentStatus(dies.agentId);
    expect(lost).toMatchObject({ state: 'lost', health: 'unknown', exitCode: null });
    expect(lost.notes.join('\n')).toMatch(/Exited while Corral was not running; exit code unknown/);
    expect(await second.getAgentStatus(done.agentId)).toMatchObject({ state: 'failed', exitCode: 5 });
    // The same requestId is answered, not spawned again.
    expect(await second.spawnAgent(live)).toMatchObject({ status: 'running', pid: livePid });

    expect(await second.killAgent(live.agentId, { timeouts: { firstTermMs: 2000, secondTermMs: 1000, killMs: 1000 } })).toBe(true);
    expect(isPidAlive(livePid)).toBe(false);
    expect((await second.getAgentStatus(live.agentId)).state).toBe('cancelled');
  });

  it('notices when an adopted agent ends, without pretending to know its exit code', async () => {
    const dataDir = tempDir();
    const first = await useSupervisor(prefix, { dataDir });
    const req = request(prefix, [NODE, fixture('sleeper.mjs')]);
    const { pid } = await first.spawnAgent(req);
    await waitForLog(first, req.agentId, 'up');
    await first.close();
    const second = await useSupervisor(prefix, { dataDir, sampleIntervalMs: 50 });
    process.kill(pid!, 'SIGTERM');
    const status = await waitFor(async () => {
      const s = await second.getAgentStatus(req.agentId);
      return s.state === 'lost' && s;
    });
    expect(status.exitCode).toBeNull();
    expect(status.notes.join('\n')).toMatch(/exit code is unknown/);
  });

  it('never adopts or signals a process whose pid matches but whose start time does not (recycled pid)', async () => {
    const dataDir = tempDir();
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    trackPid(stranger.pid!);
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const record = (agentId: string, extra: object) => ({
      request: { requestId: `${agentId}-r`, agentId, agentName: 'x', agentType: 't', command: ['sleep', '30'] },
      state: 'running',
      pid: stranger.pid,
      startTime: '1',
      bootId,
      exitCode: null,
      signal: null,
      startedAt: new Date().toISOString(),
      endedAt: null,
      error: null,
      notes: [],
      adopted: false,
      stopReport: null,
      knownMembers: [{ pid: stranger.pid, startTime: '1' }],
      ...extra,
    });
    const recycled = `${prefix}-recycled`;
    const otherBoot = `${prefix}-otherboot`;
    writeFileSync(
      stateFile(dataDir),
      JSON.stringify({ version: 1, agents: { [recycled]: record(recycled, {}), [otherBoot]: record(otherBoot, { bootId: 'another-boot', startTime: null }) } }),
    );
    const supervisor = await useSupervisor(prefix, { dataDir });
    expect((await supervisor.getAgentStatus(recycled)).state).toBe('lost');
    expect((await supervisor.getAgentStatus(otherBoot)).state).toBe('lost');
    const report = await supervisor.cleanup({ force: true });
    expect(report.stopped).toEqual([]);
    expect(await supervisor.killAgent(recycled, { force: true })).toBe(true);
    expect(isPidAlive(stranger.pid!)).toBe(true);
    stranger.kill('SIGKILL');
    await waitFor(() => !isPidAlive(stranger.pid!));
  });

  it.each([
    ['not JSON at all', 'this is {not json'],
    ['truncated', JSON.stringify({ version: 1, agents: {} }).slice(0, 12)],
    ['schema-breaking', JSON.stringify({ version: 1, agents: { a: { state: 'dancing' } } })],
    ['from the future', JSON.stringify({ version: 99, agents: {} })],
  ])('sets a %s state file aside byte for byte, warns, and starts clean', async (_what, content) => {
    const dataDir = tempDir();
    writeFileSync(stateFile(dataDir), content);
    const supervisor = await useSupervisor(prefix, { dataDir });
    expect(supervisor.warnings.join('\n')).toMatch(/was set aside because .* It is kept as .*state\.json\.corrupt-/);
    const kept = quarantined(dataDir);
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(dataDir, kept[0]!), 'utf8')).toBe(content);
    expect(await supervisor.monitorAllAgents()).toEqual({});
    // And it keeps working: a new agent is saved to a fresh, valid file.
    const req = request(prefix, ['true']);
    await supervisor.spawnAgent(req);
    await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).state === 'completed');
    await supervisor.close();
    const saved = JSON.parse(readFileSync(stateFile(dataDir), 'utf8'));
    expect(saved.version).toBe(STATE_VERSION);
    expect(saved.agents[req.agentId].state).toBe('completed');
  });

  it('loads a version 1 state file: its agents migrate with unrotated logs and no runs, and the next write is the current version', async () => {
    const dataDir = tempDir();
    const agentId = `${prefix}-v1`;
    const v1Record = {
      request: { requestId: `${agentId}-r`, agentId, agentName: 'old', agentType: 't', command: ['true'] },
      state: 'completed',
      pid: 12345,
      startTime: '1',
      bootId: 'some-boot',
      exitCode: 0,
      signal: null,
      startedAt: '2025-01-01T00:00:00.000Z',
      endedAt: '2025-01-01T00:00:01.000Z',
      error: null,
      notes: ['kept'],
      adopted: false,
      stopReport: null,
      knownMembers: [],
    };
    writeFileSync(stateFile(dataDir), JSON.stringify({ version: 1, agents: { [agentId]: v1Record } }));
    const warnings: string[] = [];
    const { store, agents } = StateStore.open({ dataDir, warn: (message) => warnings.push(message) });
    expect(warnings).toEqual([]);
    expect(quarantined(dataDir)).toEqual([]);
    const unrotated = { rotatedBytes: 0, parts: [], lostBytes: 0 };
    expect(agents[agentId]).toEqual({ ...v1Record, logs: { stdout: unrotated, stderr: unrotated }, secrets: null, runs: [], nextRestartAt: null });
    store.setSource(() => agents);
    store.close();
    expect(JSON.parse(readFileSync(stateFile(dataDir), 'utf8')).version).toBe(STATE_VERSION);
    // And a supervisor over it serves the agent, logs included.
    const supervisor = await useSupervisor(prefix, { dataDir });
    expect((await supervisor.getAgentStatus(agentId)).notes).toEqual(['kept']);
    expect((await supervisor.readLog(agentId, 'stdout', { maxBytes: 10 })).size).toBe(0);
  });

  it('coalesces a burst of 200 transitions into one write', () => {
    const dataDir = tempDir();
    const { store } = StateStore.open({ dataDir, warn: () => undefined, flushDelayMs: 20 });
    const agents: Record<string, unknown> = {};
    store.setSource(() => agents as never);
    for (let i = 0; i < 200; i++) store.markDirty();
    expect(store.writeCount).toBe(0);
    store.flush();
    expect(store.writeCount).toBe(1);
    store.close();
  });

  it('keeps every agent of 40 concurrent spawns in the state file, in its final state', async () => {
    const dataDir = tempDir();
    const supervisor = await useSupervisor(prefix, { dataDir });
    const reqs = Array.from({ length: 40 }, () => request(prefix, ['true']));
    await Promise.all(reqs.map((req) => supervisor.spawnAgent(req)));
    await waitFor(async () => Object.values(await supervisor.monitorAllAgents()).every((s) => s.state === 'completed'));
    await supervisor.close();
    const saved = JSON.parse(readFileSync(stateFile(dataDir), 'utf8'));
    expect(Object.keys(saved.agents).sort()).toEqual(reqs.map((r) => r.agentId).sort());
    expect(Object.values(saved.agents).every((a) => (a as { state: string }).state === 'completed')).toBe(true);
  });
});
