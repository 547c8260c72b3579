/**
 * Stops that cannot be outrun (issue 11): an agent that ignores SIGTERM and
 * keeps starting new session leaders (fixtures/fork-storm.mjs). Whatever the
 * stop reports is checked against an independent /proc scan, and the orphan
 * sweep must agree that nothing of the agent is left.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Supervisor } from '../../../src-main/supervisor/index';
import { fixture, idPrefix, isPidAlive, liveAgentProcesses, NODE, request, trackPid, useSupervisor, waitForLog } from '../../helpers/agents';
import { brakeAndKillStorm, stateOf } from '../../helpers/proc';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('storm');
const STAGES = { firstTermMs: 300, secondTermMs: 300, killMs: 2000 };
/** Two chains of up to 1000 links, a sleeper every 10th: at most ~200 live processes. */
const STORM = ['2', '1000', '10'];

/** Live processes carrying exactly this agent's marker, read from /proc by the test itself. */
function marked(agentId: string): number[] {
  return liveAgentProcesses(agentId)
    .filter((found) => found.agentId === agentId)
    .map((found) => found.pid);
}

/** Starts the storm and returns once it is under way: links beyond the root already carry the marker. */
async function storming(supervisor: Supervisor): Promise<{ agentId: string; brake: string }> {
  const req = request(prefix, [NODE, fixture('fork-storm.mjs'), ...STORM, path.join(supervisor.dataDir, `brake-${Date.now()}`)]);
  const brake = req.command.at(-1)!;
  expect((await supervisor.spawnAgent(req)).status).toBe('running');
  await waitForLog(supervisor, req.agentId, 'storm ready');
  await waitFor(() => marked(req.agentId).length >= 10, { what: 'the storm to be under way' });
  return { agentId: req.agentId, brake };
}

async function expectStormStopped(supervisor: Supervisor, options: { force: boolean }): Promise<void> {
  const { agentId, brake } = await storming(supervisor);
  let failure: unknown = null;
  try {
    const answered = await supervisor.killAgent(agentId, { force: options.force, timeouts: STAGES });
    const left = marked(agentId);
    const status = await supervisor.getAgentStatus(agentId);
    const report = status.stopReport!;
    // What lives per the test's own /proc scan, and what the report says lives.
    expect({ left, survivors: report.survivors, outcome: report.outcome }, 'processes of the agent alive after its stop').toEqual({
      left: [],
      survivors: [],
      outcome: 'stopped',
    });
    expect(answered).toBe(true);
    expect(report.forced).toBe(options.force);
    expect(report.processCount).toBeGreaterThanOrEqual(10);
    expect(status.state).toBe('cancelled');
    expect(status.signal).toBe('SIGKILL');
    // The sweep agrees: nothing of the agent is an orphan, and nothing appeared since.
    expect((await supervisor.findOrphans()).filter((orphan) => orphan.agentId === agentId)).toEqual([]);
    expect(marked(agentId)).toEqual([]);
  } catch (error) {
    failure = error;
  }
  // Cleanup comes first, whatever failed; the first failure is the one reported.
  const killed = await brakeAndKillStorm(brake, () => marked(agentId), `the storm of ${agentId} to be gone`);
  if (failure) throw failure;
  expect(killed, 'storm processes the test itself had to kill').toEqual([]);
}

describe('a fork storm during a stop', () => {
  it('a forced stop freezes and kills every link: an independent scan finds none, and the report says so', async () => {
    const supervisor = await useSupervisor(prefix);
    await expectStormStopped(supervisor, { force: true });
  });

  it('a graceful stop (SIGTERM ignored) ends in the freezing SIGKILL stage with nothing left', async () => {
    const supervisor = await useSupervisor(prefix);
    await expectStormStopped(supervisor, { force: false });
  });

  it('a frozen (SIGSTOPped) leftover is alive to both the orphan sweep and the stop, which ends it', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('escape.mjs'), '--orphan']);
    await supervisor.spawnAgent(req);
    const daemon = Number(/escaped (\d+)/.exec(await waitForLog(supervisor, req.agentId, 'escaped'))![1]);
    trackPid(daemon);
    await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).state === 'completed', { what: 'the agent to end' });
    process.kill(daemon, 'SIGSTOP');
    await waitFor(() => stateOf(daemon) === 'T', { what: 'the daemon to be stopped' });

    expect((await supervisor.findOrphans()).map((orphan) => orphan.pid)).toEqual([daemon]);
    const { stopped, reports } = await supervisor.cleanup({ agentId: req.agentId, timeouts: STAGES });
    expect(stopped).toEqual([req.agentId]);
    // Resumed with its SIGTERM, it ran its handler: a stopped process was counted and ended, not skipped as dead.
    expect(reports[req.agentId]).toMatchObject({ outcome: 'stopped', processCount: 1, endedByStage: { term1: 1, term2: 0, kill: 0 }, survivors: [] });
    expect(isPidAlive(daemon)).toBe(false);
    expect(await supervisor.findOrphans()).toEqual([]);
  });
});
