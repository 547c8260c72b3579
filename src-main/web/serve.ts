/**
 * `npm run serve`: Corral in a browser. Starts the engine, the contract
 * service and the web host, prints the one URL to open (token included) as
 * the only line on stdout, and logs to stderr. On SIGINT/SIGTERM/SIGHUP it
 * closes everything it started and exits 0; agents keep running and the next
 * start re-adopts them.
 *
 *   npm run serve -- [--port N] [--data-dir DIR] [--sample-ms N]
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createContractService } from '../api/index';
import { createSupervisor } from '../supervisor/index';
import { startWebHost } from './server';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** A repeat of the shutdown signal within this window is an echo, not a second Ctrl-C. */
const SIGNAL_ECHO_MS = 1000;
const CLOSE_DEADLINE_MS = 15_000;
const USAGE = 'Usage: npm run serve -- [--port N] [--data-dir DIR] [--sample-ms N]';

interface ServeOptions {
  port: number;
  dataDir: string;
  sampleIntervalMs: number | undefined;
}

/** Parses argv; a bad flag is a message for the user, not a stack trace. */
function parseOptions(argv: string[]): ServeOptions | { error: string } {
  let values: { port?: string; 'data-dir'?: string; 'sample-ms'?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, 'sample-ms': { type: 'string' } },
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
  const dataDir = path.resolve(values['data-dir'] ?? (process.env.CORRAL_DATA_DIR || undefined) ?? path.join(os.homedir(), '.local', 'share', 'corral-web'));
  return { port, dataDir, sampleIntervalMs };
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

  const engine = await createSupervisor({ dataDir: options.dataDir, ...(options.sampleIntervalMs === undefined ? {} : { sampleIntervalMs: options.sampleIntervalMs }) });
  const service = createContractService(engine, {
    host: 'web',
    version,
    nodeCommand: { program: process.execPath, env: {} },
    demoAgentPath: path.join(REPO, 'resources', 'demo-agent.mjs'),
  });
  const log = (line: string) => process.stderr.write(`[corral web] ${line}\n`);
  let host;
  try {
    host = await startWebHost({ service, rendererDir, port: options.port, log });
  } catch (error) {
    service.close();
    await engine.close();
    throw error;
  }

  process.stdout.write(`Corral web host: ${host.url}\n`);
  log(`Data folder: ${options.dataDir}. Stop with Ctrl-C; agents keep running and are re-adopted on the next start.`);
  for (const warning of engine.warnings) log(`Warning: ${warning}`);

  let stoppingSince: number | null = null;
  const stop = (signal: NodeJS.Signals) => {
    if (stoppingSince !== null) {
      // The state file's writer (conf → atomically → when-exit) re-raises every signal it sees on
      // this process once, at once: that echo is not the user. A later signal is, and means "now".
      if (Date.now() - stoppingSince < SIGNAL_ECHO_MS) return;
      log(`${signal} again: exiting without waiting.`);
      process.exit(1);
    }
    stoppingSince = Date.now();
    log(`${signal}: closing.`);
    // If closing ever hangs, do not keep the terminal hostage.
    setTimeout(() => fail('Closing took too long; exiting anyway.', 1), CLOSE_DEADLINE_MS).unref();
    void (async () => {
      await host.close();
      service.close();
      await engine.close();
      process.exit(0);
    })().catch((error: unknown) => fail(`Could not close cleanly: ${error instanceof Error ? error.message : String(error)}`, 1));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
}

main().catch((error: unknown) => fail(`Corral web host could not start: ${error instanceof Error ? error.message : String(error)}`, 1));
