/**
 * The notice gate of the contract service, over a real engine and real agent
 * processes: a kind the user turned off is neither shown by the host
 * (desktop notification) nor sent to any client, and the settings that decide
 * it are the real file in the engine's data folder.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentView, EventName, EventPayloads, NoticeView, Result, SettingsView } from '../../src-preload/contract';
import { createContractService, type ContractService, type HostAdapter } from '../../src-main/api/index';
import { idPrefix, NODE, tempDir, useSupervisor } from '../helpers/agents';
import { waitFor } from '../helpers/wait';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

async function setUp(prefix: string, dataDir?: string) {
  const engine = await useSupervisor(prefix, { sampleIntervalMs: 100, ...(dataDir === undefined ? {} : { dataDir }) });
  const notified: NoticeView[] = [];
  const host: HostAdapter = {
    host: 'web',
    version: '0.0.0-test',
    nodeCommand: { program: NODE, env: {} },
    demoAgentPath: '/nonexistent/demo-agent.mjs',
    notify: (notice) => notified.push(notice),
  };
  const service: ContractService = createContractService(engine, host);
  cleanups.push(() => service.close());
  const received: { event: EventName; payload: EventPayloads[EventName] }[] = [];
  const client = service.connect((event, payload) => received.push({ event, payload }));
  const ok = async <T>(name: string, input?: unknown): Promise<T> => {
    const result = (await client.call(name, input)) as Result<T>;
    if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`);
    return result.value;
  };
  // Only `failed` notices: a root that has exited but is not yet reaped can be sampled as a zombie for a tick (a `zombie` notice of its own).
  const failedNotices = () => received.filter((item) => item.event === 'notice').map((item) => item.payload as NoticeView).filter((notice) => notice.kind === 'failed');
  const failedNotified = () => notified.filter((notice) => notice.kind === 'failed');
  /** Waits for a status event showing the agent in `state`: every notice about that change has been sent before it. */
  const untilState = (agentId: string, state: AgentView['state']) =>
    waitFor(() => received.some((item) => item.event === 'status' && (item.payload as EventPayloads['status']).agents[agentId]?.state === state), {
      what: `${agentId} to be ${state} in a status event`,
    });
  return { engine, client, ok, notified, failedNotified, failedNotices, untilState };
}

/** An agent that exits with code 3 at once: a `failed` notice. */
function failing(prefix: string, n: number) {
  return { requestId: `${prefix}-r${n}`, agentId: `${prefix}-${n}`, agentName: `Failing ${n}`, agentType: 'test', command: [NODE, '-e', 'process.exit(3)'] };
}

describe('contract service: notice settings', () => {
  it('neither shows nor sends a kind turned off with updateSettings, and tells it again once turned back on', async () => {
    const prefix = idPrefix('notice-off');
    const { ok, failedNotified, failedNotices, untilState } = await setUp(prefix);

    const off = await ok<SettingsView>('updateSettings', { notifications: { failed: false } });
    expect(off.notifications).toMatchObject({ failed: false, stalled: true, warning: true });
    expect(await ok<SettingsView>('getSettings')).toEqual(off);

    await ok('spawnAgent', failing(prefix, 1));
    await untilState(`${prefix}-1`, 'failed');
    expect(failedNotices()).toEqual([]);
    expect(failedNotified()).toEqual([]);

    await ok('updateSettings', { notifications: { failed: true } });
    await ok('spawnAgent', failing(prefix, 2));
    await untilState(`${prefix}-2`, 'failed');
    const told = { kind: 'failed', agentId: `${prefix}-2` };
    expect(failedNotices()).toMatchObject([told]);
    expect(failedNotified()).toMatchObject([told]);
  });

  it('reads the settings file at start: a kind turned off there is off from the first tick', async () => {
    const prefix = idPrefix('notice-file');
    const dataDir = tempDir();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ version: 1, notifications: { failed: false } }), { mode: 0o600 });
    const { ok, failedNotified, failedNotices, untilState } = await setUp(prefix, dataDir);
    expect((await ok<SettingsView>('getSettings')).notifications.failed).toBe(false);
    await ok('spawnAgent', failing(prefix, 1));
    await untilState(`${prefix}-1`, 'failed');
    expect(failedNotices()).toEqual([]);
    expect(failedNotified()).toEqual([]);
  });

  it('tells the host about a corrupt settings file it set aside, as a warning', async () => {
    const prefix = idPrefix('notice-corrupt');
    const dataDir = tempDir();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    writeFileSync(path.join(dataDir, 'settings.json'), 'not json');
    const { ok, notified } = await setUp(prefix, dataDir);
    expect(notified).toMatchObject([{ kind: 'warning', agentId: null, body: expect.stringContaining('was set aside because it is not valid JSON') }]);
    expect((await ok<SettingsView>('getSettings')).notifications.warning).toBe(true);
  });

  it('refuses an unknown notice kind with invalid-argument and changes nothing', async () => {
    const { client, ok } = await setUp(idPrefix('notice-bad'));
    const before = await ok<SettingsView>('getSettings');
    expect(await client.call('updateSettings', { notifications: { failed: false, bogus: false } })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(await ok<SettingsView>('getSettings')).toEqual(before);
  });
});
