/**
 * `corral/client` against a real host process: typed calls checked with the
 * contract's schemas before they are sent, events, close; the per-user
 * default data folder; and the lock file name shared with the engine.
 */
import { describe, expect, it } from 'vitest';
import { connect, defaultDataDir, resolveDataDir, LOCK_FILE_NAME as CLIENT_LOCK_NAME } from '../../src-main/client/index';
import { LOCK_FILE_NAME } from '../../src-main/supervisor/state/data-dir-lock';
import { isLive as isLiveZodFree, LIVE_STATES as ZOD_FREE_LIVE_STATES, WIRE_PATH as ZOD_FREE_WIRE_PATH } from '../../src-main/client/zod-free';
import { AGENT_STATES, isLive, LIVE_STATES, WIRE_PATH } from '../../src-preload/contract';
import { fixture, isPidAlive, NODE } from '../helpers/agents';
import { waitFor } from '../helpers/wait';
import { dataFolder, startHost } from '../cli/cli-harness';

describe('corral/client', () => {
  it('calls the contract with typed, checked inputs, receives events, and closes', async () => {
    const dataDir = dataFolder();
    await startHost(dataDir);
    const corral = await connect({ dataDir });
    const statuses: string[] = [];
    const stopWatching = corral.subscribe('status', (status) => {
      const worker = status.agents['l2-worker'];
      if (worker !== undefined) statuses.push(worker.state);
    });

    // Refused before sending: the contract's own message.
    const bad = await corral.call('spawnAgent', { requestId: 'r', agentId: '../escape', agentName: 'x', agentType: 't', command: ['true'] });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(!bad.ok && bad.error.message).toContain('agentId must be 1–64 letters');

    const spawned = await corral.call('spawnAgent', {
      requestId: 'coordinator-1',
      agentId: 'l2-worker',
      agentName: 'L2 worker',
      agentType: 'worker',
      parentAgentId: 'coordinator',
      loadPercentage: 40,
      command: [NODE, fixture('sleeper.mjs')],
    });
    expect(spawned).toMatchObject({ ok: true, value: { agentId: 'l2-worker', status: 'running' } });
    const pid = spawned.ok ? spawned.value.pid! : 0;
    await waitFor(() => statuses.includes('running'), { what: 'a status event with the worker running' });
    const agent = await corral.call('getAgent', { agentId: 'l2-worker' });
    expect(agent).toMatchObject({ ok: true, value: { parentAgentId: 'coordinator', health: 'healthy' } });

    // Frames of every length class both ways (here > 64 KiB: 64-bit lengths): a long prompt out, a long log back.
    const big = await corral.call('spawnAgent', {
      requestId: 'big-1',
      agentId: 'big-output',
      agentName: 'Big output',
      agentType: 'test',
      prompt: 'p'.repeat(200_000),
      command: ['sh', '-c', 'head -c 300000 /dev/zero | tr "\\0" x'],
    });
    expect(big).toMatchObject({ ok: true });
    const log = await waitFor(async () => {
      const slice = await corral.call('readLog', { agentId: 'big-output', stream: 'stdout', maxBytes: 1024 * 1024 });
      return slice.ok && slice.value.size === 300_000 ? slice.value : null;
    }, { what: 'the 300 kB log' });
    expect(Buffer.from(log.data, 'base64').toString()).toBe('x'.repeat(300_000));
    expect(await corral.call('getAgentRequest', { agentId: 'big-output' })).toMatchObject({ ok: true, value: { prompt: 'p'.repeat(200_000) } });

    expect(await corral.call('stopAgent', { agentId: 'l2-worker' })).toMatchObject({ ok: true, value: { outcome: 'stopped' } });
    expect(isPidAlive(pid)).toBe(false);
    stopWatching();
    await corral.close();
    expect(await corral.call('getHostInfo')).toMatchObject({ ok: false, error: { code: 'closed' } });
  }, 60_000);

  it('finds the per-user default data folder the platform’s way, and honours --data-dir, CORRAL_DATA_DIR and CORRAL_SOCKET in that order', () => {
    const home = '/home/u';
    expect(defaultDataDir({ platform: 'linux', env: {}, home })).toBe('/home/u/.local/state/corral');
    expect(defaultDataDir({ platform: 'linux', env: { XDG_STATE_HOME: '/xdg/state' }, home })).toBe('/xdg/state/corral');
    expect(defaultDataDir({ platform: 'linux', env: { XDG_STATE_HOME: 'relative' }, home })).toBe('/home/u/.local/state/corral');
    expect(defaultDataDir({ platform: 'darwin', env: {}, home: '/Users/u' })).toBe('/Users/u/Library/Application Support/Corral/data');
    expect(defaultDataDir({ platform: 'win32', env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, home: 'C:\\Users\\u' })).toBe('C:\\Users\\u\\AppData\\Roaming\\Corral\\data');
    const env = { CORRAL_DATA_DIR: '/from/env', CORRAL_SOCKET: '/from/socket/corral.sock' };
    expect(resolveDataDir('/from/flag', { platform: 'linux', env, home })).toBe('/from/flag');
    expect(resolveDataDir(undefined, { platform: 'linux', env, home })).toBe('/from/env');
    expect(resolveDataDir(undefined, { platform: 'linux', env: { CORRAL_SOCKET: env.CORRAL_SOCKET }, home })).toBe('/from/socket');
    expect(resolveDataDir(undefined, { platform: 'linux', env: {}, home })).toBe('/home/u/.local/state/corral');
  });

  it('keeps its zod-free copies of contract values equal to the contract’s', () => {
    expect(CLIENT_LOCK_NAME).toBe(LOCK_FILE_NAME);
    expect(ZOD_FREE_WIRE_PATH).toBe(WIRE_PATH);
    expect([...ZOD_FREE_LIVE_STATES].sort()).toEqual([...LIVE_STATES].sort());
    for (const state of AGENT_STATES) expect(isLiveZodFree(state), state).toBe(isLive(state));
  });
});
