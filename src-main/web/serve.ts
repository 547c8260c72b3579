/**
 * `npm run serve`: Corral in a browser. Starts the engine, the contract
 * service and the web host, prints the one URL to open (token included) as
 * the first line on stdout, and logs to stderr. With `--metrics-port N` it
 * also serves Prometheus metrics on 127.0.0.1 (see metrics.ts) and prints
 * their URL as a second line (`Corral metrics: …`); without it, the page's
 * URL is the only line. On SIGINT/SIGTERM/SIGHUP it closes everything it
 * started and exits 0; by default (`--on-signal
 * leave-running`) agents keep running and the next start re-adopts them; with
 * `--on-signal stop-all` every agent is stopped first (see ../shutdown.ts).
 *
 *   npm run serve -- [--port N] [--data-dir DIR] [--sample-ms N]
 *                    [--on-signal leave-running|stop-all] [--stop-timeouts TERM1,TERM2,KILL]
 *                    [--metrics-port N]
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createContractService } from '../api/index';
import { handleShutdownSignals, parseOnSignal, type OnSignal } from '../shutdown';
import { createSupervisor, type StopTimeouts } from '../supervisor/index';
import { startMetricsServer, type MetricsServer } from './metrics';
import { startWebHost } from './server';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLOSE_DEADLINE_MS = 15_000;
const USAGE =
  'Usage: npm run serve -- [--port N] [--data-dir DIR] [--sample-ms N] [--on-signal leave-running|stop-all] [--stop-timeouts TERM1,TERM2,KILL (ms)] [--metrics-port N]';

interface ServeOptions {
  port: number;
  dataDir: string;
  sampleIntervalMs: number | undefined;
  onSignal: OnSignal;
  stopTimeouts: StopTimeouts | undefined;
  /** Undefined: no metrics server; 0 picks a free port. */
  metricsPort: number | undefined;
}

/** Parses argv; a bad flag is a message for the user, not a stack trace. */
function parseOptions(argv: string[]): ServeOptions | { error: string } {
  let values: { port?: string; 'data-dir'?: string; 'sample-ms'?: string; 'on-signal'?: string; 'stop-timeouts'?: string; 'metrics-port'?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'sample-ms': { type: 'string' },
        'on-signal': { type: 'string' },
        'stop-timeouts': { type: 'string' },
        'metrics-port': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  const port = Number(values.port ?? '0');
  if (!/^\d+$/.test(values.port ?? '0') || port > 65_535) return { error: `--port must be a whole number from 0 to 65535 (0 picks a free one); got ${values.port}.` };
  let sampleIntervalMs: number | undefined;
  if (values['sample-ms'] !== undefined) {
    sampleIntervalMs = Number(values['sample-ms']);
    if (!/^\d+$/.test(values['sample-ms']) || sampleIntervalMs < 50) return { error: `--sample-ms must be a whole number of milliseconds, at least 50; got ${values['sample-ms']}.` };
  }
  const onSignal = parseOnSignal(values['on-signal']);
  if (typeof onSignal !== 'string') return { error: `--${onSignal.error}` };
  let stopTimeouts: StopTimeouts | undefined;
  if (values['stop-timeouts'] !== undefined) {
    const parts = values['stop-timeouts'].split(',');
    if (parts.length !== 3 || parts.some((part) => !/^\d+$/.test(part) || Number(part) < 10 || Number(part) > 600_000)) {
      return { error: `--stop-timeouts must be three whole numbers of milliseconds (10–600000), e.g. 10000,5000,5000; got ${values['stop-timeouts']}.` };
    }
    const [firstTermMs, secondTermMs, killMs] = parts.map(Number) as [number, number, number];
    stopTimeouts = { firstTermMs, secondTermMs, killMs };
  }
  let metricsPort: number | undefined;
  if (values['metrics-port'] !== undefined) {
    metricsPort = Number(values['metrics-port']);
    if (!/^\d+$/.test(values['metrics-port']) || metricsPort > 65_535) {
      return { error: `--metrics-port must be a whole number from 0 to 65535 (0 picks a free one); got ${values['metrics-port']}.` };
    }
  }
  const dataDir = path.resolve(values['data-dir'] ?? (process.env.CORRAL_DATA_DIR || undefined) ?? path.join(os.homedir(), '.local', 'share', 'corral-web'));
  return { port, dataDir, sampleIntervalMs, onSignal, stopTimeouts, metricsPort };
}

function fail(message: string, exitCode: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(exitCode);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if ('error' in options) fail(`${options.error}\n${USAGE}`, 2);

  const rendererDir = path.join(REPO, 'out', 'renderer');
  if (!existsSync(path.join(rendererDir, 'index.html'))) fail(`The built renderer is missing (${rendererDir}/index.html); run \`npm run build\` first.`, 1);
  const { version } = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };

  const engine = await createSupervisor({
    dataDir: options.dataDir,
    hostKind: 'web host', // a second host on this folder fails at once, naming this one (then main() exits 1)
    ...(options.sampleIntervalMs === undefined ? {} : { sampleIntervalMs: options.sampleIntervalMs }),
    ...(options.stopTimeouts === undefined ? {} : { stopTimeouts: options.stopTimeouts }),
  });
  const log = (line: string) => process.stderr.write(`[corral web] ${line}\n`);
  // Before the service, so its host adapter can name the metrics URL (getHostInfo).
  let metrics: MetricsServer | null = null;
  try {
    if (options.metricsPort !== undefined) metrics = await startMetricsServer({ source: engine, port: options.metricsPort, log });
  } catch (error) {
    await engine.close();
    throw error;
  }
  const service = createContractService(engine, {
    host: 'web',
    version,
    nodeCommand: { program: process.execPath, env: {} },
    demoAgentPath: path.join(REPO, 'resources', 'demo-agent.mjs'),
    ...(metrics === null ? {} : { metricsUrl: metrics.url }),
  });
  let host;
  try {
    host = await startWebHost({ service, rendererDir, port: options.port, log });
  } catch (error) {
    service.close();
    await metrics?.close();
    await engine.close();
    throw error;
  }

  // One write: a reader of stdout sees the page's URL first, then (when asked for) the metrics URL.
  process.stdout.write(`Corral web host: ${host.url}\n${metrics === null ? '' : `Corral metrics: ${metrics.url}\n`}`);
  log(
    options.onSignal === 'stop-all'
      ? `Data folder: ${options.dataDir}. Stop with Ctrl-C: every agent is stopped first (a second Ctrl-C forces).`
      : `Data folder: ${options.dataDir}. Stop with Ctrl-C; agents keep running and are re-adopted on the next start.`,
  );
  for (const warning of engine.warnings) log(`Warning: ${warning}`);

  const timeouts = options.stopTimeouts ?? { firstTermMs: 10_000, secondTermMs: 5_000, killMs: 5_000 };
  let hostClosed = false;
  const closeHost = async () => {
    if (hostClosed) return;
    hostClosed = true;
    await Promise.all([host.close(), metrics?.close()]);
    service.close();
  };
  handleShutdownSignals({
    mode: options.onSignal,
    stopAll: async (force) => {
      // No new calls (and no new agents) while the agents stop.
      await closeHost();
      const report = await engine.cleanup({ force });
      return { unkillable: report.unkillable.length };
    },
    close: async () => {
      await closeHost();
      await engine.close();
    },
    exit: (code) => process.exit(code),
    log,
    closeDeadlineMs: CLOSE_DEADLINE_MS,
    stopDeadlineMs: timeouts.firstTermMs + timeouts.secondTermMs + timeouts.killMs,
  });
}

main().catch((error: unknown) => fail(`Corral web host could not start: ${error instanceof Error ? error.message : String(error)}`, 1));
