/**
 * apply / down against a real engine (real processes, cleaned up and checked
 * for leaks by the agents helper) through the contract, as the CLI drives it:
 * idempotence, a changed agent restarted alone, dependency conditions holding
 * the dependant back, down in reverse.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyAgentsFile, contractTarget, downAgentsFile, loadAgentsFile, type AgentsFile, type ApplyProgress, type ApplyTarget } from '../../../src-main/cli/agents-file';
import type { Supervisor } from '../../../src-main/supervisor/index';
import { NODE, fixture, idPrefix, readLog, request, tempDir, useSupervisor } from '../../helpers/agents';
import { connectTo } from './contract-connection';

const SLEEPER = [NODE, fixture('sleeper.mjs')];
const TICKER = [NODE, fixture('ticker.mjs')];

/** A project prefix per test: the leak check finds every agent the test started by it. */
async function setUp(name: string): Promise<{ supervisor: Supervisor; project: string; dir: string }> {
  const project = idPrefix(name);
  const supervisor = await useSupervisor(project);
  return { supervisor, project, dir: tempDir() };
}

async function load(dir: string, text: string, environment: Record<string, string> = {}): Promise<AgentsFile> {
  const file = path.join(dir, 'agents.yaml');
  writeFileSync(file, text);
  const result = await loadAgentsFile(file, { environment });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const argv = (command: string[]) => JSON.stringify(command);

/** What the CLI does, minus the socket: the contract target over the contract service over the engine. */
function targetFor(supervisor: Supervisor): ApplyTarget {
  return contractTarget(connectTo(supervisor));
}

async function pidOf(supervisor: Supervisor, agentId: string): Promise<number | null> {
  return (await supervisor.getAgentStatus(agentId)).pid;
}

describe('applyAgentsFile', () => {
  it('starts the agents, then changes nothing on a second apply, then restarts only a changed agent', async () => {
    const { supervisor, project, dir } = await setUp('apply-idem');
    const text = (webArg: string) => `project: ${project}\nagents:\n  db:\n    command: ${argv(SLEEPER)}\n    secret_env: [DB_TOKEN]\n  web:\n    command: ${argv([...SLEEPER, webArg])}\n    depends_on: { db: started }\n`;
    const target = targetFor(supervisor);
    const db = `${project}.db`;
    const web = `${project}.web`;

    const secrets = { DB_TOKEN: 'hunter2-secret-value' };
    const progress: ApplyProgress[] = [];
    const first = await applyAgentsFile(await load(dir, text('v1'), secrets), target, { onProgress: (event) => progress.push(event) });
    expect(first).toMatchObject({ ok: true, started: [db, web], restarted: [], left: [] });
    expect(first.plan?.waves).toEqual([[{ agentId: db, name: 'db', action: 'start', reason: 'new' }], [{ agentId: web, name: 'web', action: 'start', reason: 'new' }]]);
    expect(await supervisor.getAgentRequest(db)).toMatchObject({ secretEnv: secrets }); // the agent got it…
    expect(JSON.stringify([first, progress])).not.toContain(secrets.DB_TOKEN); // …no report or progress event carries it
    const pids = { db: await pidOf(supervisor, db), web: await pidOf(supervisor, web) };
    expect((await supervisor.getAgentStatus(web)).state).toBe('running');

    const second = await applyAgentsFile(await load(dir, text('v1'), secrets), target);
    expect(second).toMatchObject({ ok: true, started: [], restarted: [], left: [db, web] });
    expect(second.plan?.changes).toBe(0);
    expect({ db: await pidOf(supervisor, db), web: await pidOf(supervisor, web) }).toEqual(pids);

    const third = await applyAgentsFile(await load(dir, text('v2'), secrets), target);
    expect(third).toMatchObject({ ok: true, started: [], restarted: [web], left: [db] });
    expect(await pidOf(supervisor, db)).toBe(pids.db);
    const webStatus = await supervisor.getAgentStatus(web);
    expect(webStatus).toMatchObject({ state: 'running', command: [...SLEEPER, 'v2'] });
    expect(webStatus.pid).not.toBe(pids.web);
  });

  it('starts a dependant only after its dependencies printed the lines it waits for', async () => {
    const { supervisor, project, dir } = await setUp('apply-log');
    // Two log waits at once, on one connection.
    const text = (version: string) =>
      `project: ${project}\nagents:\n  server:\n    command: ${argv([...TICKER, version])}\n  side:\n    command: ${argv(TICKER)}\n  client:\n    command: ${argv([...SLEEPER, version])}\n    depends_on:\n      server: { log: "^tick 12$" }\n      side: { log: "^tick [2-9]$" }\n`;
    const [server, side, client] = ['server', 'side', 'client'].map((name) => `${project}.${name}`);
    const seen: string[] = [];
    let serverLogWhenClientStarted: string | null = null;
    const report = await applyAgentsFile(await load(dir, text('v1')), targetFor(supervisor), {
      timeoutMs: 10_000,
      onProgress: (event: ApplyProgress) => {
        if (event.type === 'started' || event.type === 'waiting') seen.push(`${event.type}:${event.agentId}`);
        if (event.type === 'started' && event.agentId === client) serverLogWhenClientStarted = readLog(path.join(supervisor.dataDir, 'agents', server!), 'stdout');
      },
    });
    expect(report).toMatchObject({ ok: true, started: [server, side, client] });
    expect(seen.indexOf(`started:${client}`)).toBe(seen.length - 1);
    // Ticks come every 100 ms from "ticker up": the client was held back for ~1.2 s, until tick 12.
    expect(serverLogWhenClientStarted).toMatch(/^tick 12$/m);

    // The changed server is restarted and the client waits for its new run's tick 12 (the end of its previous
    // run, stopped just before, does not count); side is left running and its condition holds in what it wrote.
    const again = await applyAgentsFile(await load(dir, text('v2')), targetFor(supervisor), { timeoutMs: 10_000 });
    expect(again).toMatchObject({ ok: true, left: [side], restarted: [server, client] });
    expect(readLog(path.join(supervisor.dataDir, 'agents', server!), 'stdout').match(/^tick 12$/gm)).toHaveLength(2);
  });

  it('waits for a dependency to complete, and stops with a clear error when it fails instead', async () => {
    const { supervisor, project, dir } = await setUp('apply-done');
    const text = (code: number) =>
      `project: ${project}\nagents:\n  migrate:\n    command: ${argv([NODE, fixture('exit-code.mjs'), String(code), '200'])}\n  app:\n    command: ${argv([...SLEEPER, String(code)])}\n    depends_on: { migrate: completed }\n`;
    const ok = await applyAgentsFile(await load(dir, text(0)), targetFor(supervisor));
    expect(ok).toMatchObject({ ok: true, started: [`${project}.migrate`, `${project}.app`] });
    expect((await supervisor.getAgentStatus(`${project}.migrate`)).state).toBe('completed');

    const failing = await applyAgentsFile(await load(dir, text(3)), targetFor(supervisor));
    expect(failing).toMatchObject({ ok: false, restarted: [], skipped: [`${project}.app`], error: { kind: 'dependency-failed', agentId: `${project}.app` } });
    expect(failing.error?.message).toMatch(new RegExp(`its dependency ${project}\\.migrate \\(completed\\) failed: .*exit code 3`));
    // The changed app waited for the migration, which failed: it was not restarted, the old one still runs.
    expect(await supervisor.getAgentStatus(`${project}.app`)).toMatchObject({ state: 'running', command: [...SLEEPER, '0'] });
  });

  it('gives up on a condition that does not hold in time, naming it', async () => {
    const { supervisor, project, dir } = await setUp('apply-timeout');
    const file = await load(dir, `project: ${project}\nagents:\n  quiet:\n    command: ${argv(SLEEPER)}\n  after:\n    command: ${argv(SLEEPER)}\n    depends_on: { quiet: { log: never printed } }\n`);
    const report = await applyAgentsFile(file, targetFor(supervisor), { timeoutMs: 500 });
    expect(report).toMatchObject({ ok: false, started: [`${project}.quiet`], skipped: [`${project}.after`], error: { kind: 'dependency-failed' } });
    expect(report.error?.message).toMatch(/did not meet "log \/never printed\/" within 500 ms/);
  });

  it('refuses to replace a running agent of the same id that it did not start', async () => {
    const { supervisor, project, dir } = await setUp('apply-conflict');
    await supervisor.spawnAgent({ ...request(project, SLEEPER), agentId: `${project}.db` });
    const report = await applyAgentsFile(await load(dir, `project: ${project}\nagents:\n  db:\n    command: ${argv(SLEEPER)}\n`), targetFor(supervisor));
    expect(report).toMatchObject({ ok: false, plan: null, error: { kind: 'id-conflict', agentId: `${project}.db` } });
  });
});

describe('downAgentsFile', () => {
  it('stops the agents in the reverse order of their dependencies', async () => {
    const { supervisor, project, dir } = await setUp('down');
    const file = await load(
      dir,
      `project: ${project}\nagents:\n  a:\n    command: ${argv(SLEEPER)}\n  b:\n    command: ${argv(SLEEPER)}\n    depends_on: { a: started }\n  c:\n    command: ${argv(SLEEPER)}\n    depends_on: { b: started }\n`,
    );
    const target = targetFor(supervisor);
    expect((await applyAgentsFile(file, target)).ok).toBe(true);
    const events: string[] = [];
    const report = await downAgentsFile(file, target, { onProgress: (event) => (event.type === 'stopping' || event.type === 'stopped') && events.push(`${event.type}:${event.agentId.slice(project.length + 1)}`) });
    expect(report).toMatchObject({ ok: true, stopped: [`${project}.c`, `${project}.b`, `${project}.a`] });
    expect(events).toEqual(['stopping:c', 'stopped:c', 'stopping:b', 'stopped:b', 'stopping:a', 'stopped:a']);
    for (const name of ['a', 'b', 'c']) expect((await supervisor.getAgentStatus(`${project}.${name}`)).state).toBe('cancelled');
    // Nothing left to stop: a second down is a no-op.
    expect(await downAgentsFile(file, target)).toMatchObject({ ok: true, stopped: [] });
  });
});
