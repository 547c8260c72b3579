/**
 * Corral in a browser from source: the headless host with its web page, run
 * under tsx (the tests and e2e harness start it so). `npm run serve` runs the
 * same host built (`corral serve`); the host itself is cli/serve.ts. Prints the
 * one URL to open (token included) as the first line on stdout and logs to
 * stderr; the host's local socket lets the `corral` command drive it too.
 *
 *   npm run serve -- [--port N] [--no-web] [--data-dir DIR] [--sample-ms N]
 *                    [--on-signal leave-running|stop-all] [--stop-timeouts TERM1,TERM2,KILL]
 *                    [--metrics-port N]
 *
 * (test/e2e/harness.ts passes --sample-ms only when this file mentions it: keep the flag list above.)
 */
import { runServe } from './cli/serve';

void runServe(process.argv.slice(2), { invokedAs: 'npm run serve --', logPrefix: '[corral web]' });
