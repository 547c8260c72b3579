/**
 * The renderer's WebSocket client (src-renderer/transport/wire-client.ts)
 * against the real web host, with the `ws` package standing in for the
 * browser's WebSocket.
 */
import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { CALL_NAMES, WIRE_MAX_PAYLOAD_BYTES, type StatusEventView } from '../../src-preload/contract';
import { startWebHost } from '../../src-main/web/server';
import { createWireClient, FIRST_CONNECT_FAILED, type ConnectionState, type WireClient, type WireSocketHandlers } from '../../src-renderer/transport/wire-client';
import { fixture, idPrefix, NODE, waitForLog } from '../helpers/agents';
import { waitFor } from '../helpers/wait';
import { onCleanup, ownOrigin, startHarness, wsUrl, type HostHarness } from './web-harness';

const prefix = idPrefix('wire');
let counter = 0;
const agentId = () => `${prefix}-${++counter}`;

function spawnInput(id: string, command: string[]) {
  return { requestId: `${id}-req`, agentId: id, agentName: `Wire test ${id}`, agentType: 'test', command };
}

interface TestClient {
  client: WireClient;
  states: ConnectionState[];
  opens: () => number;
}

/** A wire client over `ws` with our page's Origin, as the browser would send it. */
function wireClient(harness: HostHarness, token: string = harness.host.token): TestClient {
  const states: ConnectionState[] = [];
  let opens = 0;
  const client = createWireClient({
    url: wsUrl(harness.host.port, token),
    minRetryMs: 20,
    maxRetryMs: 100,
    onStateChange: (state) => states.push(state),
    openSocket: (url: string, handlers: WireSocketHandlers) => {
      opens++;
      const ws = new WebSocket(url, { origin: ownOrigin(harness.host.port) });
      ws.on('open', () => handlers.onOpen());
      ws.on('message', (data, isBinary) => {
        if (!isBinary) handlers.onMessage(data.toString('utf8'));
      });
      ws.on('close', () => handlers.onClose());
      ws.on('error', () => {});
      return { send: (text) => ws.send(text), close: () => ws.close() };
    },
  });
  onCleanup(() => client.close());
  return { client, states, opens: () => opens };
}

describe('wire client', () => {
  it('implements every call of the contract and fans events out to subscribers', async () => {
    const harness = await startHarness(prefix);
    const { client } = wireClient(harness);
    await client.ready;
    expect(client.state()).toBe('open');
    for (const name of CALL_NAMES) expect(typeof client.api[name], name).toBe('function');
    expect(await client.api.monitorAllAgents()).toEqual({ ok: true, value: {} });
    expect(await client.api.getHostInfo()).toMatchObject({ ok: true, value: { host: 'web', canOpenFolders: false } });
    expect(await client.api.getAgent({ agentId: 'no-such-agent' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await client.api.openLogFolder({ agentId: 'no-such-agent' })).toMatchObject({ ok: false });

    const first: StatusEventView[] = [];
    const second: StatusEventView[] = [];
    const stopFirst = client.api.subscribe('status', (status) => first.push(status));
    client.api.subscribe('status', (status) => second.push(status));
    // A throwing listener does not starve the others; its error is reported.
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    onCleanup(() => reported.mockRestore());
    client.api.subscribe('status', () => {
      throw new Error('listener bug');
    });
    await waitFor(() => first.length >= 1 && second.length >= 1, { what: 'a status event for both subscribers' });
    stopFirst();
    const seen = first.length;
    await waitFor(() => second.length >= seen + 2, { what: 'two more status events' });
    expect(first.length).toBe(seen);
    expect(reported).toHaveBeenCalledWith('A Corral status listener failed:', expect.objectContaining({ message: 'listener bug' }));
  });

  it('rejects `ready` with an actionable message when the token is wrong, and does not retry', async () => {
    const harness = await startHarness(prefix);
    const { client, states, opens } = wireClient(harness, 'B'.repeat(43));
    await expect(client.ready).rejects.toThrow(FIRST_CONNECT_FAILED);
    expect(states.at(-1)).toBe('closed');
    expect(opens()).toBe(1);
    expect(await client.api.monitorAllAgents()).toMatchObject({ ok: false, error: { code: 'closed' } });
    expect(harness.connects()).toBe(0);
  });

  it('refuses a request over the payload limit locally, keeping the connection', async () => {
    const harness = await startHarness(prefix);
    const { client } = wireClient(harness);
    await client.ready;
    const id = agentId();
    const result = await client.api.spawnAgent({ ...spawnInput(id, [NODE, fixture('sleeper.mjs')]), stdin: 'x'.repeat(WIRE_MAX_PAYLOAD_BYTES) });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringContaining('too large') } });
    expect(client.state()).toBe('open');
    expect(await client.api.monitorAllAgents()).toEqual({ ok: true, value: {} });
  });

  it('ends pending calls with `closed` on a lost connection, reconnects, and re-sends the last followLogs', async () => {
    const harness = await startHarness(prefix, { engine: { stopTimeouts: { firstTermMs: 20_000, secondTermMs: 1000, killMs: 1000 } } });
    const { client, states } = wireClient(harness);
    await client.ready;

    // A call that is still running when the connection drops: a graceful stop of an agent that ignores SIGTERM.
    const stubborn = agentId();
    expect(await client.api.spawnAgent(spawnInput(stubborn, [NODE, fixture('ignore-term.mjs')]))).toMatchObject({ ok: true, value: { status: 'running' } });
    await waitForLog(harness.engine, stubborn, 'ready');
    const followed = agentId();
    expect(await client.api.followLogs({ agentIds: [followed] })).toEqual({ ok: true, value: null });
    const stopping = client.api.stopAgent({ agentId: stubborn });
    await waitFor(async () => (await harness.engine.getAgentStatus(stubborn)).state === 'stopping', { what: 'the stop to begin' });

    await harness.host.close();
    expect(await stopping).toEqual({ ok: false, error: { code: 'closed', message: 'Lost the connection to the Corral host; reconnecting…' } });
    await waitFor(() => states.includes('closed'), { what: 'the closed state' });
    // While disconnected, calls answer at once.
    expect(await client.api.monitorAllAgents()).toMatchObject({ ok: false, error: { code: 'closed' } });

    // The host comes back on the same port with the same token (the service and engine never went away).
    const again = await startWebHost({ service: harness.service, rendererDir: harness.rendererDir, port: harness.host.port, token: harness.host.token });
    onCleanup(() => again.close());
    await waitFor(() => client.state() === 'open', { what: 'the client to reconnect' });
    expect(states.slice(0, 3)).toEqual(['open', 'closed', 'connecting']);
    expect(states.at(-1)).toBe('open');

    // Log events of the followed agent arrive without calling followLogs again.
    const logs: string[] = [];
    client.api.subscribe('log', (event) => {
      if (event.agentId === followed) logs.push(Buffer.from(event.data, 'base64').toString('utf8'));
    });
    expect(await client.api.spawnAgent(spawnInput(followed, [NODE, fixture('sleeper.mjs')]))).toMatchObject({ ok: true, value: { status: 'running' } });
    await waitFor(() => logs.join('').includes(' up\n'), { what: `log events of ${followed}` });
    expect(await client.api.stopAgent({ agentId: followed })).toMatchObject({ ok: true, value: { outcome: 'stopped' } });
    expect(await client.api.stopAgent({ agentId: stubborn, force: true })).toMatchObject({ ok: true });
  });

  it('close() ends pending calls and stops reconnecting', async () => {
    const harness = await startHarness(prefix);
    const { client, states, opens } = wireClient(harness);
    await client.ready;
    client.close();
    expect(await client.api.monitorAllAgents()).toMatchObject({ ok: false, error: { code: 'closed' } });
    await waitFor(() => states.at(-1) === 'closed', { what: 'the closed state' });
    // The host sees the client go; the client never opens another socket.
    const probe = wireClient(harness);
    await probe.client.ready;
    expect(opens()).toBe(1);
  });
});
