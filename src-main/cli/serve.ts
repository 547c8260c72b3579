/**
 * The headless host (`corral serve`, and `npm run serve` through
 * `src-main/serve.ts`): starts the engine on a data folder (taking its lock), the
 * contract service, the local socket (`local/socket-host.ts`) and, unless
 * `--no-web`, the web host; prints the page's URL (token included) as the
 * first line on stdout — or, with `--no-web`, the socket's path — and logs to
 * stderr. With `--metrics-port N` it also serves Prometheus metrics on
 * 127.0.0.1 and prints their URL as a second line (`Corral metrics: …`).
 * On SIGINT/SIGTERM/SIGHUP it closes everything it started and exits 0; by
 * default (`--on-signal leave-running`) agents keep running and the next start
 * re-adopts them; with `--on-signal stop-all` every agent is stopped first
 * (see ../shutdown.ts).
 *
 * Agents it starts get CORRAL_SOCKET and CORRAL_DATA_DIR in their environment
 * (the engine's `agentEnv` option, asked of the socket host at each spawn), so
 * a `corral run` inside an agent reaches this host.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createContractService } from '../api/index';
import { resolveShippedPrograms } from '../api/shipped-programs';
import { defaultDataDir } from '../local/data-dir';
import { startSocketHost, type SocketHost } from '../local/socket-host';
import { handleShutdownSignals, parseOnSignal, type OnSignal } from '../shutdown';
import { createSupervisor, type StopTimeouts } from '../supervisor/index';
import { startMetricsServer, type MetricsServer } from '../web/metrics';
import { startWebHost, type WebHost } from '../web/server';
import { loadOrCreateToken } from '../web/token-file';

// Two levels up from src-main/cli/ and from the built out/cli/ alike.
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLOSE_DEADLINE_MS = 15_000;
const FLAGS = '[--port N] [--no-web] [--data-dir DIR] [--sample-ms N] [--on-signal leave-running|stop-all] [--stop-timeouts TERM1,TERM2,KILL (ms)] [--metrics-port N] [--new-token]';

interface ServeOptions {
  /** True when neither --data-dir nor CORRAL_DATA_DIR named the folder. */
  isDefaultDataDir: boolean;
  port: number;
  web: boolean;
  dataDir: string;
  sampleIntervalMs: number | undefined;
  onSignal: OnSignal;
  stopTimeouts: StopTimeouts | undefined;
  /** Undefined: no metrics server; 0 picks a free port. */
  metricsPort: number | undefined;
  /** Replace the web token kept in the data folder (open tabs then need the new URL). */
  newToken: boolean;
}

/** Parses argv; a bad flag is a message for the user, not a stack trace. */
function parseOptions(argv: string[]): ServeOptions | { error: string } {
  let values: { port?: string; 'no-web'?: boolean; 'data-dir'?: string; 'sample-ms'?: string; 'on-signal'?: string; 'stop-timeouts'?: string; 'metrics-port'?: string; 'new-token'?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        'no-web': { type: 'boolean' },
        'data-dir': { type: 'string' },
        'sample-ms': { type: 'string' },
        'on-signal': { type: 'string' },
        'stop-timeouts': { type: 'string' },
        'metrics-port': { type: 'string' },
        'new-token': { type: 'boolean' },
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
  if (values['no-web'] === true && values['new-token'] === true) return { error: '--new-token and --no-web do not go together: the token is the web page’s.' };
  if (values['no-web'] === true && values.port !== undefined) return { error: '--port and --no-web do not go together: --port is the web page’s port.' };
  const named = values['data-dir'] ?? (process.env.CORRAL_DATA_DIR || undefined);
  const dataDir = path.resolve(named ?? defaultDataDir());
  return { isDefaultDataDir: named === undefined, port, web: values['no-web'] !== true, dataDir, sampleIntervalMs, onSignal, stopTimeouts, metricsPort, newToken: values['new-token'] === true };
}

export interface RunServeOptions {
  /** How the user typed the command, for the usage line (`corral serve`, `npm run serve --`). */
  invokedAs: string;
  /** Where this process's log lines go. */
  logPrefix?: string;
}

function fail(message: string, exitCode: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(exitCode);
}

/** Runs the host in this process until a signal ends it (the process exits then). Exits 2 on a bad flag, 1 when it cannot start. */
export async function runServe(argv: string[], { invokedAs, logPrefix = '[corral]' }: RunServeOptions): Promise<void> {
  const options = parseOptions(argv);
  if ('error' in options) fail(`${options.error}\nUsage: ${invokedAs} ${FLAGS}`, 2);
  try {
    await start(options, (line) => process.stderr.write(`${logPrefix} ${line}\n`));
  } catch (error) {
    fail(`Corral host could not start: ${error instanceof Error ? error.message : String(error)}`, 1);
  }
}

async function start(options: ServeOptions, log: (line: string) => void): Promise<void> {
  const rendererDir = path.join(REPO, 'out', 'renderer');
  if (options.web && !existsSync(path.join(rendererDir, 'index.html'))) {
    fail(`The built renderer is missing (${rendererDir}/index.html); run \`npm run build\` first, or serve without the page (--no-web).`, 1);
  }
  const { version } = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };

  // How this host runs the programs Corral ships: requests name them, each spawn resolves them (shipped-programs.ts).
  const shipped = { nodeCommand: { program: process.execPath, env: {} }, demoAgentPath: path.join(REPO, 'resources', 'demo-agent.mjs') };
  let socketHost: SocketHost | null = null;
  const engine = await createSupervisor({
    dataDir: options.dataDir,
    // Every agent is told where this host listens (once it does).
    agentEnv: () => socketHost?.agentEnv() ?? {},
    // A second host on this folder fails at once, naming this one.
    hostKind: options.web ? 'web host' : 'engine',
    resolveRequest: resolveShippedPrograms(shipped),
    ...(options.sampleIntervalMs === undefined ? {} : { sampleIntervalMs: options.sampleIntervalMs }),
    ...(options.stopTimeouts === undefined ? {} : { stopTimeouts: options.stopTimeouts }),
  });
  let metrics: MetricsServer | null = null;
  let webHost: WebHost | null = null;
  let service: ReturnType<typeof createContractService> | null = null;
  const closeHosts = async () => {
    await Promise.all([webHost?.close(), socketHost?.close(), metrics?.close()]);
    service?.close();
  };
  try {
    // Before the service, so its host adapter can name the metrics URL (getHostInfo).
    if (options.metricsPort !== undefined) metrics = await startMetricsServer({ source: engine, port: options.metricsPort, log });
    service = createContractService(engine, {
      host: 'web',
      version,
      ...shipped,
      ...(metrics === null ? {} : { metricsUrl: metrics.url }),
    });
    // The engine holds the folder's lock now: this process owns the socket (and may remove a stale one).
    try {
      socketHost = await startSocketHost({ service, dataDir: options.dataDir, log });
    } catch (error) {
      // The page still works without it; a host with nothing else to serve does not start.
      if (!options.web) throw error;
      log(`Warning: no local socket, so the corral command cannot reach this host: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (options.web) {
      // Kept in the data folder so a tab open on the last start reconnects to this one.
      const kept = loadOrCreateToken(options.dataDir, { rotate: options.newToken });
      if (!kept.ok) throw new Error(kept.error.message);
      if (kept.note !== null) log(`Warning: ${kept.note}`);
      if (kept.origin === 'rotated') log('A new web token: pages opened before need the new URL.');
      webHost = await startWebHost({ service, rendererDir, port: options.port, token: kept.token, log });
    }
  } catch (error) {
    await closeHosts();
    await engine.close();
    throw error;
  }

  // One write: a reader of stdout sees the first line whole, then (when asked for) the metrics URL.
  const first = webHost !== null ? `Corral web host: ${webHost.url}` : `Corral local socket: ${socketHost?.path ?? ''}`;
  process.stdout.write(`${first}\n${metrics === null ? '' : `Corral metrics: ${metrics.url}\n`}`);
  if (webHost !== null && socketHost !== null) log(`Local socket: ${socketHost.path}`);
  log(
    options.onSignal === 'stop-all'
      ? `Data folder: ${options.dataDir}. Stop with Ctrl-C: every agent is stopped first (a second Ctrl-C forces).`
      : `Data folder: ${options.dataDir}. Stop with Ctrl-C (or \`corral shutdown\`); agents keep running and are re-adopted on the next start.`,
  );
  for (const warning of engine.warnings) log(`Warning: ${warning}`);
  // Until issue 12 the web host's default was ~/.local/share/corral-web: say where those agents went.
  const oldDefault = path.join(os.homedir(), '.local', 'share', 'corral-web');
  if (options.isDefaultDataDir && process.platform !== 'win32' && existsSync(path.join(oldDefault, 'state.json'))) {
    log(`Note: the default data folder is now ${options.dataDir}; agents started before live in ${oldDefault} (serve with --data-dir ${oldDefault} to see them).`);
  }

  const timeouts = options.stopTimeouts ?? { firstTermMs: 10_000, secondTermMs: 5_000, killMs: 5_000 };
  let closed: Promise<void> | null = null;
  const closeOnce = () => (closed ??= closeHosts());
  handleShutdownSignals({
    mode: options.onSignal,
    stopAll: async (force) => {
      // No new calls (and no new agents) while the agents stop.
      await closeOnce();
      const report = await engine.cleanup({ force });
      return { unkillable: report.unkillable.length };
    },
    close: async () => {
      await closeOnce();
      await engine.close();
    },
    exit: (code) => process.exit(code),
    log,
    closeDeadlineMs: CLOSE_DEADLINE_MS,
    stopDeadlineMs: timeouts.firstTermMs + timeouts.secondTermMs + timeouts.killMs,
  });
}
