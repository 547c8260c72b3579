/**
 * The orphan sweep with real processes: a double-forked daemon whose agent
 * ended, agents a crashed Corral forgot (state.json gone), processes of
 * another data dir (never listed), and identities that do not match (refused).
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Supervisor } from '../../../src-main/supervisor/index';
import { fixture, idPrefix, isPidAlive, NODE, request, tempDir, trackPid, useSupervisor, waitForLog } from '../../helpers/agents';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('orphans');
const FAST = { firstTermMs: 1000, secondTermMs: 300, killMs: 1000 };

/** Spawns escape.mjs and returns the agent id and the escaped child's pid (tracked for the leak check). */
async function escaping(supervisor: Supervisor, orphan: boolean): Promise<{ agentId: string; pid: number; daemon: number }> {
  const req = request(prefix, [NODE, fixture('escape.mjs'), ...(orphan ? ['--orphan'] : [])]);
  const answer = await supervisor.spawnAgent(req);
  expect(answer.status === 'running' || answer.status === 'exited').toBe(true);
  const log = await waitForLog(supervisor, req.agentId, 'escaped ');
  const daemon = Number(/escaped (\d+)/.exec(log)![1]);
  trackPid(daemon);
  trackPid(answer.pid!);
  return { agentId: req.agentId, pid: answer.pid!, daemon };
}

/** A process carrying the markers without Corral having started it (as a second Corral's agent would). */
function marked(agentId: string, statusFile: string): number {
  const child = spawn(NODE, [fixture('sleeper.mjs')], {
    env: { ...process.env, CORRAL_AGENT_ID: agentId, CORRAL_STATUS_FILE: statusFile },
    stdio: 'ignore',
    detached: true,
  });
  child.unref();
  trackPid(child.pid!);
  return child.pid!;
}

describe('orphan sweep', () => {
  it("lists a double-forked daemon whose agent ended, not a live agent's processes, and stops it with the staged stop", async () => {
    const supervisor = await useSupervisor(prefix, { stopTimeouts: FAST });
    const live = await supervisor.spawnAgent(request(prefix, [NODE, fixture('sleeper.mjs')]));
    const { agentId, daemon } = await escaping(supervisor, true);
    await waitFor(async () => (await supervisor.getAgentStatus(agentId)).state === 'completed', { what: 'the escaping agent to end' });
    expect(isPidAlive(daemon)).toBe(true);

    const orphans = await supervisor.findOrphans();
    expect(orphans.map((orphan) => ({ pid: orphan.pid, agentId: orphan.agentId }))).toEqual([{ pid: daemon, agentId }]);
    expect(orphans[0]!.command).toContain(NODE);
    expect(orphans[0]!.startTime).toMatch(/^\d+$/);
    expect(orphans.some((orphan) => orphan.pid === live.pid)).toBe(false);
    expect((await supervisor.getProcessSummary()).orphanCount).toBe(1);

    const report = await supervisor.stopOrphans([{ pid: daemon, startTime: orphans[0]!.startTime }]);
    expect(report).toEqual({ stopped: 1, alreadyEnded: 0, survivors: [], refused: [] });
    expect(isPidAlive(daemon)).toBe(false);
    expect(await supervisor.findOrphans()).toEqual([]);
    expect((await supervisor.getProcessSummary()).orphanCount).toBe(0);
    // The live agent was never touched.
    expect(isPidAlive(live.pid!)).toBe(true);
  });

  it('after a crash that lost state.json, lists every process of the forgotten agent and stops them all', async () => {
    const first = await useSupervisor(prefix);
    const dataDir = first.dataDir; // removed by the harness after both supervisors closed
    const { agentId, pid, daemon } = await escaping(first, false);
    await first.close(); // as if Corral died: agents keep running
    rmSync(path.join(dataDir, 'state.json'));

    const second = await useSupervisor(prefix, { dataDir, stopTimeouts: FAST });
    expect(await second.monitorAllAgents()).toEqual({});
    const orphans = await second.findOrphans();
    expect(orphans.map((orphan) => orphan.pid).sort((a, b) => a - b)).toEqual([pid, daemon].sort((a, b) => a - b));
    expect(new Set(orphans.map((orphan) => orphan.agentId))).toEqual(new Set([agentId]));
    const report = await second.stopOrphans(orphans.map(({ pid, startTime }) => ({ pid, startTime })));
    expect(report.stopped).toBe(2);
    expect(report.survivors).toEqual([]);
    await waitFor(() => !isPidAlive(pid) && !isPidAlive(daemon), { what: 'both to end' });
  });

  it("never lists a marked process whose status file lies under another data dir, and lists one under ours", async () => {
    const supervisor = await useSupervisor(prefix);
    const elsewhere = tempDir();
    try {
      const foreign = marked(`${prefix}-foreign`, path.join(elsewhere, 'agents', `${prefix}-foreign`, 'status.json'));
      // A sibling folder whose name starts like ours is not ours either.
      const lookalike = marked(`${prefix}-lookalike`, `${supervisor.dataDir}-x/agents/a/status.json`);
      const ours = marked(`${prefix}-ours`, path.join(supervisor.dataDir, 'agents', `${prefix}-ours`, 'status.json'));
      await waitFor(() => isPidAlive(foreign) && isPidAlive(lookalike) && isPidAlive(ours), { what: 'the marked processes' });
      const orphans = await supervisor.findOrphans();
      expect(orphans.map((orphan) => orphan.pid)).toEqual([ours]);

      // Asking to stop a foreign one by its exact identity is refused, and it lives on.
      const foreignEntry = await startTimeOf(foreign);
      const report = await supervisor.stopOrphans([{ pid: foreign, startTime: foreignEntry }, { pid: ours, startTime: orphans[0]!.startTime }], { force: true });
      expect(report.refused).toEqual([{ pid: foreign, reason: 'not-an-orphan' }]);
      expect(report.stopped).toBe(1);
      expect(isPidAlive(foreign)).toBe(true);
      expect(isPidAlive(ours)).toBe(false);
      process.kill(foreign, 'SIGKILL');
      process.kill(lookalike, 'SIGKILL');
      await waitFor(() => !isPidAlive(foreign) && !isPidAlive(lookalike), { what: 'our cleanup' });
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('refuses a recycled identity (wrong start time) and a process without the marker', async () => {
    const supervisor = await useSupervisor(prefix);
    const { agentId, daemon } = await escaping(supervisor, true);
    await waitFor(async () => (await supervisor.getAgentStatus(agentId)).state === 'completed', { what: 'the escaping agent to end' });
    const [orphan] = await supervisor.findOrphans();
    expect(orphan?.pid).toBe(daemon);

    const unmarked = spawn(NODE, [fixture('sleeper.mjs')], { stdio: 'ignore' });
    trackPid(unmarked.pid!);
    await waitFor(() => isPidAlive(unmarked.pid!), { what: 'the unmarked process' });
    const report = await supervisor.stopOrphans(
      [
        { pid: daemon, startTime: String(Number(orphan!.startTime) + 1) },
        { pid: unmarked.pid!, startTime: await startTimeOf(unmarked.pid!) },
      ],
      { force: true },
    );
    expect(report).toEqual({
      stopped: 0,
      alreadyEnded: 0,
      survivors: [],
      refused: [
        { pid: daemon, reason: 'recycled' },
        { pid: unmarked.pid!, reason: 'not-an-orphan' },
      ],
    });
    expect(isPidAlive(daemon)).toBe(true);
    expect(isPidAlive(unmarked.pid!)).toBe(true);

    // With the right identity it goes.
    expect((await supervisor.stopOrphans([{ pid: daemon, startTime: orphan!.startTime }], { force: true })).stopped).toBe(1);
    expect(isPidAlive(daemon)).toBe(false);
    unmarked.kill('SIGKILL');
    await waitFor(() => !isPidAlive(unmarked.pid!), { what: 'the unmarked process to end' });
  });
});

/** Start-time token (field 22 of /proc/<pid>/stat), read independently of the engine. */
async function startTimeOf(pid: number): Promise<string> {
  const { readFileSync } = await import('node:fs');
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}
