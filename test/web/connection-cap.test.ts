/**
 * The web host serves a bounded number of connections at once: a local client
 * that opens connections without end is refused (and the refusal logged)
 * instead of exhausting the host's descriptors, and the clients already
 * connected keep working. Real host, real sockets.
 */
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MAX_CONNECTIONS } from '../../src-main/web/server';
import { idPrefix } from '../helpers/agents';
import { waitFor } from '../helpers/wait';
import { connectClient, handshake, onCleanup, startHarness } from './web-harness';

const prefix = idPrefix('webcap');

/** A raw TCP connection to the host that says nothing: one descriptor held on the host's side. */
function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
    onCleanup(() => void socket.destroy());
  });
}

/** A plain HTTP GET of the page: its status, or the error that ended it. */
function httpGet(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
  });
}

describe('web host: concurrent connections', () => {
  it(`serves at most ${MAX_CONNECTIONS} at once, logs each refusal, keeps serving the connected, and accepts again once one closes`, async () => {
    expect(MAX_CONNECTIONS).toBe(64);
    const harness = await startHarness(prefix);
    const { port } = harness.host;
    const page = await connectClient(harness);
    // Connections complete in order and the host accepts them in that order: these fill every other slot.
    const held: Socket[] = [];
    for (let i = 1; i < MAX_CONNECTIONS; i++) held.push(await openSocket(port));

    expect(await handshake(harness)).toEqual({ ok: false, status: 0 });
    await expect(httpGet(port)).rejects.toThrow(/socket hang up|ECONNRESET/);
    await waitFor(() => harness.logLines.filter((line) => line.includes(`${MAX_CONNECTIONS} connections are open, the most this host serves at once`)).length >= 2, {
      what: 'the refusals in the host log',
    });
    expect(harness.connects(), 'a refused WebSocket never reaches the service').toBe(1);
    expect(await page.call('monitorAllAgents'), 'the page already connected keeps working').toEqual({ ok: true, value: {} });

    held.pop()!.destroy();
    const again = await waitFor(
      async () => {
        const outcome = await handshake(harness);
        return outcome.ok && outcome.client;
      },
      { what: 'a WebSocket accepted once a slot is free' },
    );
    expect(await again.call('monitorAllAgents')).toEqual({ ok: true, value: {} });
    held.pop()!.destroy();
    expect(await waitFor(() => httpGet(port).catch(() => 0), { what: 'the page served once a slot is free' })).toBe(200);
  });

  it('refuses a connection limit that is not a whole number of at least 1', async () => {
    await expect(startHarness(prefix, { host: { maxConnections: 0 } })).rejects.toMatchObject({ kind: 'invalid-option' });
  });
});
