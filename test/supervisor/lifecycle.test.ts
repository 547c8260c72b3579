/**
 * Restart policies, exit classification and run history, with real processes.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RestartPolicy } from '../../src-preload/contract';
import { fixture, idPrefix, NODE, readLog, request, tempDir, useSupervisor, waitForLog, waitForTicks } from '../helpers/agents';
import { waitFor } from '../helpers/wait';

const prefix = idPrefix('lifecycle');

const quick = (policy: Partial<RestartPolicy>): RestartPolicy => ({ mode: 'on-failure', maxRestarts: 3, initialDelayMs: 100, maxDelayMs: 400, resetAfterMs: 60_000, ...policy });

describe('restart policy', () => {
  it('restarts a failing agent with growing delays, then marks it crash-looping: no failed state in between, one log line per restart', async () => {
    const supervisor = await useSupervisor(prefix);
    const states: string[] = [];
    const req = request(prefix, [NODE, fixture('exit-code.mjs'), '3'], { restart: quick({ maxRestarts: 3 }) });
    supervisor.on('state', (event) => event.agentId === req.agentId && states.push(event.state));
    await supervisor.spawnAgent(req);
    const final = await waitFor(async () => {
      const status = await supervisor.getAgentStatus(req.agentId);
      return status.state === 'crash-looping' && status;
    }, { what: 'crash-looping' });

    const runs = await supervisor.getRunHistory(req.agentId);
    expect(runs.map((run) => run.trigger)).toEqual(['user', 'restart', 'restart', 'restart']);
    expect(runs.map((run) => run.run)).toEqual([1, 2, 3, 4]);
    for (const run of runs) {
      expect(run.exit).toMatchObject({ kind: 'exited', code: 3, summary: 'Exited with code 3.' });
      expect(run.pid).toBeGreaterThan(0);
      expect(run.durationMs).toBeGreaterThanOrEqual(0);
    }
    // Each restart waited at least its backoff: 100, 200, 400 ms after the previous end.
    const gaps = runs.slice(1).map((run, i) => Date.parse(run.startedAt) - Date.parse(runs[i]!.endedAt!));
    gaps.forEach((gap, i) => expect(gap, `gap before restart ${i + 1}`).toBeGreaterThanOrEqual([100, 200, 400][i]! - 5));
    expect(states.filter((state) => state === 'failed')).toEqual([]);
    expect(states.filter((state) => state === 'backoff')).toHaveLength(3);
    expect(states.at(-1)).toBe('crash-looping');
    expect(final).toMatchObject({ health: 'failed', restarts: 3, runCount: 4, nextRestartAt: null });
    expect(final.error).toMatch(/^Crash-looping: 3 restarts in a row/);
    expect(final.lastExit?.summary).toBe('Exited with code 3.');
    const corralLines = readLog(final.logDir, 'stderr').split('\n').filter((line) => line.startsWith('[corral '));
    expect(corralLines).toHaveLength(4); // three restarts and the verdict
  });

  it('shows backoff with the time of the next start, and a stop during backoff calls the restart off', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('exit-code.mjs'), '1'], { restart: quick({ initialDelayMs: 60_000, maxDelayMs: 60_000 }) });
    await supervisor.spawnAgent(req);
    const waiting = await waitFor(async () => {
      const status = await supervisor.getAgentStatus(req.agentId);
      return status.state === 'backoff' && status;
    });
    expect(waiting.health).toBe('restarting');
    expect(waiting.nextRestartAt).toBeGreaterThan(Date.now() + 50_000);
    const report = await supervisor.killAgent(req.agentId);
    expect(report).toBe(true);
    const stopped = await supervisor.getAgentStatus(req.agentId);
    expect(stopped).toMatchObject({ state: 'cancelled', nextRestartAt: null, runCount: 1 });
  });

  it('`always` restarts an agent that succeeded; `on-failure` does not', async () => {
    const supervisor = await useSupervisor(prefix);
    const always = request(prefix, [NODE, fixture('exit-code.mjs'), '0'], { restart: quick({ mode: 'always', maxRestarts: 1 }) });
    const onFailure = request(prefix, [NODE, fixture('exit-code.mjs'), '0'], { restart: quick({ mode: 'on-failure' }) });
    await supervisor.spawnAgent(always);
    await supervisor.spawnAgent(onFailure);
    await waitFor(async () => (await supervisor.getAgentStatus(always.agentId)).state === 'crash-looping', { what: 'always to use its one restart' });
    expect((await supervisor.getRunHistory(always.agentId)).map((run) => run.exit?.code)).toEqual([0, 0]);
    const other = await waitFor(async () => {
      const status = await supervisor.getAgentStatus(onFailure.agentId);
      return status.state === 'completed' && status;
    });
    expect(other.runCount).toBe(1);
  });

  it('a run that lasted the stable period starts the count again', async () => {
    const supervisor = await useSupervisor(prefix);
    // Every run lasts ~1.1 s, longer than resetAfterMs: never more than one restart "in a row", so it never gives up.
    const req = request(prefix, [NODE, fixture('exit-code.mjs'), '2', '1100'], { restart: quick({ maxRestarts: 1, resetAfterMs: 1000 }) });
    expect((await supervisor.spawnAgent(req)).status).toBe('running');
    await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).runCount >= 3, { what: 'three runs', timeoutMs: 15_000 });
    const status = await supervisor.getAgentStatus(req.agentId);
    expect(status.state).not.toBe('crash-looping');
    expect(status.restarts).toBeLessThanOrEqual(1);
    await supervisor.killAgent(req.agentId);
  });

  it('a stop by the user is never followed by a restart, and the run says which stage ended it', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('sleeper.mjs')], { restart: quick({ mode: 'always' }) });
    const states: string[] = [];
    supervisor.on('state', (event) => event.agentId === req.agentId && states.push(event.state));
    await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'up');
    await supervisor.killAgent(req.agentId);
    // Showing no restart follows needs a period past its 100 ms backoff: two ticks are one 200 ms interval apart.
    await waitForTicks(supervisor, 2);
    expect(states).toEqual(['spawning', 'running', 'stopping', 'cancelled']);
    const status = await supervisor.getAgentStatus(req.agentId);
    expect(status.state).toBe('cancelled');
    expect(status.lastExit).toMatchObject({ kind: 'stopped', stoppedBy: 'user', stopStage: 'term1', code: 0 });
    expect(status.lastExit?.summary).toBe('Stopped by Corral at SIGTERM; exited with code 0.');
    expect(status.runCount).toBe(1);
  });

  it('keeps a pending restart across a Corral restart, and starts it when due', async () => {
    const dataDir = tempDir();
    const first = await useSupervisor(prefix, { dataDir });
    const req = request(prefix, [NODE, fixture('exit-code.mjs'), '5'], { restart: quick({ initialDelayMs: 1500, maxDelayMs: 1500, maxRestarts: 1 }) });
    await first.spawnAgent(req);
    const waiting = await waitFor(async () => {
      const status = await first.getAgentStatus(req.agentId);
      return status.state === 'backoff' && status;
    });
    await first.close();
    const saved = JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8'));
    expect(saved.agents[req.agentId]).toMatchObject({ state: 'backoff', nextRestartAt: waiting.nextRestartAt });
    const second = await useSupervisor(prefix, { dataDir });
    expect((await second.getAgentStatus(req.agentId)).state).toBe('backoff');
    const done = await waitFor(async () => {
      const status = await second.getAgentStatus(req.agentId);
      return status.state === 'crash-looping' && status;
    }, { what: 'the restart after Corral restarted' });
    expect(done.runCount).toBe(2);
    const runs = await second.getRunHistory(req.agentId);
    expect(Date.parse(runs[1]!.startedAt)).toBeGreaterThanOrEqual(waiting.nextRestartAt! - 5);
  });
});

describe('exit classification', () => {
  it('flags a SIGKILL Corral did not send as possibly out of memory, and keeps peaks per run', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('busy.mjs')]);
    const { pid } = await supervisor.spawnAgent(req);
    await waitFor(async () => ((await supervisor.getAgentStatus(req.agentId)).treeCpuPercent ?? 0) > 10, { what: 'CPU to show' });
    process.kill(pid!, 'SIGKILL');
    const status = await waitFor(async () => {
      const current = await supervisor.getAgentStatus(req.agentId);
      return current.state === 'failed' && current;
    });
    expect(status.lastExit).toMatchObject({ kind: 'signalled', signal: 'SIGKILL', possiblyOutOfMemory: true, stoppedBy: null });
    const [run] = await supervisor.getRunHistory(req.agentId);
    expect(run!.peakCpuPercent).toBeGreaterThan(10);
    expect(run!.peakMemoryMb).toBeGreaterThan(1);
  });

  it('records a spawn failure with the argv, cwd and PATH that were tried (a restart of a program that vanished), and does not restart it', async () => {
    const supervisor = await useSupervisor(prefix);
    const cwd = tempDir();
    // A first start of a missing program is refused whole (test/supervisor/agent/refused-start.test.ts); a restart is recorded.
    const program = path.join(tempDir(), 'vanishing.sh');
    writeFileSync(program, '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    const req = request(prefix, [program, '--flag'], { cwd, env: { PATH: '/nowhere:/also-nowhere' }, restart: quick({ mode: 'always', initialDelayMs: 300 }) });
    await supervisor.spawnAgent(req);
    await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).state === 'backoff');
    rmSync(program);
    const status = await waitFor(async () => {
      const current = await supervisor.getAgentStatus(req.agentId);
      return current.state === 'failed' && current;
    });
    expect(status.state).toBe('failed'); // a program that cannot start is not restarted
    expect(status.lastExit).toMatchObject({ kind: 'spawn-failed', spawn: { argv: [program, '--flag'], cwd, path: '/nowhere:/also-nowhere' } });
    expect(status.lastExit!.summary).toMatch(/^Could not start: /);
    expect(readLog(status.logDir, 'stderr')).toContain('PATH /nowhere:/also-nowhere');
  });
});
