/**
 * Prometheus metrics for the web host (`npm run serve -- --metrics-port N`):
 * a second HTTP server, on 127.0.0.1 only, answering `GET /metrics` in the
 * text exposition format (version 0.0.4) from the engine's summary.
 *
 * No token: Prometheus scrapers cannot present one in a URL they did not
 * build, and this server is loopback-only and read-only (it calls nothing but
 * `getProcessSummary`, and serves no page and no script). What it shows (agent
 * ids, names, figures) is what any local user can read from `ps`. The Host
 * header is still checked against our own address, as on the main server: a
 * DNS-rebinding page must not be able to read it across origins.
 *
 * A figure the engine could not read is left out (no sample), never written
 * as 0: a zero on a dashboard is a lie (DESIGN.md).
 */
import { createServer, type Server } from 'node:http';
import { AGENT_STATES } from '../../src-preload/contract';
import type { AgentStatus, ProcessSummary } from '../supervisor/index';
import { isAllowedHost } from './auth';
import { WebHostError } from './errors';
import { SECURITY_HEADERS, sendPlain } from './static-files';
import { throttledLog } from './throttled-log';
import { quoteForLog } from './upgrade-gate';

/** The content type of the text exposition format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const METRICS_PATH = '/metrics';

const LOOPBACK = '127.0.0.1';
const BYTES_PER_MB = 1024 * 1024; // the engine's memoryMb is rssBytes / 1048576

/** Where the figures come from: the engine (only this call, so the server stays read-only). */
export interface MetricsSource {
  getProcessSummary(): Promise<ProcessSummary>;
}

export interface MetricsServerOptions {
  source: MetricsSource;
  /** 0 picks a free port. */
  port: number;
  /** One line per notable event (refused requests, failed scrapes). */
  log?: (line: string) => void;
}

export interface MetricsServer {
  /** `http://127.0.0.1:PORT/metrics` */
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** Starts the metrics server; rejects with a `WebHostError` saying what to change. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { source, port: requestedPort, log = () => {} } = options;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65_535) {
    throw new WebHostError('invalid-option', `The metrics port must be a whole number from 0 to 65535 (0 picks a free one); got ${String(requestedPort)}.`);
  }
  // The actual port, set on 'listening' (before any request can arrive).
  let port = requestedPort;
  const logRefusal = throttledLog(log);

  const server = createServer((req, res) => {
    if (!isAllowedHost(req.headers.host, port)) {
      logRefusal(`Refused a metrics request (403): Host ${quoteForLog(req.headers.host)} is not this server's address.`);
      sendPlain(res, 403, 'Forbidden: this server answers only to its own address (127.0.0.1 or localhost on its port).\n');
      return;
    }
    const pathname = (req.url ?? '').split('?', 1)[0];
    if (pathname !== METRICS_PATH) {
      sendPlain(res, 404, `Not found: metrics are served at ${METRICS_PATH}.\n`);
      return;
    }
    if (req.method !== 'GET') {
      sendPlain(res, 405, 'Method not allowed: use GET.\n', { Allow: 'GET' });
      return;
    }
    source.getProcessSummary().then(
      (summary) => {
        const body = renderMetrics(summary);
        res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': METRICS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      },
      (error: unknown) => {
        // E.g. the engine is closing: a failed scrape, which Prometheus records as `up == 0`.
        const message = error instanceof Error ? error.message : String(error);
        logRefusal(`A metrics scrape failed (503): ${message}`);
        sendPlain(res, 503, `The engine could not be read: ${message}\n`);
      },
    );
  });

  await listen(server, requestedPort);
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : requestedPort;
  server.on('error', (error) => log(`Metrics server error: ${error.message}`));

  let closing: Promise<void> | null = null;
  return {
    url: `http://${LOOPBACK}:${port}${METRICS_PATH}`,
    port,
    close() {
      closing ??= (async () => {
        logRefusal.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Idle keep-alive connections (a scraper's) would otherwise hold server.close() open.
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

function listen(server: Server, requestedPort: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        error.code === 'EADDRINUSE'
          ? new WebHostError('port-in-use', `Port ${requestedPort} on ${LOOPBACK} is already in use; pick another with --metrics-port, or --metrics-port 0 for a free one.`)
          : new WebHostError('listen-failed', `Could not listen for metrics on ${LOOPBACK}:${requestedPort}: ${error.message}`),
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(requestedPort, LOOPBACK);
  });
}

// ── The exposition format ────────────────────────────────────────────────────

type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: { labels: Labels; value: number | null }[];
}

/**
 * The summary as exposition text: one HELP and TYPE line per family, then its
 * samples; agents in id order so two scrapes diff cleanly.
 * See https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */
export function renderMetrics(summary: ProcessSummary): string {
  const agents = [...summary.agents].sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0));
  const perAgent = (name: string, help: string, type: Family['type'], value: (status: AgentStatus) => number | null): Family => ({
    name,
    help,
    type,
    samples: agents.map((status) => ({ labels: agentLabels(status), value: value(status) })),
  });
  const families: Family[] = [
    perAgent('corral_agent_cpu_percent', "CPU of the agent's whole process tree, psutil scale (100 = one core).", 'gauge', (s) => s.treeCpuPercent),
    perAgent('corral_agent_memory_bytes', "Resident memory of the agent's whole process tree.", 'gauge', (s) => (s.treeMemoryMb === null ? null : Math.round(s.treeMemoryMb * BYTES_PER_MB))),
    perAgent('corral_agent_threads', "Threads in the agent's whole process tree.", 'gauge', (s) => s.treeNumThreads),
    perAgent('corral_agent_up', "1 while the agent's main process is alive, else 0.", 'gauge', (s) => (s.processAlive ? 1 : 0)),
    {
      name: 'corral_agent_state',
      help: "1 for the agent's current state, 0 for every other state.",
      type: 'gauge',
      samples: agents.flatMap((status) => AGENT_STATES.map((state) => ({ labels: { ...agentLabels(status), state }, value: status.state === state ? 1 : 0 }))),
    },
    perAgent('corral_agent_restarts', 'Restarts in a row so far (reset by a stable run or a run started by hand).', 'gauge', (s) => s.restarts),
    perAgent('corral_agent_runs_total', 'Runs of the agent on record.', 'counter', (s) => s.runCount),
    {
      name: 'corral_agents',
      help: 'Agents known to Corral, by state.',
      type: 'gauge',
      samples: AGENT_STATES.map((state) => ({ labels: { state }, value: summary.byState[state] ?? 0 })),
    },
    { name: 'corral_orphans', help: 'Processes started by Corral that no live agent accounts for, as of the last orphan sweep.', type: 'gauge', samples: [{ labels: {}, value: summary.orphanCount }] },
  ];
  return families.map(renderFamily).join('');
}

function agentLabels(status: AgentStatus): Labels {
  return { agent_id: status.agentId, agent_name: status.agentName };
}

function renderFamily(family: Family): string {
  let text = `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
  for (const { labels, value } of family.samples) {
    // Unreadable: no sample at all (a missing series, not a false 0).
    if (value === null || !Number.isFinite(value)) continue;
    const pairs = Object.entries(labels).map(([key, labelValue]) => `${key}="${escapeLabelValue(labelValue)}"`);
    text += `${family.name}${pairs.length === 0 ? '' : `{${pairs.join(',')}}`} ${formatValue(value)}\n`;
  }
  return text;
}

/** Label values: backslash, double quote and line feed are escaped (`\\`, `\"`, `\n`); everything else is UTF-8 as is. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text: backslash and line feed are escaped. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  // Go's ParseFloat reads JS's shortest round-trip form, exponents included.
  return Object.is(value, -0) ? '0' : String(value);
}
