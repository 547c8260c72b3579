/**
 * Never lose an agent, with the web host as a real child process: Corral
 * SIGKILLed with agents running (re-adopted, logs flow, stoppable; the one that
 * ended meanwhile is `lost`), SIGKILLed mid-stop (the next start finishes the
 * stop), and shut down by a signal (`--on-signal stop-all` stops everything;
 * the default leaves agents for the next start).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentView, Result, StatusEventView, StopReportView } from '../../src-preload/contract';
import { fixture, idPrefix, isPidAlive, liveAgentProcesses, NODE, tempDir, trackPid } from '../helpers/agents';
import { waitFor } from '../helpers/wait';
import { connectServe, startServe, type ServeProcess } from './serve-process';
import { onCleanup, type WireTestClient } from './web-harness';

const prefix = idPrefix('recovery');
let counter = 0;

afterEach(() => {
  // Independent of the engine: nothing this file started may be left.
  const left = liveAgentProcesses(prefix);
  for (const { pid } of left) process.kill(pid, 'SIGKILL');
  expect(left, 'agent processes left alive').toEqual([]);
});

function dataDir(): string {
  const dir = tempDir();
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function valueOf<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

/** Spawns a Node fixture through the contract and returns its id and pid (tracked for the leak check). */
async function spawnAgent(client: WireTestClient, script: string): Promise<{ agentId: string; pid: number }> {
  const agentId = `${prefix}-${++counter}`;
  const answer = valueOf<{ status: string; pid: number }>(
    await client.call('spawnAgent', { requestId: `${agentId}-req`, agentId, agentName: agentId, agentType: 'test', command: [NODE, fixture(script)] }),
  );
  expect(answer.status).toBe('running');
  trackPid(answer.pid);
  return { agentId, pid: answer.pid };
}

async function agent(client: WireTestClient, agentId: string): Promise<AgentView> {
  return valueOf<AgentView>(await client.call('getAgent', { agentId }));
}

function waitForLogFile(dir: string, agentId: string, text: string): Promise<unknown> {
  return waitFor(
    () => {
      try {
        return readFileSync(path.join(dir, 'agents', agentId, 'stdout.log'), 'utf8').includes(text);
      } catch {
        return false;
      }
    },
    { what: `"${text}" in ${agentId}'s log` },
  );
}

function savedState(dir: string, agentId: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as { agents: Record<string, { state: string }> }).agents[agentId]?.state;
  } catch {
    return undefined;
  }
}

/** A host whose graceful stop of a SIGTERM-ignoring agent is under way, with stages of a minute: surely still in progress when the test kills the host. */
async function stopInProgress(): Promise<{ dir: string; first: ServeProcess; stubborn: { agentId: string; pid: number } }> {
  const dir = dataDir();
  const first = await startServe(dir, ['--stop-timeouts', '60000,60000,60000']);
  const client = await connectServe(first);
  const stubborn = await spawnAgent(client, 'ignore-term.mjs');
  await waitForLogFile(dir, stubborn.agentId, 'ready');
  void client.call('stopAgent', { agentId: stubborn.agentId }).catch(() => undefined);
  await waitForLogFile(dir, stubborn.agentId, 'ignoring SIGTERM');
  return { dir, first, stubborn };
}

async function sigkill(served: ServeProcess): Promise<void> {
  served.child.kill('SIGKILL');
  expect(await served.exited).toEqual({ code: null, signal: 'SIGKILL' });
}

describe('crash recovery of Corral itself', () => {
  it('after a SIGKILL, live agents are re-adopted (logs flow, stop works) and the one that ended meanwhile is lost, exit code unknown', async () => {
    const dir = dataDir();
    const first = await startServe(dir);
    const client = await connectServe(first);
    const a = await spawnAgent(client, 'ticker.mjs');
    const b = await spawnAgent(client, 'ticker.mjs');
    const c = await spawnAgent(client, 'sleeper.mjs');
    await waitFor(() => savedState(dir, c.agentId) === 'running', { what: 'the state file to hold the agents' });
    await sigkill(first);

    // Corral is gone; one agent ends meanwhile (we started it, so we may signal it by pid).
    expect([a.pid, b.pid, c.pid].every(isPidAlive)).toBe(true);
    process.kill(c.pid, 'SIGTERM');
    await waitFor(() => !isPidAlive(c.pid), { what: 'the third agent to end' });

    const second = await startServe(dir);
    const again = await connectServe(second);
    const all = valueOf<Record<string, AgentView>>(await again.call('monitorAllAgents'));
    for (const { agentId, pid } of [a, b]) {
      expect(all[agentId]).toMatchObject({ state: 'running', pid, adopted: true });
      expect(all[agentId]!.notes.join(' ')).toContain('Re-adopted after Corral restarted');
    }
    expect(all[c.agentId]).toMatchObject({ state: 'lost', exitCode: null, signal: null });
    expect(all[c.agentId]!.notes.join(' ')).toContain('exit code unknown');

    // New output of an adopted agent arrives as log events.
    valueOf(await again.call('followLogs', { agentIds: [a.agentId, b.agentId] }));
    for (const { agentId } of [a, b]) {
      await again.event('log', (event) => event.agentId === agentId && Buffer.from(event.data, 'base64').toString('utf8').includes('tick'));
    }

    for (const { agentId, pid } of [a, b]) {
      expect(valueOf<StopReportView>(await again.call('stopAgent', { agentId }))).toMatchObject({ outcome: 'stopped' });
      expect(await agent(again, agentId)).toMatchObject({ state: 'cancelled' });
      expect(isPidAlive(pid)).toBe(false);
    }
    expect(liveAgentProcesses(prefix)).toEqual([]);

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('an agent persisted as stopping when Corral died is stopped by the next start (cancelled), never back to plain running', async () => {
    const { dir, first, stubborn } = await stopInProgress();
    await waitFor(() => savedState(dir, stubborn.agentId) === 'stopping', { what: 'the state file to say stopping' });
    await sigkill(first);
    expect(isPidAlive(stubborn.pid)).toBe(true);

    const second = await startServe(dir, ['--stop-timeouts', '300,300,2000']);
    const again = await connectServe(second);
    const seen = new Set<string>();
    const unsubscribe = watchStates(again, stubborn.agentId, seen);
    seen.add((await agent(again, stubborn.agentId)).state);
    await waitFor(async () => (await agent(again, stubborn.agentId)).state === 'cancelled', { what: 'the resumed stop to end', timeoutMs: 15_000 });
    unsubscribe();
    expect([...seen].filter((state) => state !== 'stopping' && state !== 'cancelled')).toEqual([]);
    const view = await agent(again, stubborn.agentId);
    expect(view.notes.join(' ')).toContain('the stop was resumed');
    expect(view.stopReport).toMatchObject({ outcome: 'stopped' });
    expect(isPidAlive(stubborn.pid)).toBe(false);
    await waitFor(() => savedState(dir, stubborn.agentId) === 'cancelled', { what: 'the state file to say cancelled' });

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});

describe('a stop cut short by a crash resumes as forceful as it was', () => {
  it('a stop that had reached SIGKILL resumes with SIGKILL at once, not from a fresh SIGTERM', async () => {
    const { dir, first, stubborn } = await stopInProgress();
    const file = path.join(dir, 'state.json');
    const saved = () => JSON.parse(readFileSync(file, 'utf8')) as { agents: Record<string, { stopProgress?: { stage: string } | null }> };
    await waitFor(() => saved().agents[stubborn.agentId]?.stopProgress?.stage === 'term1', { what: 'the stop stage to be saved' });
    await sigkill(first);
    // As if Corral had died after the stop reached its SIGKILL stage.
    const state = saved();
    state.agents[stubborn.agentId]!.stopProgress!.stage = 'kill';
    writeFileSync(file, JSON.stringify(state));

    // Stages of a minute: only a stop that resumes at SIGKILL ends within the wait below.
    const second = await startServe(dir, ['--stop-timeouts', '60000,60000,60000']);
    const again = await connectServe(second);
    await waitFor(async () => (await agent(again, stubborn.agentId)).state === 'cancelled', { what: 'the resumed stop to end', timeoutMs: 15_000 });
    const view = await agent(again, stubborn.agentId);
    expect(view.stopReport).toMatchObject({ outcome: 'stopped', forced: true, endedByStage: { term1: 0, term2: 0, kill: 1 } });
    expect(isPidAlive(stubborn.pid)).toBe(false);
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});

describe('shutdown on signals', () => {
  it('--on-signal stop-all: SIGTERM stops every agent (one ignores SIGTERM) and exits 0 once all are gone', async () => {
    const dir = dataDir();
    const served = await startServe(dir, ['--on-signal', 'stop-all', '--stop-timeouts', '1000,500,500']);
    const client = await connectServe(served);
    const polite = await spawnAgent(client, 'sleeper.mjs');
    const stubborn = await spawnAgent(client, 'ignore-term.mjs');
    await waitForLogFile(dir, stubborn.agentId, 'ready');
    await waitFor(() => savedState(dir, stubborn.agentId) === 'running', { what: 'the state file to hold the agents' });

    const startedAt = Date.now();
    served.child.kill('SIGTERM');
    expect(await served.exited, served.stderr()).toEqual({ code: 0, signal: null });
    // The stubborn one needed both SIGTERM stages and SIGKILL: the exit waited for it.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1400);
    expect(isPidAlive(polite.pid)).toBe(false);
    expect(isPidAlive(stubborn.pid)).toBe(false);
    expect(liveAgentProcesses(prefix)).toEqual([]);
    expect(savedState(dir, polite.agentId)).toBe('cancelled');
    expect(savedState(dir, stubborn.agentId)).toBe('cancelled');
  }, 60_000);

  it('--on-signal stop-all: a second signal (after the echo window) forces the SIGKILL stage, then exits', async () => {
    const dir = dataDir();
    const served = await startServe(dir, ['--on-signal', 'stop-all', '--stop-timeouts', '60000,60000,60000']);
    const client = await connectServe(served);
    const stubborn = await spawnAgent(client, 'ignore-term.mjs');
    await waitForLogFile(dir, stubborn.agentId, 'ready');

    served.child.kill('SIGTERM');
    // serve logs the first signal as it takes it: its 1 s echo window began no later than we see this line.
    const handledAt = await waitFor(() => served.stderr().includes('SIGTERM: stopping every agent') && Date.now(), { what: 'serve to take the first SIGTERM' });
    await waitForLogFile(dir, stubborn.agentId, 'ignoring SIGTERM');
    // The echo window is wall-clock and no event marks its end: a repeat inside it is ignored, so the user's comes after.
    await waitFor(() => Date.now() - handledAt > 1100, { what: 'the 1 s echo window to pass' });
    const forcedAt = Date.now();
    served.child.kill('SIGTERM');
    expect(await served.exited, served.stderr()).toEqual({ code: 0, signal: null });
    expect(Date.now() - forcedAt).toBeLessThan(10_000);
    expect(served.stderr()).toContain('forcing (SIGKILL)');
    expect(isPidAlive(stubborn.pid)).toBe(false);
    expect(savedState(dir, stubborn.agentId)).toBe('cancelled');
  }, 60_000);

  it('the default (leave-running): SIGHUP exits 0 with the agents alive; the next start re-adopts them and stops them', async () => {
    const dir = dataDir();
    const first = await startServe(dir);
    const client = await connectServe(first);
    const one = await spawnAgent(client, 'sleeper.mjs');
    const two = await spawnAgent(client, 'ticker.mjs');
    first.child.kill('SIGHUP');
    expect(await first.exited, first.stderr()).toEqual({ code: 0, signal: null });
    expect(isPidAlive(one.pid) && isPidAlive(two.pid)).toBe(true);

    const second = await startServe(dir);
    const again = await connectServe(second);
    for (const { agentId, pid } of [one, two]) {
      expect(await agent(again, agentId)).toMatchObject({ state: 'running', pid, adopted: true });
    }
    expect(valueOf(await again.call('stopAll', {}))).toMatchObject({ stopped: expect.arrayContaining([one.agentId, two.agentId]) });
    expect(isPidAlive(one.pid) || isPidAlive(two.pid)).toBe(false);
    second.child.kill('SIGINT');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('refuses a bad --on-signal or --stop-timeouts with exit code 2', async () => {
    const dir = dataDir();
    await expect(startServe(dir, ['--on-signal', 'explode'])).rejects.toThrow(/on-signal must be leave-running or stop-all/);
    await expect(startServe(dir, ['--stop-timeouts', '1000,500'])).rejects.toThrow(/--stop-timeouts must be three whole numbers/);
  }, 60_000);
});

/** Records every state the agent shows in status events. */
function watchStates(client: WireTestClient, agentId: string, seen: Set<string>): () => void {
  const listener = (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as { type: string; event?: string; payload?: StatusEventView };
    const view = message.type === 'event' && message.event === 'status' ? message.payload?.agents[agentId] : undefined;
    if (view) seen.add(view.state);
  };
  client.ws.on('message', listener);
  return () => client.ws.off('message', listener);
}
