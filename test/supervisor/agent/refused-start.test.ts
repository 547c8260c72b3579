/**
 * A request the OS refuses before any process exists leaves nothing: no agent,
 * no run, no state-file or journal entry, no folder (issue 13, item 2). A
 * restart of an agent whose program vanished is not a request: its failure is
 * recorded as a spawn-failed run (a policy restart: lifecycle.test.ts). Also Restart and Clear finished. Real
 * processes, the real engine, the real state file.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Supervisor } from '../../../src-main/supervisor/index';
import { fixture, idPrefix, isPidAlive, NODE, request, tempDir, useSupervisor } from '../../helpers/agents';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('refused');

/** The agents state.json holds once the engine has written it (close flushes). */
function savedAgentIds(dataDir: string): string[] {
  const file = path.join(dataDir, 'state.json');
  if (!existsSync(file)) return [];
  return Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { agents: Record<string, unknown> }).agents);
}

function journalEntries(dataDir: string): string[] {
  const dir = path.join(dataDir, 'journal');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Nothing of `agentId` anywhere: not listed, not found, no state-file or journal entry, no folder. */
async function expectNothingOf(supervisor: Supervisor, agentId: string): Promise<void> {
  await expect(supervisor.getAgentStatus(agentId)).rejects.toMatchObject({ kind: 'not-found' });
  expect(Object.keys(await supervisor.monitorAllAgents())).not.toContain(agentId);
  expect(savedAgentIds(supervisor.dataDir)).not.toContain(agentId);
  expect(journalEntries(supervisor.dataDir).filter((name) => name.startsWith(agentId))).toEqual([]);
  expect(existsSync(path.join(supervisor.dataDir, 'agents', agentId))).toBe(false);
}

/** A script in a folder of its own, so the test can make it vanish. */
function script(body: string): string {
  const file = path.join(tempDir(), 'agent.sh');
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('a request refused before any process exists', () => {
  it('leaves no agent, state-file entry, journal entry, folder or failed state; fixed, the same id runs once', async () => {
    const supervisor = await useSupervisor(prefix);
    const states: string[] = [];
    const warnings: string[] = [];
    supervisor.on('state', (event) => states.push(`${event.agentId}:${event.state}`));
    supervisor.on('warning', (event) => warnings.push(event.message));
    const cwd = tempDir();
    const cases = [
      { command: ['/nonexistent/tool', '--flag'], kind: 'spawn-failed', error: /does not exist/ },
      { command: ['corral-no-such-program-xyz'], kind: 'spawn-failed', error: /not found on PATH/ },
      { command: [path.join(cwd, 'plain.txt')], kind: 'permission-denied', error: /not executable/ },
      // E2BIG: thrown by spawn itself, after the log files were opened (the folder the refusal removes again).
      { command: [NODE, fixture('echo-args.mjs'), ...Array.from({ length: 40 }, () => 'x'.repeat(100_000))], kind: 'spawn-failed', error: /E2BIG/ },
    ];
    writeFileSync(path.join(cwd, 'plain.txt'), 'not a program\n');
    for (const { command, kind, error } of cases) {
      const req = request(prefix, command, { cwd });
      const answer = await supervisor.spawnAgent(req);
      expect(answer).toMatchObject({ agentId: req.agentId, status: 'failed', errorKind: kind });
      expect(answer.error).toMatch(error);
      await expectNothingOf(supervisor, req.agentId);
    }
    const missingCwd = request(prefix, ['true'], { cwd: path.join(cwd, 'gone') });
    expect(await supervisor.spawnAgent(missingCwd)).toMatchObject({ status: 'failed', errorKind: 'spawn-failed', error: expect.stringMatching(/does not exist/) });
    await expectNothingOf(supervisor, missingCwd.agentId);
    expect(states.filter((state) => state.endsWith(':failed'))).toEqual([]);

    // Fixed and sent again (same id, same request id: a refusal is not remembered): one agent, one run.
    const fixedReq = { ...request(prefix, ['/nonexistent/tool']), agentId: `${prefix}-fixed` };
    expect((await supervisor.spawnAgent(fixedReq)).status).toBe('failed');
    const fixed = await supervisor.spawnAgent({ ...fixedReq, command: [NODE, fixture('sleeper.mjs')] });
    expect(fixed.status).toBe('running');
    const runs = await supervisor.getRunHistory(fixedReq.agentId);
    expect(runs.map((run) => [run.run, run.trigger, run.exit?.kind ?? null])).toEqual([[1, 'user', null]]);
    expect(Object.keys(await supervisor.monitorAllAgents())).toEqual([fixedReq.agentId]);
    await supervisor.killAgent(fixedReq.agentId);
    await supervisor.close();
    expect(savedAgentIds(supervisor.dataDir)).toEqual([fixedReq.agentId]);
    expect(warnings).toEqual([]);
  });

  it('Run again of an ended agent whose program vanished is refused and leaves its record as it was', async () => {
    const supervisor = await useSupervisor(prefix);
    const program = script('echo ran');
    const req = request(prefix, [program]);
    await supervisor.spawnAgent(req);
    const before = await waitFor(async () => {
      const status = await supervisor.getAgentStatus(req.agentId);
      return status.state === 'completed' && status;
    });
    const runsBefore = await supervisor.getRunHistory(req.agentId);
    rmSync(program);
    const again = await supervisor.runAgain(req.agentId);
    expect(again).toMatchObject({ status: 'failed', errorKind: 'spawn-failed', error: expect.stringMatching(/does not exist/) });
    const after = await supervisor.getAgentStatus(req.agentId);
    expect(after).toMatchObject({ state: 'completed', exitCode: 0, error: null, startedAt: before.startedAt, endedAt: before.endedAt, lastExit: before.lastExit });
    expect(await supervisor.getRunHistory(req.agentId)).toEqual(runsBefore);
    expect(readFileSync(path.join(after.logDir, 'stderr.log'), 'utf8')).not.toMatch(/spawn failed/);
    await supervisor.close();
    expect(savedAgentIds(supervisor.dataDir)).toEqual([req.agentId]);
  });
});

describe('a restart is not a new request', () => {
  it('Restart of an agent whose program vanished records a spawn-failed run on it', async () => {
    const supervisor = await useSupervisor(prefix);
    const program = script('exec sleep 30');
    const req = request(prefix, [program]);
    const first = await supervisor.spawnAgent(req);
    expect(first.status).toBe('running');
    rmSync(program);
    const restarted = await supervisor.restartAgent(req.agentId);
    expect(restarted).toMatchObject({ status: 'failed', errorKind: 'spawn-failed' });
    expect(isPidAlive(first.pid!)).toBe(false);
    const status = await supervisor.getAgentStatus(req.agentId);
    expect(status.state).toBe('failed');
    expect(status.lastExit).toMatchObject({ kind: 'spawn-failed', spawn: { argv: [program] } });
    const runs = await supervisor.getRunHistory(req.agentId);
    expect(runs.map((run) => [run.run, run.trigger, run.exit?.kind])).toEqual([
      [1, 'user', 'stopped'],
      [2, 'user', 'spawn-failed'],
    ]);
  });
});

describe('Restart and Clear finished', () => {
  it('Restart stops a running agent gracefully and starts the same request as a new run', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('sleeper.mjs')]);
    const first = await supervisor.spawnAgent(req);
    const second = await supervisor.restartAgent(req.agentId);
    expect(second.status).toBe('running');
    expect(second.pid).not.toBe(first.pid);
    expect(isPidAlive(first.pid!)).toBe(false);
    const runs = await supervisor.getRunHistory(req.agentId);
    expect(runs.map((run) => [run.run, run.trigger, run.exit?.kind ?? null])).toEqual([
      [1, 'user', 'stopped'],
      [2, 'user', null],
    ]);
    expect((await supervisor.getAgentRequest(req.agentId)).command).toEqual(req.command);
    await expect(supervisor.restartAgent('no-such-agent')).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('Clear finished removes every ended agent, with its folder, and keeps the live ones', async () => {
    const supervisor = await useSupervisor(prefix);
    const live = request(prefix, [NODE, fixture('sleeper.mjs')]);
    const done = request(prefix, ['true']);
    const failed = request(prefix, ['sh', '-c', 'exit 2']);
    for (const req of [live, done, failed]) await supervisor.spawnAgent(req);
    await waitFor(async () => {
      const all = await supervisor.monitorAllAgents();
      return all[done.agentId]?.state === 'completed' && all[failed.agentId]?.state === 'failed';
    });
    const logDir = (await supervisor.getAgentStatus(done.agentId)).logDir;
    expect((await supervisor.removeFinished()).sort()).toEqual([done.agentId, failed.agentId].sort());
    expect(Object.keys(await supervisor.monitorAllAgents())).toEqual([live.agentId]);
    expect(existsSync(logDir)).toBe(false);
    expect(await supervisor.removeFinished()).toEqual([]);
  });
});
