/**
 * The desktop's attach path, in plain Node (the Electron window cannot run
 * here): a real headless host (`corral serve --no-web`), the attached service
 * over its real local socket — calls, events, the calls kept local, a host
 * that dies with a call pending — and the own-or-attach decision for a free
 * folder, a live headless holder, and a stale lock left by a killed host.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentView, EventName, NoticeView, Result, StatusEventView } from '../../src-preload/contract';
import { createContractService } from '../../src-main/api/index';
import { readLockHolder } from '../../src-main/client/index';
import { openAttachedService } from '../../src-main/desktop/attached-service';
import { decideDataDirUse, openDesktopEngine, type OpenDesktopEngineOptions } from '../../src-main/desktop/open-engine';
import { createSupervisor } from '../../src-main/supervisor/index';
import { fixture, NODE } from '../helpers/agents';
import { testHost } from '../helpers/host-adapter';
import { waitFor } from '../helpers/wait';
import { agentPids, corral, dataFolder, startHost } from '../cli/cli-harness';

function spawnInput(id: string, command: string[]) {
  return { requestId: `${id}-req`, agentId: id, agentName: `Attach ${id}`, agentType: 'test', command };
}

describe('the desktop attached to a headless host', () => {
  it('serves the window through the host: calls, events, local folder opening, and a clear end when the host dies', async () => {
    const dataDir = dataFolder();
    const host = await startHost(dataDir);
    const holder = readLockHolder(dataDir)!;
    expect(holder).toMatchObject({ pid: host.pid, kind: 'engine' });

    const opened: string[] = [];
    const shown: NoticeView[] = [];
    const service = await openAttachedService({
      dataDir,
      holder,
      local: { version: '9.9.9-desktop', openFolder: async (dir) => void opened.push(dir), notify: (notice) => shown.push(notice) },
    });
    expect(service.hostLabel).toBe(`the Corral engine (pid ${host.pid})`);
    const received: { event: EventName; payload: unknown }[] = [];
    const client = service.connect((event, payload) => received.push({ event, payload }));

    const info = (await client.call('getHostInfo', undefined)) as Result<{ host: string; version: string; canOpenFolders: boolean; dataDir: string; warnings: string[] }>;
    expect(info).toMatchObject({ ok: true, value: { host: 'electron', version: '9.9.9-desktop', canOpenFolders: true, dataDir } });
    expect(info.ok && info.value.warnings[0]).toContain(`attached to the Corral engine (pid ${host.pid})`);

    const started = await client.call('spawnAgent', spawnInput('attached-1', [NODE, fixture('ignore-term.mjs')]));
    expect(started).toMatchObject({ ok: true, value: { agentId: 'attached-1', status: 'running' } });
    // The host's events reach the window.
    await waitFor(() => received.some(({ event, payload }) => event === 'status' && (payload as StatusEventView).agents['attached-1'] !== undefined), { what: 'a status event naming the agent' });
    const listed = (await client.call('monitorAllAgents', undefined)) as Result<Record<string, AgentView>>;
    expect(listed.ok && Object.keys(listed.value)).toEqual(['attached-1']);
    expect(agentPids(dataDir)).toHaveLength(1);

    // Opening the log folder is this machine's: the host names the folder, the desktop opens it.
    expect(await client.call('openLogFolder', { agentId: 'attached-1' })).toEqual({ ok: true, value: null });
    const request = (await client.call('getAgentRequest', { agentId: 'attached-1' })) as Result<{ logDir: string }>;
    expect(request.ok && request.value.logDir.startsWith(dataDir)).toBe(true);
    expect(opened).toEqual([request.ok ? request.value.logDir : '']);
    expect(await client.call('openLogFolder', { agentId: 'nobody' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await client.call('noSuchCall', undefined)).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(await client.call('getAgent', { agentId: 42 })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });

    // A stop that takes its time (the agent ignores SIGTERM), cut short by the host's death: the call settles `closed`.
    const stopping = client.call('stopAgent', { agentId: 'attached-1' });
    await waitFor(async () => {
      const agent = (await client.call('getAgent', { agentId: 'attached-1' })) as Result<AgentView>;
      return agent.ok && agent.value.state === 'stopping';
    }, { what: 'the stop to begin' });
    host.child.kill('SIGKILL');
    expect(await stopping).toMatchObject({ ok: false, error: { code: 'closed' } });
    expect(await service.lost).toContain(`the Corral engine (pid ${host.pid}) this window was attached to has stopped`);
    const lostNotices = received.filter(({ event, payload }) => event === 'notice' && (payload as NoticeView).title === 'Lost the connection to the Corral host');
    expect(lostNotices).toHaveLength(1);
    expect(shown.some((notice) => notice.title === 'Lost the connection to the Corral host')).toBe(true);
    // Nothing broken is offered afterwards: every call says the host is gone, at once.
    expect(await client.call('monitorAllAgents', undefined)).toMatchObject({ ok: false, error: { code: 'closed', message: expect.stringContaining('Restart Corral') } });
    client.close();
    service.close();
  }, 60_000);

  it('closing the window’s service leaves the host and its agents running', async () => {
    const dataDir = dataFolder();
    const host = await startHost(dataDir);
    const service = await openAttachedService({ dataDir, holder: readLockHolder(dataDir)!, local: { version: 'test' } });
    const client = service.connect(() => {});
    expect(await client.call('spawnAgent', spawnInput('attached-2', [NODE, fixture('sleeper.mjs')]))).toMatchObject({ ok: true });
    client.close();
    service.close();
    let lostToo = false;
    void service.lost.then(() => (lostToo = true));
    const ls = await corral(['ls', '--json', '--data-dir', dataDir]);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toContain('attached-2');
    expect(agentPids(dataDir)).toHaveLength(1);
    expect(lostToo).toBe(false);
    expect(host.child.exitCode).toBeNull();
  }, 60_000);
});

describe('own engine or attach', () => {
  const options = (dataDir: string, created: string[]): OpenDesktopEngineOptions => ({
    dataDir,
    createEngine: (agentEnv) => {
      created.push(dataDir);
      return createSupervisor({ dataDir, hostKind: 'desktop', sampleIntervalMs: 200, agentEnv });
    },
    createService: (engine) => createContractService(engine, testHost),
    local: { version: 'test' },
    log: () => {},
  });

  it('owns a free folder: its engine holds the lock as the desktop, and the corral command drives it over the socket', async () => {
    const dataDir = dataFolder();
    expect(decideDataDirUse(dataDir)).toEqual({ kind: 'own' });
    const created: string[] = [];
    const opened = await openDesktopEngine(options(dataDir, created));
    expect(opened.kind).toBe('own');
    if (opened.kind !== 'own') return;
    try {
      expect(readLockHolder(dataDir)).toMatchObject({ pid: process.pid, kind: 'desktop' });
      expect(statSync(opened.socketHost!.path).isSocket()).toBe(true);
      const run = await corral(['run', '--no-start', '--id', 'own-1', '--data-dir', dataDir, '--', NODE, fixture('sleeper.mjs')]);
      expect(run.code).toBe(0);
      await waitFor(async () => (await opened.engine.monitorAllAgents())['own-1'] !== undefined, { what: 'the agent in the desktop engine' });
      const [pid] = agentPids(dataDir);
      // The agent is told where the desktop listens, so its own `corral run` reaches this engine.
      expect(readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0')).toContain(`CORRAL_SOCKET=${opened.socketHost!.path}`);
    } finally {
      await opened.socketHost?.close();
      opened.service.close();
      await opened.engine.cleanup({ force: true });
      await opened.engine.close();
    }
  }, 60_000);

  it('attaches to a live headless holder without starting an engine', async () => {
    const dataDir = dataFolder();
    const host = await startHost(dataDir);
    expect(decideDataDirUse(dataDir)).toMatchObject({ kind: 'attach', holder: { pid: host.pid, kind: 'engine' } });
    const created: string[] = [];
    const opened = await openDesktopEngine(options(dataDir, created));
    expect(opened).toMatchObject({ kind: 'attached', holder: { pid: host.pid } });
    expect(created).toEqual([]);
    expect(readLockHolder(dataDir)).toMatchObject({ pid: host.pid, kind: 'engine' });
    if (opened.kind === 'attached') opened.service.close();
  }, 60_000);

  it('never attaches to another desktop: its folder is in use', async () => {
    const dataDir = dataFolder();
    const other = spawn(NODE, [fixture('sleeper.mjs')], { stdio: 'ignore' });
    try {
      writeFileSync(path.join(dataDir, 'corral.lock'), JSON.stringify({ pid: other.pid, kind: 'desktop', since: new Date().toISOString() }));
      expect(decideDataDirUse(dataDir)).toMatchObject({ kind: 'in-use', holder: { pid: other.pid, kind: 'desktop' } });
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('owns a folder whose holder was killed: the stale lock and socket are taken over', async () => {
    const dataDir = dataFolder();
    const host = await startHost(dataDir);
    host.child.kill('SIGKILL');
    await host.exited;
    expect(existsSync(host.socketPath)).toBe(true);
    expect(decideDataDirUse(dataDir)).toEqual({ kind: 'own' });
    const opened = await openDesktopEngine(options(dataDir, []));
    expect(opened.kind).toBe('own');
    if (opened.kind !== 'own') return;
    try {
      expect(readLockHolder(dataDir)).toMatchObject({ pid: process.pid, kind: 'desktop' });
      expect((await corral(['ls', '--data-dir', dataDir])).code).toBe(0);
    } finally {
      await opened.socketHost?.close();
      opened.service.close();
      await opened.engine.close();
    }
  }, 60_000);
});
