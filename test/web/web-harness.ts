/**
 * Web host test harness: a real engine (useSupervisor), the real contract
 * service, and the web host on a free port over a temp renderer folder; plus a
 * `ws` client that speaks the wire protocol. Everything is closed after each
 * test; the engine's agents are force-cleaned and leak-checked by useSupervisor.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import { TOKEN_PARAM, WIRE_PATH, type EventName, type EventPayloads, type Result, type WireMessage } from '../../src-preload/contract';
import { createContractService } from '../../src-main/api/index';
import type { ContractService } from '../../src-main/api/service';
import type { Supervisor, SupervisorOptions } from '../../src-main/supervisor/index';
import { startWebHost, type WebHost, type WebHostOptions } from '../../src-main/web/server';
import { tempDir, useSupervisor } from '../helpers/agents';

export const INDEX_HTML = '<!doctype html><title>Corral test page</title>\n';

export interface HostHarness {
  engine: Supervisor;
  service: ContractService;
  host: WebHost;
  rendererDir: string;
  /** Every line the host logged. */
  logLines: string[];
  /** How many times the host connected a client to the service. */
  connects: () => number;
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Registers something to undo after the test (run in reverse order). */
export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

export function makeRendererDir(): string {
  const dir = tempDir();
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const rendererDir = path.join(dir, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), INDEX_HTML);
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log("hi");\n');
  // A file beside the served folder: must never be reachable.
  writeFileSync(path.join(dir, 'secret.txt'), 'not for the web\n');
  return rendererDir;
}

export async function startHarness(prefix: string, options: { engine?: Partial<SupervisorOptions>; host?: Partial<WebHostOptions> } = {}): Promise<HostHarness> {
  const engine = await useSupervisor(prefix, { sampleIntervalMs: 100, ...options.engine });
  const real = createContractService(engine, { host: 'web', version: '0.0.0-test', nodeCommand: { program: process.execPath, env: {} }, demoAgentPath: '/nonexistent/demo-agent.mjs' });
  let connectCount = 0;
  // Counts connections; every call still goes to the real service.
  const service: ContractService = {
    connect(sink) {
      connectCount++;
      return real.connect(sink);
    },
    close: () => real.close(),
  };
  onCleanup(() => real.close());
  const rendererDir = options.host?.rendererDir ?? makeRendererDir();
  const logLines: string[] = [];
  const host = await startWebHost({ service, rendererDir, log: (line) => logLines.push(line), ...options.host });
  onCleanup(() => host.close());
  return { engine, service, host, rendererDir, logLines, connects: () => connectCount };
}

export function wsUrl(port: number, token: string | null): string {
  const query = token === null ? '' : `?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
  return `ws://127.0.0.1:${port}${WIRE_PATH}${query}`;
}

export function ownOrigin(port: number): string {
  return `http://127.0.0.1:${port}`;
}

export interface OpenOptions {
  token?: string | null;
  origin?: string | null;
  hostHeader?: string;
}

/** Outcome of a handshake: a connected client, or the HTTP status that refused it. */
export type Handshake = { ok: true; client: WireTestClient } | { ok: false; status: number };

export async function handshake(harness: HostHarness, options: OpenOptions = {}): Promise<Handshake> {
  const { port, token } = harness.host;
  const presented = options.token === undefined ? token : options.token;
  const origin = options.origin === undefined ? ownOrigin(port) : options.origin;
  const ws = new WebSocket(wsUrl(port, presented), {
    ...(origin === null ? {} : { origin }),
    ...(options.hostHeader === undefined ? {} : { headers: { host: options.hostHeader } }),
  });
  const outcome = await new Promise<Handshake>((resolve) => {
    ws.once('open', () => resolve({ ok: true, client: new WireTestClient(ws) }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ ok: false, status: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.once('error', () => resolve({ ok: false, status: 0 }));
  });
  if (outcome.ok) onCleanup(() => outcome.client.close());
  return outcome;
}

export async function connectClient(harness: HostHarness): Promise<WireTestClient> {
  const outcome = await handshake(harness);
  if (!outcome.ok) throw new Error(`handshake refused with ${outcome.status}`);
  return outcome.client;
}

/** A raw wire client: send frames, await results by id, await events. */
export class WireTestClient {
  readonly messages: WireMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private nextId = 1;
  private readonly waiters = new Set<() => void>();
  private isClosed = false;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.messages.push(JSON.parse(data.toString('utf8')) as WireMessage);
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        this.isClosed = true;
        for (const wake of this.waiters) wake();
        resolve({ code, reason: reason.toString('utf8') });
      }),
    );
    ws.on('error', () => {});
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Sends a call and resolves with its result. */
  async call(call: string, input?: unknown): Promise<Result<unknown>> {
    const id = this.nextId++;
    this.sendRaw(JSON.stringify({ id, call, input }));
    return this.result(id);
  }

  /** A call's answer. The deadline only turns a hang into a failure before the test's own 30 s: a loaded machine may need most of it for ~40 MB of answers. */
  result(id: number, timeoutMs = 25_000): Promise<Result<unknown>> {
    return this.waitFor((m) => m.type === 'result' && m.id === id, `result ${id}`, timeoutMs).then((m) => (m as Extract<WireMessage, { type: 'result' }>).result);
  }

  /** The first event (already received or still to come) matching `predicate`. */
  event<E extends EventName>(event: E, predicate: (payload: EventPayloads[E]) => boolean = () => true, timeoutMs = 10_000): Promise<EventPayloads[E]> {
    return this.waitFor((m) => m.type === 'event' && m.event === event && predicate(m.payload as EventPayloads[E]), `${event} event`, timeoutMs).then(
      (m) => (m as Extract<WireMessage, { type: 'event' }>).payload as EventPayloads[E],
    );
  }

  waitFor(predicate: (message: WireMessage) => boolean, what: string, timeoutMs = 10_000): Promise<WireMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find(predicate);
        if (found === undefined && this.isClosed) {
          finish();
          reject(new Error(`The connection closed before ${what}`));
          return true;
        }
        if (found === undefined) return false;
        finish();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`Timed out waiting for ${what}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      const wake = () => void check();
      if (!check()) this.waiters.add(wake);
    });
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.terminate();
    await this.closed;
  }
}
