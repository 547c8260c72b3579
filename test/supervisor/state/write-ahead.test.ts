/**
 * Write-ahead spawns: a host killed at any moment of a burst re-adopts every
 * agent it started on its next start (none is an orphan of its own data
 * folder), and a record saved as `spawning` before its pid or start time is
 * resolved by the marker its process carries. Real hosts, real processes,
 * checked against /proc.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Supervisor } from '../../../src-main/supervisor/index';
import { fixture, idPrefix, isPidAlive, liveAgentProcesses, NODE, request, tempDir, trackPid, useSupervisor, waitForLog } from '../../helpers/agents';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('writeahead');
const BURST = 50;
/** Agents of the burst the test waits to see in /proc before it kills the host: partway through. */
const KILL_AFTER_PROCESSES = 20;

function stateFile(dataDir: string): string {
  return path.join(dataDir, 'state.json');
}

/** What is on disk about one agent: its spawn journal entry (`journal/<id>.<write number>.json`) when there is one, else its record in state.json. */
function onDisk(dataDir: string, agentId: string): Record<string, unknown> | undefined {
  const journal = path.join(dataDir, 'journal');
  const entries = readdirSync(journal).filter((name) => name.startsWith(`${agentId}.`) && /^\d+\.json$/.test(name.slice(agentId.length + 1)));
  const newest = entries.sort((a, b) => parseInt(b.slice(agentId.length + 1)) - parseInt(a.slice(agentId.length + 1)))[0];
  for (const file of [...(newest ? [path.join(journal, newest)] : []), stateFile(dataDir)]) {
    if (existsSync(file)) {
      const record = (JSON.parse(readFileSync(file, 'utf8')) as { agents: Record<string, Record<string, unknown>> }).agents[agentId];
      if (record) return record;
    }
  }
  return undefined;
}

/** Rewrites one saved record as a crash between the write-ahead and the pid write would have left it. */
function cutShort(dataDir: string, agentId: string, keep: { pid: boolean }): void {
  const state = JSON.parse(readFileSync(stateFile(dataDir), 'utf8')) as { agents: Record<string, Record<string, unknown>> };
  const record = state.agents[agentId]!;
  record['state'] = 'spawning';
  record['startTime'] = null;
  if (!keep.pid) record['pid'] = null;
  record['startedAt'] = null;
  record['notes'] = [];
  const runs = record['runs'] as { pid: number | null }[];
  if (!keep.pid) runs.at(-1)!.pid = null;
  writeFileSync(stateFile(dataDir), JSON.stringify(state));
}

/** Stops every agent of this test through the supervisor, then proves with /proc that none is left. */
async function stopAll(supervisor: Supervisor, agentPrefix: string): Promise<void> {
  await supervisor.cleanup({ force: true });
  await waitFor(() => liveAgentProcesses(agentPrefix).length === 0, { what: `no live process of ${agentPrefix}` });
}

describe('a host killed in the middle of a burst of spawns', () => {
  it(`re-adopts every agent it started: each live process is a record, none an orphan (${BURST} spawns, SIGKILL once ${KILL_AFTER_PROCESSES} run)`, async () => {
    const dataDir = tempDir();
    const burst = `${prefix}-burst`;
    const host = spawn(NODE, ['--import', 'tsx', fixture('spawn-burst-host.ts'), dataDir, burst, String(BURST)], { stdio: ['ignore', 'pipe', 'pipe'] });
    trackPid(host.pid!);
    let stdout = '';
    let stderr = '';
    host.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    host.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => host.once('exit', (_code, signal) => resolve(signal)));
    const answered = () => stdout.split('\n').filter((line) => line.startsWith('answered ')).length;
    try {
      await waitFor(() => stdout.includes('ready\n'), { timeoutMs: 30_000, what: `the host to be ready (stderr: ${stderr})` });
      // Partway: some of the burst's processes exist, the others not yet.
      await waitFor(() => liveAgentProcesses(burst).length >= KILL_AFTER_PROCESSES, { timeoutMs: 60_000, intervalMs: 1, what: `${KILL_AFTER_PROCESSES} agents of the burst` });
      process.kill(host.pid!, 'SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect(answered(), 'answers before the kill').toBeLessThan(BURST);

      // Processes of the killed host may still be starting: wait until their number stops changing.
      let before = -1;
      const live = await waitFor(
        async () => {
          const now = liveAgentProcesses(burst);
          const settled = now.length === before;
          before = now.length;
          await new Promise((resolve) => setTimeout(resolve, 200));
          return settled && now;
        },
        { timeoutMs: 30_000, what: 'the killed host’s agents to settle' },
      );
      expect(live.length, 'agents started before the kill').toBeGreaterThanOrEqual(KILL_AFTER_PROCESSES);

      const supervisor = await useSupervisor(burst, { dataDir });
      const statuses = await supervisor.monitorAllAgents();
      for (const { pid, agentId } of live) {
        expect(statuses[agentId], `a record for ${agentId} (pid ${pid})`).toMatchObject({ state: 'running', pid, adopted: true });
      }
      expect(await supervisor.findOrphans(), 'orphans of our own data folder').toEqual([]);
      // A record with no live process ended with a reason, never left `spawning`.
      const livePids = new Set(live.map((entry) => entry.pid));
      for (const status of Object.values(statuses)) {
        if (status.pid !== null && livePids.has(status.pid)) continue;
        expect(status.state, `${status.agentId} has no live process`).toMatch(/^(lost|failed)$/);
        expect(status.notes.join('\n')).toMatch(/Corral stopped while starting it|Exited while Corral was not running/);
      }
      await stopAll(supervisor, burst);
      for (const { pid } of live) expect(isPidAlive(pid), `pid ${pid} after the stop`).toBe(false);
    } finally {
      if (host.exitCode === null && host.signalCode === null) host.kill('SIGKILL');
      for (const { pid } of liveAgentProcesses(burst)) process.kill(pid, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a record saved as spawning, before its pid or start time', () => {
  it('is resolved by its marker: the live root carrying its id is adopted, its children stay its tree, nothing is an orphan', async () => {
    const dataDir = tempDir();
    const first = await useSupervisor(prefix, { dataDir });
    const req = request(prefix, [NODE, fixture('tree.mjs'), '2']);
    const rootPid = (await first.spawnAgent(req)).pid!;
    await waitFor(async () => (await first.getProcessTree(req.agentId)).length >= 5, { what: 'the tree to be up' });
    await first.close();
    cutShort(dataDir, req.agentId, { pid: false });

    const second = await useSupervisor(prefix, { dataDir });
    const status = await second.getAgentStatus(req.agentId);
    expect(status).toMatchObject({ state: 'running', pid: rootPid, adopted: true, processAlive: true });
    expect(status.descendantCount).toBeGreaterThanOrEqual(4);
    expect((await second.getRunHistory(req.agentId)).at(-1)?.pid).toBe(rootPid);
    expect(await second.findOrphans()).toEqual([]);
    await stopAll(second, req.agentId);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('with its pid but not its start time: adopted once the marker confirms it', async () => {
    const dataDir = tempDir();
    const first = await useSupervisor(prefix, { dataDir });
    const req = request(prefix, [NODE, fixture('sleeper.mjs')]);
    const pid = (await first.spawnAgent(req)).pid!;
    await waitForLog(first, req.agentId, 'up');
    await first.close();
    cutShort(dataDir, req.agentId, { pid: true });

    const second = await useSupervisor(prefix, { dataDir });
    expect(await second.getAgentStatus(req.agentId)).toMatchObject({ state: 'running', pid, adopted: true });
    expect(await second.findOrphans()).toEqual([]);
    await stopAll(second, req.agentId);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends lost with a note saying so when no process carries its id', async () => {
    const dataDir = tempDir();
    const first = await useSupervisor(prefix, { dataDir });
    const req = request(prefix, [NODE, fixture('sleeper.mjs')]);
    const pid = (await first.spawnAgent(req)).pid!;
    await first.close();
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isPidAlive(pid));
    cutShort(dataDir, req.agentId, { pid: false });

    const second = await useSupervisor(prefix, { dataDir });
    const status = await second.getAgentStatus(req.agentId);
    expect(status).toMatchObject({ state: 'lost', pid: null, processAlive: false });
    expect(status.notes.join('\n')).toMatch(/Corral stopped while starting it, and no process of it was found/);
    rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('the write-ahead record', () => {
  it('is on disk as spawning when the process starts, and with pid and start time before the running answer', async () => {
    const dataDir = tempDir();
    // The coalesced writes are a minute away: only the write-ahead ones can put anything on disk.
    const supervisor = await useSupervisor(prefix, { dataDir, stateFlushMs: 60_000 });
    const req = request(prefix, [NODE, fixture('read-state.mjs')]);
    const answer = await supervisor.spawnAgent(req);
    const saved = onDisk(dataDir, req.agentId);
    if (answer.status === 'running') {
      expect(saved).toMatchObject({ pid: answer.pid });
      expect(saved?.startTime).toEqual(expect.any(String));
    }
    const seen = JSON.parse((await waitForLog(supervisor, req.agentId, '}')).trim()) as { state: string | null };
    expect(seen.state, 'its own record, as the agent read it when it started').toBe('spawning');
    rmSync(dataDir, { recursive: true, force: true });
  });
});
