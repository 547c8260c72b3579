import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { LOG_READ_MAX_BYTES, WIRE_MAX_PAYLOAD_BYTES, type AgentView, type SpawnResultView, type StopReportView } from '../../src-preload/contract';
import { fixture, idPrefix, liveAgentProcesses, NODE } from '../helpers/agents';
import { connectClient, handshake, INDEX_HTML, startHarness, type HostHarness, type OpenOptions, type WireTestClient } from './web-harness';
import { waitFor } from '../helpers/wait';

const prefix = idPrefix('web');
let counter = 0;
const agentId = () => `${prefix}-${++counter}`;

function spawnInput(id: string, command: string[]) {
  return { requestId: `${id}-req`, agentId: id, agentName: `Web test ${id}`, agentType: 'test', command };
}

/** A plain HTTP request with full control over the target and Host header. */
function get(port: number, target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: target, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Everything a refused or invalid frame must leave untouched. */
async function engineSnapshot(harness: HostHarness) {
  return { agents: await harness.engine.monitorAllAgents(), live: liveAgentProcesses(prefix) };
}

describe('web host: WebSocket authentication', () => {
  it('connects with the right token and Origin, and a call round-trips', async () => {
    const harness = await startHarness(prefix);
    expect(harness.host.url).toBe(`http://127.0.0.1:${harness.host.port}/?token=${harness.host.token}`);
    expect(harness.host.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const client = await connectClient(harness);
    expect(await client.call('monitorAllAgents')).toEqual({ ok: true, value: {} });
    const info = await client.call('getHostInfo');
    expect(info.ok && (info.value as { host: string }).host).toBe('web');
    // The localhost spelling of our own address is our page too.
    const viaLocalhost = await handshake(harness, { origin: `http://localhost:${harness.host.port}`, hostHeader: `localhost:${harness.host.port}` });
    expect(viaLocalhost.ok).toBe(true);
  });

  it.each<[string, (port: number, token: string) => OpenOptions, number]>([
    ['a wrong token', () => ({ token: 'A'.repeat(43) }), 401],
    ['a token differing in its last character', (_port, token) => ({ token: `${token.slice(0, -1)}${token.endsWith('x') ? 'y' : 'x'}` }), 401],
    ['the token with a character more', (_port, token) => ({ token: `${token}x` }), 401],
    ['no token', () => ({ token: null }), 401],
    ['an empty token', () => ({ token: '' }), 401],
    ['a foreign Origin', () => ({ origin: 'http://evil.example' }), 403],
    ['an Origin on another port', (port) => ({ origin: `http://127.0.0.1:${port + 1}` }), 403],
    ['an https Origin', (port) => ({ origin: `https://127.0.0.1:${port}` }), 403],
    ['the literal Origin "null"', () => ({ origin: 'null' }), 403],
    ['no Origin', () => ({ origin: null }), 403],
    ['a DNS-rebinding Host', (port) => ({ hostHeader: `evil.example:${port}` }), 403],
    ['a Host on another port', (port) => ({ hostHeader: `127.0.0.1:${port + 1}` }), 403],
  ])('refuses a handshake with %s before any connection exists', async (_what, optionsFor, status) => {
    const harness = await startHarness(prefix);
    const { port, token } = harness.host;
    const options = optionsFor(port, token);
    expect(await handshake(harness, options)).toEqual({ ok: false, status });
    expect(harness.connects()).toBe(0);
    // One line says why; no line carries the token, right or wrong.
    expect(harness.logLines).toHaveLength(1);
    expect(harness.logLines[0]).toMatch(new RegExp(`^Refused a WebSocket connection \\(${status}\\)`));
    for (const line of harness.logLines) {
      expect(line).not.toContain(token);
      if (typeof options.token === 'string' && options.token !== '') expect(line).not.toContain(options.token);
    }
  });

  it('refuses a WebSocket on any other path (404)', async () => {
    const harness = await startHarness(prefix);
    const { port, token } = harness.host;
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/other?token=${token}`, { origin: `http://127.0.0.1:${port}` });
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
      ws.once('error', () => resolve(0));
    });
    ws.terminate();
    expect(status).toBe(404);
    expect(harness.connects()).toBe(0);
  });
});

describe('web host: frames', () => {
  it('closes the connection with 1009 on a frame over the payload limit, and changes nothing', async () => {
    const harness = await startHarness(prefix);
    const client = await connectClient(harness);
    const before = await engineSnapshot(harness);
    const id = agentId();
    const huge = JSON.stringify({ id: 1, call: 'spawnAgent', input: { ...spawnInput(id, [NODE, fixture('sleeper.mjs')]), prompt: 'x'.repeat(WIRE_MAX_PAYLOAD_BYTES) } });
    client.sendRaw(huge);
    expect((await client.closed).code).toBe(1009);
    expect(await engineSnapshot(harness)).toEqual(before);
    expect(await harness.engine.monitorAllAgents()).not.toHaveProperty(id);
  });

  it('answers non-calls with invalid-argument, stays open, and changes nothing', async () => {
    const harness = await startHarness(prefix);
    const client = await connectClient(harness);
    const before = await engineSnapshot(harness);
    const id = agentId();
    const valid = spawnInput(id, [NODE, fixture('sleeper.mjs')]);
    const frames: [frame: string, answeredId: number][] = [
      ['not json', -1],
      ['', -1],
      ['null', -1],
      ['[1,2,3]', -1],
      ['{"id":"7","call":"monitorAllAgents"}', -1],
      ['{"id":-3,"call":"monitorAllAgents"}', -1],
      ['{"id":1.5,"call":"monitorAllAgents"}', -1],
      ['{"call":"monitorAllAgents"}', -1],
      [JSON.stringify({ id: 10, call: 'spawnAgent', input: valid, extra: true }), 10],
      [JSON.stringify({ id: 11, call: 'x'.repeat(101) }), 11],
      [JSON.stringify({ id: 12, call: 'deleteEverything' }), 12],
      [JSON.stringify({ id: 13, call: '__proto__' }), 13],
      [JSON.stringify({ id: 14, call: 'constructor' }), 14],
      [JSON.stringify({ id: 15, call: 'toString' }), 15],
      [JSON.stringify({ id: 16, call: 'spawnAgent' }), 16],
      [JSON.stringify({ id: 17, call: 'spawnAgent', input: { ...valid, command: `${NODE} ${fixture('sleeper.mjs')}` } }), 17],
      [JSON.stringify({ id: 18, call: 'spawnAgent', input: { ...valid, shell: true } }), 18],
      [JSON.stringify({ id: 19, call: 'spawnAgent', input: { ...valid, agentId: '../escape' } }), 19],
      [JSON.stringify({ id: 20, call: 'spawnAgent', input: { ...valid, command: [NODE, 'a\0b'] } }), 20],
      [JSON.stringify({ id: 21, call: 'stopAll', input: { force: 'yes' } }), 21],
      [JSON.stringify({ id: 22, call: 'stopAgent', input: { agentId: 1 } }), 22],
      [JSON.stringify({ id: 23, call: 'readLog', input: { agentId: id, stream: 'stdout', maxBytes: 1e12 } }), 23],
    ];
    for (const [frame, answeredId] of frames) {
      client.messages.length = 0;
      client.sendRaw(frame);
      const message = await client.waitFor((m) => m.type === 'result', `answer to ${frame.slice(0, 80)}`);
      expect(message, frame.slice(0, 80)).toMatchObject({ type: 'result', id: answeredId, result: { ok: false, error: { code: 'invalid-argument' } } });
    }
    // Still connected and serving; nothing was spawned or changed.
    expect(await client.call('monitorAllAgents')).toEqual({ ok: true, value: {} });
    expect(await engineSnapshot(harness)).toEqual(before);
  });

  it('closes the connection with 1003 on a binary frame, and changes nothing', async () => {
    const harness = await startHarness(prefix);
    const client = await connectClient(harness);
    const before = await engineSnapshot(harness);
    client.sendRaw(Buffer.from(JSON.stringify({ id: 1, call: 'spawnAgent', input: spawnInput(agentId(), [NODE, fixture('sleeper.mjs')]) })), true);
    expect((await client.closed).code).toBe(1003);
    expect(await engineSnapshot(harness)).toEqual(before);
  });
});

describe('web host: a full flow over the socket', () => {
  it('spawns an agent, streams its status and log, and stops it', async () => {
    const harness = await startHarness(prefix);
    const client = await connectClient(harness);
    const id = agentId();
    expect(await client.call('followLogs', { agentIds: [id] })).toEqual({ ok: true, value: null });

    const spawned = await client.call('spawnAgent', spawnInput(id, [NODE, fixture('sleeper.mjs')]));
    expect(spawned.ok).toBe(true);
    const view = (spawned as { value: SpawnResultView }).value;
    expect(view).toMatchObject({ agentId: id, status: 'running' });

    const running = await client.event('status', (status) => status.agents[id]?.state === 'running');
    expect((running.agents[id] as AgentView).pid).toBe(view.pid);

    const log = await client.event('log', (event) => event.agentId === id && Buffer.from(event.data, 'base64').toString('utf8').includes('up'));
    expect(log).toMatchObject({ agentId: id, stream: 'stdout', offset: 0 });
    expect(Buffer.from(log.data, 'base64').toString('utf8')).toBe(`sleeper ${view.pid} up\n`);

    const stopped = await client.call('stopAgent', { agentId: id });
    expect(stopped.ok).toBe(true);
    expect((stopped as { value: StopReportView }).value).toMatchObject({ agentId: id, outcome: 'stopped' });
    await client.event('status', (status) => status.agents[id]?.state === 'cancelled');
    // The agent's goodbye arrives as the next bytes of the same stream.
    const bye = await client.event('log', (event) => event.agentId === id && event.offset > 0);
    expect(Buffer.from(bye.data, 'base64').toString('utf8')).toContain('got SIGTERM');
    expect(liveAgentProcesses(prefix)).toEqual([]);
  });

  it('stops sending events to a closed client and releases it from the service', async () => {
    const harness = await startHarness(prefix);
    const client = await connectClient(harness);
    await client.event('status');
    await client.close();
    // The host's side of the socket notices and closes its client; a new client still works.
    const again = await connectClient(harness);
    expect(await again.call('monitorAllAgents')).toEqual({ ok: true, value: {} });
    expect(harness.connects()).toBe(2);
  });

  it('close() closes every socket with 1001 and the server, and is idempotent', async () => {
    const harness = await startHarness(prefix);
    const a = await connectClient(harness);
    const b = await connectClient(harness);
    await Promise.all([harness.host.close(), harness.host.close()]);
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    await expect(get(harness.host.port, '/')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('web host: a client that stops reading', () => {
  /** An agent whose stdout.log is 1 MiB, so each readLog answer is ~1.4 MB of base64. */
  async function bigLog(harness: HostHarness, client: WireTestClient): Promise<string> {
    const id = agentId();
    const spawned = await client.call('spawnAgent', spawnInput(id, [NODE, '-e', 'process.stdout.write("x".repeat(1 << 20))']));
    expect(spawned.ok).toBe(true);
    await waitFor(async () => (await harness.engine.getAgentStatus(id)).state === 'completed', { what: `${id} to complete` });
    return id;
  }

  /** Stops reading the socket, as a frozen tab would; the host keeps writing. */
  function pauseReading(client: WireTestClient): { resume(): void } {
    // ws keeps its net.Socket private; pausing it is the only way to stop reading from a client.
    const socket = (client.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    return { resume: () => socket.resume() };
  }

  it('drops status events while the client is behind, still answers every call, and resumes events', async () => {
    const harness = await startHarness(prefix);
    const client = await connectClient(harness);
    const id = await bigLog(harness, client);
    const sleeper = agentId();
    expect((await client.call('spawnAgent', spawnInput(sleeper, [NODE, '-e', 'setTimeout(() => {}, 600_000)']))).ok).toBe(true);
    await waitFor(async () => (await harness.engine.getAgentStatus(sleeper)).state === 'running', { what: `${sleeper} to run` });
    const reading = pauseReading(client);
    // ~42 MB of answers: more than the kernel's loopback buffers plus the 4 MiB threshold, well under 64 MiB.
    const answers = Array.from({ length: 30 }, () => client.call('readLog', { agentId: id, stream: 'stdout', maxBytes: LOG_READ_MAX_BYTES }));
    // Status events are small now (only what changed): the answers alone fill the buffer, slower on a loaded machine.
    await waitFor(() => harness.logLines.some((line) => line.includes('dropping status and log events')), { what: 'the host to start dropping events', timeoutMs: 30_000 });
    // It ends while its status events are dropped; no later event changes it, so only the dropped ones' backlog can tell.
    await harness.engine.killAgent(sleeper, { force: true });
    await waitFor(async () => (await harness.engine.getAgentStatus(sleeper)).state === 'cancelled', { what: `${sleeper} to end` });
    await harness.engine.sampleNow(); // a status event the client does not read
    client.messages.length = 0;
    reading.resume();
    for (const answer of await Promise.all(answers)) expect(answer).toMatchObject({ ok: true, value: { size: 1 << 20 } });
    await client.event('status');
    // Events written before the drop began may still be on their way; the end must follow them.
    await client.event('status', (status) => status.agents[sleeper]?.state === 'cancelled');
    await waitFor(() => harness.logLines.some((line) => /caught up; \d+ status\/log events were dropped/.test(line)), { what: 'the host to report catching up' });
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  }, 90_000);

  it('disconnects a client that lets more than 64 MiB pile up, instead of buffering without bound', async () => {
    const harness = await startHarness(prefix);
    const client = await connectClient(harness);
    const id = await bigLog(harness, client);
    const reading = pauseReading(client);
    // ~110 MB of answers if they were all kept.
    const answers = Array.from({ length: 80 }, () => client.call('readLog', { agentId: id, stream: 'stdout', maxBytes: LOG_READ_MAX_BYTES }));
    await waitFor(() => harness.logLines.some((line) => line.startsWith('Disconnected a WebSocket client that stopped reading')), { what: 'the host to disconnect the client' });
    // Reading again, the client sees what arrived before the cut, then the end.
    reading.resume();
    await client.closed;
    const settled = await Promise.allSettled(answers);
    expect(settled.filter((answer) => answer.status === 'rejected').length).toBeGreaterThan(0);
    // The host serves others as before.
    const other = await connectClient(harness);
    expect(await other.call('monitorAllAgents')).toMatchObject({ ok: true });
  });
});

describe('web host: static files', () => {
  it('serves index.html at / with the security headers', async () => {
    const harness = await startHarness(prefix);
    const response = await get(harness.host.port, '/');
    expect(response.status).toBe(200);
    expect(response.body).toBe(INDEX_HTML);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cache-control']).toBe('no-store');
    const script = await get(harness.host.port, '/assets/app.js?v=1');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const head = await get(harness.host.port, '/', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it.each(['/../package.json', '/%2e%2e/package.json', '/%2E%2E/secret.txt', '/assets/../../secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%5csecret.txt', '/index.html%00.js', '//etc/passwd', '/%ff'])(
    'never serves a file outside the folder for %s',
    async (target) => {
      const harness = await startHarness(prefix);
      const response = await get(harness.host.port, target);
      expect([400, 404]).toContain(response.status);
      expect(response.body).not.toContain('not for the web');
      expect(response.body).not.toContain('"name"');
      expect(response.headers['content-security-policy']).toBeDefined();
    },
  );

  it('answers 404 for a missing file and 405 for other methods', async () => {
    const harness = await startHarness(prefix);
    expect((await get(harness.host.port, '/nope.js')).status).toBe(404);
    expect((await get(harness.host.port, '/assets')).status).toBe(404);
    const post = await get(harness.host.port, '/', {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('refuses HTTP requests whose Host is not ours (DNS rebinding) with 403', async () => {
    const harness = await startHarness(prefix);
    const response = await get(harness.host.port, '/', { host: `evil.example:${harness.host.port}` });
    expect(response.status).toBe(403);
    expect(response.body).not.toContain(INDEX_HTML);
    expect(response.headers['content-security-policy']).toBeDefined();
    expect((await get(harness.host.port, '/', { host: `localhost:${harness.host.port}` })).status).toBe(200);
  });
});

describe('web host: start-up errors', () => {
  it('refuses a port already in use with a message naming the fix', async () => {
    const harness = await startHarness(prefix);
    await expect(startHarness(prefix, { host: { port: harness.host.port } })).rejects.toMatchObject({ kind: 'port-in-use', message: expect.stringContaining('--port') });
  });

  it('refuses a missing renderer folder and a weak token', async () => {
    await expect(startHarness(prefix, { host: { rendererDir: '/nonexistent/corral-renderer' } })).rejects.toMatchObject({ kind: 'renderer-missing', message: expect.stringContaining('npm run build') });
    await expect(startHarness(prefix, { host: { token: 'short' } })).rejects.toMatchObject({ kind: 'invalid-option' });
  });
});
