/**
 * The local socket of a data folder's host (a real `corral serve --no-web`
 * process): 0600 in a 0700 folder, the same contract and framing as the web
 * host's WebSocket, one owner per folder (a second host exits 1 naming the first), a clear error at once from a dead
 * owner's socket, a data folder whose path cannot hold a socket refused
 * with what to do, and (in this process) what it tells the agents: its socket
 * and folder, through the engine's `agentEnv` option, never this process's
 * own environment.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WIRE_PATH, type WireMessage } from '../../src-preload/contract';
import { createContractService } from '../../src-main/api/index';
import { ClientError, connect } from '../../src-main/client/index';
import { startSocketHost, type SocketHost } from '../../src-main/local/socket-host';
import { maxSocketPathBytes, socketAddressFor } from '../../src-main/local/socket-path';
import { idPrefix, isPidAlive, request, useSupervisor } from '../helpers/agents';
import { waitFor } from '../helpers/wait';
import { corral, dataFolder, spawnHost, startHost } from '../cli/cli-harness';

describe('the local socket', () => {
  it('is 0600 in a 0700 folder, speaks the web host’s framing (a bad frame is answered, calls and events flow), and has one owner', async () => {
    const dataDir = dataFolder();
    const host = await startHost(dataDir);
    expect(host.socketPath).toBe(path.join(dataDir, 'corral.sock'));
    const socket = statSync(host.socketPath);
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);

    // A raw `ws` client, as any language's WebSocket-over-Unix-socket client would be.
    const ws = new WebSocket(`ws+unix://${host.socketPath}:${WIRE_PATH}`);
    const messages: WireMessage[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as WireMessage));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send('not json');
    ws.send(JSON.stringify({ id: 7, call: 'getHostInfo' }));
    await waitFor(() => messages.some((m) => m.type === 'result' && m.id === 7) && messages.some((m) => m.type === 'result' && m.id === -1));
    expect(messages.find((m) => m.type === 'result' && m.id === -1)).toMatchObject({ result: { ok: false, error: { code: 'invalid-argument' } } });
    expect(messages.find((m) => m.type === 'result' && m.id === 7)).toMatchObject({ result: { ok: true, value: { dataDir } } });
    await waitFor(() => messages.some((m) => m.type === 'event' && m.event === 'status'), { what: 'a status event' });

    // One owner: a second host on the folder exits 1 naming the first, which keeps serving.
    const second = spawnHost(dataDir);
    expect(await second.exited).toEqual({ code: 1, signal: null });
    expect(second.stderr()).toContain(`The data folder ${dataDir} is in use by another Corral engine (pid ${host.pid}, since `);
    expect(second.stdout()).toBe('');
    ws.send(JSON.stringify({ id: 8, call: 'getProcessSummary' }));
    await waitFor(() => messages.some((m) => m.type === 'result' && m.id === 8), { what: 'an answer after the refused second host' });
    ws.terminate();
  }, 60_000);

  it('left behind by a dead owner gives a clear error at once, and the next host removes it', async () => {
    const dataDir = dataFolder();
    const host = await startHost(dataDir);
    host.child.kill('SIGKILL');
    await host.exited;
    expect(statSync(host.socketPath).isSocket()).toBe(true);

    const startedAt = Date.now();
    const error = await connect({ dataDir }).catch((caught: unknown) => caught);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ kind: 'dead-owner' });
    expect((error as Error).message).toContain(`(its host, pid ${host.pid}, is gone)`);
    const ls = await corral(['ls', '--data-dir', dataDir]);
    expect(ls.code).toBe(3);
    expect(ls.stderr).toContain('Start a new host with `corral serve`');

    const next = await startHost(dataDir);
    expect(next.socketPath).toBe(host.socketPath);
    expect((await corral(['ls', '--data-dir', dataDir])).code).toBe(0);
    expect(isPidAlive(next.pid)).toBe(true);
  }, 60_000);

  it('refuses a data folder whose path is too long for a socket, saying to use a shorter one', async () => {
    const base = dataFolder();
    const dataDir = path.join(base, 'x'.repeat(maxSocketPathBytes() - base.length));
    const address = socketAddressFor(dataDir);
    expect(address).toMatchObject({ ok: false });
    expect(await connect({ dataDir }).catch((caught: unknown) => caught)).toMatchObject({ kind: 'socket-path-too-long' });
    const host = spawnHost(dataDir);
    expect((await host.exited).code).toBe(1);
    expect(host.stderr()).toContain('too long for a local socket');
    expect(host.stderr()).toContain('Use a data folder with a shorter path (--data-dir / CORRAL_DATA_DIR)');
  }, 60_000);

  it('tells every agent its socket and data folder through the engine (over the request’s env), leaves this process’s environment alone, and stops telling once closed', async () => {
    const dataDir = dataFolder();
    const prefix = idPrefix('sockenv');
    let socketHost: SocketHost | null = null;
    const engine = await useSupervisor(prefix, { dataDir, agentEnv: () => socketHost?.agentEnv() ?? {} });
    const service = createContractService(engine, { host: 'web', version: '0.0.0-test', nodeCommand: { program: process.execPath, env: {} }, demoAgentPath: '/nonexistent' });
    const own = { socket: process.env.CORRAL_SOCKET, dataDir: process.env.CORRAL_DATA_DIR };
    socketHost = await startSocketHost({ service, dataDir });
    try {
      const told = { CORRAL_SOCKET: path.join(dataDir, 'corral.sock'), CORRAL_DATA_DIR: dataDir };
      expect(socketHost.agentEnv()).toEqual(told);
      expect({ socket: process.env.CORRAL_SOCKET, dataDir: process.env.CORRAL_DATA_DIR }).toEqual(own);
      const started = await engine.spawnAgent(request(prefix, ['sleep', '30'], { env: { CORRAL_SOCKET: '/elsewhere.sock' } }));
      const environ = readFileSync(`/proc/${started.pid}/environ`, 'latin1').split('\0');
      expect(environ).toEqual(expect.arrayContaining([`CORRAL_SOCKET=${told.CORRAL_SOCKET}`, `CORRAL_DATA_DIR=${dataDir}`]));
    } finally {
      await socketHost.close();
      service.close();
    }
    expect(socketHost.agentEnv()).toEqual({});
  }, 30_000);
});
