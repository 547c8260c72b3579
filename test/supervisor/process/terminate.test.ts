import { describe, expect, it } from 'vitest';
import { fixture, idPrefix, isPidAlive, NODE, request, trackPid, useSupervisor, waitForLog } from '../../helpers/agents';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('stop');
const FAST = { firstTermMs: 1000, secondTermMs: 1000, killMs: 2000 };

function escapedPid(log: string): number {
  const match = /escaped (\d+)/.exec(log);
  if (!match) throw new Error(`no escaped pid in ${log}`);
  return Number(match[1]);
}

describe('killAgent and cleanup', () => {
  it('stops a SIGTERM-cooperative agent in well under the first wait, as cancelled', async () => {
    const supervisor = await useSupervisor(prefix, { stopTimeouts: { firstTermMs: 10_000 } });
    const req = request(prefix, [NODE, fixture('sleeper.mjs')]);
    const { pid } = await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'up');
    const started = performance.now();
    expect(await supervisor.killAgent(req.agentId)).toBe(true);
    const elapsedMs = performance.now() - started;
    expect(elapsedMs).toBeLessThan(5_000); // generous on a loaded machine; the bench has the real figure
    expect(isPidAlive(pid!)).toBe(false);
    const status = await supervisor.getAgentStatus(req.agentId);
    expect(status.state).toBe('cancelled');
    expect(status.health).toBe('cancelled');
    expect(status.exitCode).toBe(0);
    expect(status.stopReport).toMatchObject({ outcome: 'stopped', processCount: 1, endedByStage: { term1: 1, term2: 0, kill: 0 } });
  });

  it('escalates to SIGKILL when the agent ignores SIGTERM', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('ignore-term.mjs')]);
    const { pid } = await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'ready');
    expect(await supervisor.killAgent(req.agentId, { timeouts: { firstTermMs: 300, secondTermMs: 300, killMs: 2000 } })).toBe(true);
    const status = await supervisor.getAgentStatus(req.agentId);
    expect(isPidAlive(pid!)).toBe(false);
    expect(status.state).toBe('cancelled');
    expect(status.signal).toBe('SIGKILL');
    expect(status.stopReport?.endedByStage).toEqual({ term1: 0, term2: 0, kill: 1 });
  });

  it('kills a child that ignores SIGTERM even after its parent, the leader, has exited', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('ignore-term-children.mjs')]);
    await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'child ready');
    await waitFor(async () => {
      await supervisor.sampleNow();
      return (await supervisor.getAgentStatus(req.agentId)).descendantCount === 1;
    });
    const rootPid = (await supervisor.getAgentStatus(req.agentId)).pid;
    const children = (await supervisor.getProcessTree(req.agentId)).filter((p) => p.pid !== rootPid);
    expect(children).toHaveLength(1);
    expect(await supervisor.killAgent(req.agentId, { timeouts: { firstTermMs: 300, secondTermMs: 300, killMs: 2000 } })).toBe(true);
    expect(isPidAlive(children[0]!.pid)).toBe(false);
    const report = (await supervisor.getAgentStatus(req.agentId)).stopReport!;
    expect(report.processCount).toBe(2);
    expect(report.endedByStage.term1).toBe(1); // the leader
    expect(report.endedByStage.kill).toBe(1); // the stubborn child: not abandoned when the leader went
  });

  it('stops a paused (SIGSTOP) agent gracefully: SIGCONT goes with SIGTERM', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('sleeper.mjs')]);
    const { pid } = await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'up');
    process.kill(pid!, 'SIGSTOP');
    await waitFor(async () => {
      await supervisor.sampleNow();
      return (await supervisor.getAgentStatus(req.agentId)).processStatus === 'stopped';
    });
    expect(await supervisor.killAgent(req.agentId, { timeouts: FAST })).toBe(true);
    const status = await supervisor.getAgentStatus(req.agentId);
    expect(status.exitCode).toBe(0); // its own SIGTERM handler ran: it was resumed, not killed
    expect(status.stopReport?.endedByStage.term1).toBe(1);
  });

  it('stops a descendant that left the process group with setsid', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('escape.mjs')]);
    await supervisor.spawnAgent(req);
    const escaped = escapedPid(await waitForLog(supervisor, req.agentId, 'escaped'));
    trackPid(escaped);
    await waitFor(() => isPidAlive(escaped));
    expect(await supervisor.killAgent(req.agentId, { timeouts: FAST })).toBe(true);
    expect(isPidAlive(escaped)).toBe(false);
    expect((await supervisor.getAgentStatus(req.agentId)).stopReport?.processCount).toBe(2);
  });

  it('stops a double-forked daemon whose parent already exited, found by its CORRAL_AGENT_ID marker', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('escape.mjs'), '--orphan']);
    await supervisor.spawnAgent(req);
    const escaped = escapedPid(await waitForLog(supervisor, req.agentId, 'escaped'));
    trackPid(escaped);
    await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).state === 'completed');
    expect(isPidAlive(escaped)).toBe(true);
    const report = await supervisor.cleanup({ agentId: req.agentId, timeouts: FAST });
    expect(report.stopped).toEqual([req.agentId]);
    expect(isPidAlive(escaped)).toBe(false);
    // The run itself ended on its own: a stop of its leftovers does not rewrite its outcome.
    expect((await supervisor.getAgentStatus(req.agentId)).state).toBe('completed');
  });

  it("never signals another Corral's daemon that carries the same agent id (its status file is under another data dir)", async () => {
    const ours = await useSupervisor(prefix);
    const theirs = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('escape.mjs'), '--orphan']);
    await ours.spawnAgent(req);
    await theirs.spawnAgent({ ...req, requestId: `${req.requestId}-theirs` });
    const ourDaemon = escapedPid(await waitForLog(ours, req.agentId, 'escaped'));
    const theirDaemon = escapedPid(await waitForLog(theirs, req.agentId, 'escaped'));
    trackPid(ourDaemon);
    trackPid(theirDaemon);
    await waitFor(async () => (await ours.getAgentStatus(req.agentId)).state === 'completed');
    await ours.cleanup({ agentId: req.agentId, timeouts: FAST });
    expect(isPidAlive(ourDaemon)).toBe(false);
    expect(isPidAlive(theirDaemon)).toBe(true);
    await theirs.cleanup({ agentId: req.agentId, timeouts: FAST });
    expect(isPidAlive(theirDaemon)).toBe(false);
  });

  it('stops the whole tree: children and grandchildren', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('tree.mjs'), '2']);
    await supervisor.spawnAgent(req);
    await waitFor(async () => {
      await supervisor.sampleNow();
      return (await supervisor.getAgentStatus(req.agentId)).descendantCount === 4;
    });
    const pids = (await supervisor.getProcessTree(req.agentId)).map((p) => p.pid);
    expect(await supervisor.killAgent(req.agentId, { timeouts: FAST })).toBe(true);
    expect(pids.filter(isPidAlive)).toEqual([]);
  });

  it('force kills at once with SIGKILL', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('ignore-term.mjs')]);
    await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'ready');
    const started = performance.now();
    expect(await supervisor.killAgent(req.agentId, { force: true })).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
    const status = await supervisor.getAgentStatus(req.agentId);
    expect(status).toMatchObject({ state: 'cancelled', signal: 'SIGKILL' });
    expect(status.stopReport).toMatchObject({ forced: true, endedByStage: { term1: 0, term2: 0, kill: 1 } });
  });

  it('shares one stop between concurrent stop calls', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('sleeper.mjs')]);
    await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'up');
    const states: string[] = [];
    supervisor.on('state', (event) => states.push(event.state));
    const results = await Promise.all([supervisor.killAgent(req.agentId), supervisor.killAgent(req.agentId), supervisor.cleanup()]);
    expect(results[0]).toBe(true);
    expect(results[1]).toBe(true);
    expect(states).toEqual(['stopping', 'cancelled']);
  });

  it('applies a stop asked for while the agent is still spawning to the spawned process', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('sleeper.mjs')]);
    const spawning = supervisor.spawnAgent(req);
    const stopped = supervisor.killAgent(req.agentId, { force: true });
    const { pid } = await spawning;
    expect(await stopped).toBe(true);
    expect(isPidAlive(pid!)).toBe(false);
    expect((await supervisor.getAgentStatus(req.agentId)).state).toBe('cancelled');
  });

  it('lets a forced stop overtake a graceful one in progress', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('ignore-term.mjs')]);
    await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'ready');
    const started = performance.now();
    const graceful = supervisor.killAgent(req.agentId, { timeouts: { firstTermMs: 20_000, secondTermMs: 20_000, killMs: 5_000 } });
    await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).state === 'stopping');
    expect(await supervisor.killAgent(req.agentId, { force: true })).toBe(true);
    expect(await graceful).toBe(true); // it sees everything gone at its next look
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await supervisor.getAgentStatus(req.agentId)).toMatchObject({ state: 'cancelled', signal: 'SIGKILL' });
  });

  it('stops 30 agents concurrently, in parallel, leaving nothing behind', async () => {
    const supervisor = await useSupervisor(prefix);
    const reqs = Array.from({ length: 30 }, () => request(prefix, [NODE, fixture('sleeper.mjs')]));
    const responses = await Promise.all(reqs.map((req) => supervisor.spawnAgent(req)));
    expect(responses.every((r) => r.status === 'running')).toBe(true);
    await Promise.all(reqs.map((req) => waitForLog(supervisor, req.agentId, 'up')));
    const report = await supervisor.cleanup();
    expect(report.stopped.sort()).toEqual(reqs.map((r) => r.agentId).sort());
    expect(responses.map((r) => r.pid!).filter(isPidAlive)).toEqual([]);
    const summary = await supervisor.getProcessSummary();
    expect(summary.byState.cancelled).toBe(30);
  });

  it('answers a stop of an agent that already ended without signalling anything', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, ['true']);
    await supervisor.spawnAgent(req);
    await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).state === 'completed');
    expect(await supervisor.killAgent(req.agentId)).toBe(true);
    const status = await supervisor.getAgentStatus(req.agentId);
    expect(status.state).toBe('completed');
    expect(status.stopReport?.outcome).toBe('already-ended');
  });

  it('gives typed errors for unknown and malformed agent ids', async () => {
    const supervisor = await useSupervisor(prefix);
    await expect(supervisor.killAgent('no-such-agent')).rejects.toMatchObject({ kind: 'not-found' });
    await expect(supervisor.killAgent('../../etc')).rejects.toMatchObject({ kind: 'invalid-argument' });
    await expect(supervisor.cleanup({ agentId: 'no-such-agent' })).rejects.toMatchObject({ kind: 'not-found' });
    expect(await supervisor.checkProcessHealth('no-such-agent')).toBe(false);
  });
});
