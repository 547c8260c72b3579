/**
 * Prometheus metrics (`npm run serve -- --metrics-port N`, src-main/web/metrics.ts):
 * serve.ts as a real child, a real agent started over the WebSocket contract,
 * `/metrics` scraped over real HTTP and parsed strictly; the Host allow-list,
 * the methods and paths it refuses, and the loopback-only socket. Then the
 * server on its own over a real engine: a closed engine, a taken port, close().
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AGENT_STATES, type AgentView, type HostInfoView, type Result, type SpawnResultView } from '../../src-preload/contract';
import { METRICS_CONTENT_TYPE, startMetricsServer } from '../../src-main/web/metrics';
import { fixture, idPrefix, isPidAlive, NODE, tempDir, trackPid, useSupervisor } from '../helpers/agents';
import { waitFor } from '../helpers/wait';
import { connectServe, spawnServe } from './serve-process';
import { onCleanup } from './web-harness';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const isRendererBuilt = existsSync(path.join(REPO, 'out', 'renderer', 'index.html'));

// ── A strict reader of the text exposition format ────────────────────────────

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = String.raw`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"`;
const SAMPLE_LINE = new RegExp(String.raw`^(${NAME})(?:\{((?:${LABEL})(?:,${LABEL})*)\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$`);

/** Parses exposition text, failing on any line that is not a HELP, a TYPE or a well-formed sample of a declared family. */
function parseExposition(text: string): Sample[] {
  expect(text.endsWith('\n'), 'the text ends with a line feed').toBe(true);
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    const help = line.match(new RegExp(`^# HELP (${NAME}) (.+)$`));
    if (help) continue;
    const type = line.match(new RegExp(`^# TYPE (${NAME}) (gauge|counter)$`));
    if (type) {
      expect(types.has(type[1]!), `one TYPE line for ${type[1]}`).toBe(false);
      types.set(type[1]!, type[2]!);
      continue;
    }
    const sample = line.match(SAMPLE_LINE);
    if (!sample) throw new Error(`not a valid exposition line: ${JSON.stringify(line)}`);
    expect(types.has(sample[1]!), `${sample[1]} has a TYPE line before its samples`).toBe(true);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (sample[2] ?? '').matchAll(new RegExp(LABEL, 'g'))) {
      labels[key!] = raw!.replace(/\\(["\\n])/g, (_all, escaped: string) => (escaped === 'n' ? '\n' : escaped));
    }
    samples.push({ name: sample[1]!, labels, value: Number(sample[sample.length - 1]) });
  }
  return samples;
}

function series(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = series(samples, name, labels);
  expect(found.length, `${name} ${JSON.stringify(labels)} appears at most once`).toBeLessThanOrEqual(1);
  return found[0]?.value;
}

// ── Plain HTTP, with any Host header and method ──────────────────────────────

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function httpRequest(port: number, { method = 'GET', path: target = '/metrics', host = `127.0.0.1:${port}`, address = '127.0.0.1' } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, method, path: target, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function scrape(port: number): Promise<Sample[]> {
  const reply = await httpRequest(port);
  expect(reply.status, reply.body).toBe(200);
  expect(reply.headers['content-type']).toBe(METRICS_CONTENT_TYPE);
  return parseExposition(reply.body);
}

/** Whether a TCP connection to address:port is accepted. */
function connects(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Local addresses of listening TCP sockets on `port`, from the kernel's table (Linux). */
function listenersOn(port: number): string[] {
  const rows = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1);
  const listening = rows.map((row) => row.trim().split(/\s+/)).filter((cols) => cols[3] === '0A' && parseInt(cols[1]!.split(':')[1]!, 16) === port);
  return listening.map((cols) => {
    const hex = cols[1]!.split(':')[0]!;
    return [3, 2, 1, 0].map((byte) => parseInt(hex.slice(byte * 2, byte * 2 + 2), 16)).join('.');
  });
}

// ── The tests ────────────────────────────────────────────────────────────────

describe('npm run serve -- --metrics-port', () => {
  it.skipIf(!isRendererBuilt)(
    "serves a live agent's figures, state, restarts and runs on 127.0.0.1 only, refuses foreign Hosts, other methods and paths, and stops with the host",
    async () => {
      const prefix = idPrefix('metrics');
      const dataDir = tempDir();
      onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
      const served = spawnServe(['--port', '0', '--data-dir', dataDir, '--sample-ms', '100', '--metrics-port', '0']);
      const lines = await waitFor(
        () => served.stdout().match(/^Corral web host: http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43})\nCorral metrics: (http:\/\/127\.0\.0\.1:(\d+)\/metrics)\n$/),
        { timeoutMs: 20_000, what: 'the two URL lines' },
      ).catch((error: Error) => {
        throw new Error(`${error.message}; stdout: ${served.stdout()}; stderr: ${served.stderr()}`);
      });
      const port = Number(lines[1]);
      const metricsUrl = lines[3]!;
      const metricsPort = Number(lines[4]);
      expect(metricsPort).not.toBe(port);

      const client = await connectServe({ port, token: lines[2]! });
      expect(await client.call('getHostInfo')).toMatchObject({ ok: true, value: { metricsUrl } satisfies Partial<HostInfoView> });

      // Before any agent: the totals, every state at 0, and no per-agent series.
      const empty = await scrape(metricsPort);
      expect(AGENT_STATES.map((state) => valueOf(empty, 'corral_agents', { state }))).toEqual(AGENT_STATES.map(() => 0));
      expect(valueOf(empty, 'corral_orphans')).toBe(0);
      expect(empty.filter((sample) => sample.name.startsWith('corral_agent_'))).toEqual([]);

      // A name that needs every escape the format has.
      const agentId = `${prefix}-1`;
      const agentName = 'Scraped "quoted" back\\slash\nsecond line';
      const spawned = (await client.call('spawnAgent', { requestId: `${agentId}-req`, agentId, agentName, agentType: 'test', command: [NODE, fixture('sleeper.mjs')] })) as Result<SpawnResultView>;
      expect(spawned).toMatchObject({ ok: true, value: { status: 'running' } });
      const pid = (spawned as { ok: true; value: SpawnResultView }).value.pid!;
      trackPid(pid);

      const agent = { agent_id: agentId, agent_name: agentName };
      const live = await waitFor(
        async () => {
          const samples = await scrape(metricsPort);
          // CPU needs two samples (a rate); until then its series is absent, never 0.
          const isSampled = valueOf(samples, 'corral_agent_cpu_percent', agent) !== undefined && (valueOf(samples, 'corral_agent_memory_bytes', agent) ?? 0) > 0;
          return isSampled && valueOf(samples, 'corral_agent_state', { ...agent, state: 'running' }) === 1 ? samples : null;
        },
        { what: "the agent's sampled series" },
      );
      const view = (await client.call('getAgent', { agentId })) as { ok: true; value: AgentView };
      expect(valueOf(live, 'corral_agent_up', agent)).toBe(1);
      for (const state of AGENT_STATES) expect(valueOf(live, 'corral_agent_state', { ...agent, state }), state).toBe(state === 'running' ? 1 : 0);
      expect(valueOf(live, 'corral_agent_restarts', agent)).toBe(0);
      expect(valueOf(live, 'corral_agent_runs_total', agent)).toBe(1);
      expect(valueOf(live, 'corral_agent_threads', agent)).toBeGreaterThanOrEqual(1);
      expect(valueOf(live, 'corral_agent_cpu_percent', agent)).toBeGreaterThanOrEqual(0);
      // A node process: tens of MB resident, as the contract reports it (a tick apart, so not to the byte).
      const memoryBytes = valueOf(live, 'corral_agent_memory_bytes', agent)!;
      expect(Number.isInteger(memoryBytes)).toBe(true);
      expect(memoryBytes).toBeGreaterThan(5 * 1024 * 1024);
      expect(memoryBytes / (view.value.treeMemoryMb! * 1024 * 1024)).toBeGreaterThan(0.5);
      expect(memoryBytes / (view.value.treeMemoryMb! * 1024 * 1024)).toBeLessThan(2);
      expect(valueOf(live, 'corral_agents', { state: 'running' })).toBe(1);
      expect(valueOf(live, 'corral_orphans')).toBe(0);

      // DNS rebinding: another name for 127.0.0.1 is refused; our own names are served.
      expect((await httpRequest(metricsPort, { host: `evil.example:${metricsPort}` })).status).toBe(403);
      expect((await httpRequest(metricsPort, { host: `127.0.0.1:${port}` })).status).toBe(403);
      expect((await httpRequest(metricsPort, { host: `localhost:${metricsPort}` })).status).toBe(200);
      // Read-only, one path.
      for (const method of ['POST', 'PUT', 'DELETE', 'HEAD']) {
        const reply = await httpRequest(metricsPort, { method });
        expect(reply.status, method).toBe(405);
        expect(reply.headers.allow).toBe('GET');
      }
      for (const target of ['/', '/metrics/', '/metrics.txt', '/index.html', `/corral-ws`]) expect((await httpRequest(metricsPort, { path: target })).status, target).toBe(404);
      expect((await httpRequest(metricsPort, { path: '/metrics?name[]=corral_agents' })).status).toBe(200);

      // Bound to 127.0.0.1 alone: the kernel lists that one address, and another loopback address is refused.
      if (process.platform === 'linux') expect(listenersOn(metricsPort)).toEqual(['127.0.0.1']);
      expect(await connects('127.0.0.2', metricsPort)).toBe(false);

      // Stopped: no longer up, and in its new state.
      expect(await client.call('stopAgent', { agentId })).toMatchObject({ ok: true, value: { outcome: 'stopped' } });
      await waitFor(() => !isPidAlive(pid), { what: 'the agent to end' });
      const ended = await scrape(metricsPort);
      expect(valueOf(ended, 'corral_agent_up', agent)).toBe(0);
      expect(valueOf(ended, 'corral_agent_state', { ...agent, state: 'cancelled' })).toBe(1);
      expect(valueOf(ended, 'corral_agents', { state: 'cancelled' })).toBe(1);

      served.child.kill('SIGTERM');
      expect(await served.exited, served.stderr()).toEqual({ code: 0, signal: null });
      expect(await connects('127.0.0.1', metricsPort)).toBe(false);
    },
  );

  it('refuses a bad --metrics-port with the usage and exit code 2', async () => {
    const started = spawnServe(['--metrics-port', '70000']);
    expect(await started.exited).toEqual({ code: 2, signal: null });
    expect(started.stderr()).toContain('--metrics-port must be a whole number from 0 to 65535');
    expect(started.stderr()).toContain('[--metrics-port N]');
    expect(started.stdout()).toBe('');
  });
});

describe('metrics server', () => {
  it('answers 503 when the engine cannot be read, and close() stops listening', async () => {
    const engine = await useSupervisor(idPrefix('metrics-closed'), { sampleIntervalMs: 100 });
    const lines: string[] = [];
    const server = await startMetricsServer({ source: engine, port: 0, log: (line) => lines.push(line) });
    onCleanup(() => server.close());
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    expect((await httpRequest(server.port)).status).toBe(200);
    await engine.close();
    const reply = await httpRequest(server.port);
    expect(reply.status).toBe(503);
    expect(reply.body).toContain('closed');
    expect(lines.some((line) => line.includes('503'))).toBe(true);
    await server.close();
    expect(await connects('127.0.0.1', server.port)).toBe(false);
  });

  it('says which flag to change when the port is taken', async () => {
    const engine = await useSupervisor(idPrefix('metrics-taken'), { sampleIntervalMs: 100 });
    const first = await startMetricsServer({ source: engine, port: 0 });
    onCleanup(() => first.close());
    await expect(startMetricsServer({ source: engine, port: first.port })).rejects.toMatchObject({ kind: 'port-in-use', message: expect.stringContaining('--metrics-port') });
  });
});
