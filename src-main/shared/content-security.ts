/**
 * The Content-Security-Policy, one source for every place that states it: the
 * Electron window (main's response header and index.html's meta tag, which is
 * what applies to a file:// page), the web host's header, and the dev server's
 * index.html under `npm run dev`. Plain Node: main, the web host and
 * electron.vite.config.ts all import it.
 *
 * Dev mode needs exactly one thing more than production: @vitejs/plugin-react
 * injects an inline `<script type="module">` (the fast-refresh preamble) into
 * the served index.html, which `script-src 'self'` refuses. Vite's
 * `html.cspNonce` puts one nonce on every script and style tag it serves
 * (https://vite.dev/guide/features#content-security-policy-csp), so the dev
 * policy allows that nonce and nothing else. The HMR WebSocket goes back to the
 * page's own host and port, which `'self'` already covers (CSP Level 3: 'self'
 * on an http: page also matches ws: on the same host and port; checked in a
 * real Chromium by test/desktop/csp-dev-server.test.ts).
 */
import { randomBytes } from 'node:crypto';

type Directive = readonly [name: string, ...sources: string[]];

/** The window's directives: scripts only from our own files; styles may be inline (React style props). */
const APP_DIRECTIVES: readonly Directive[] = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self'", "'unsafe-inline'"],
  ['img-src', "'self'", 'data:'],
];

/**
 * What a browser tab needs on top: the WebSocket named explicitly, and the
 * directives a meta tag cannot carry (frame-ancestors) or that only matter
 * when the page is a web page (base-uri, form-action).
 */
const WEB_HOST_EXTRA: readonly Directive[] = [
  ['connect-src', "'self'"],
  ['frame-ancestors', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
];

function serialize(directives: readonly Directive[]): string {
  return directives.map((directive) => directive.join(' ')).join('; ');
}

/** The built app's policy: the header main sets on every response and the meta tag in the built index.html. */
export const PRODUCTION_CSP = serialize(APP_DIRECTIVES);

/** The web host's header: the production policy plus WEB_HOST_EXTRA. */
export const WEB_HOST_CSP = serialize([...APP_DIRECTIVES, ...WEB_HOST_EXTRA]);

/**
 * Carries the dev nonce from electron-vite's process (which evaluates
 * electron.vite.config.ts and serves the renderer) to Electron's main process,
 * which electron-vite spawns with its own environment — the same way it passes
 * ELECTRON_RENDERER_URL.
 */
export const DEV_NONCE_ENV = 'CORRAL_DEV_CSP_NONCE';

/** A CSP nonce-source value (base64url), long enough not to be guessed: at least 128 bits. */
const NONCE_PATTERN = /^[A-Za-z0-9_-]{22,}$/;

/** True for a value `devCsp` accepts as a nonce. */
export function isDevNonce(value: string | undefined): value is string {
  return value !== undefined && NONCE_PATTERN.test(value);
}

/**
 * The nonce for this dev session: the one already in `env` (a second
 * evaluation of the config, or main restarted by electron-vite, must agree
 * with the dev server that is already running) or a new random one, written
 * into `env` so the Electron process electron-vite starts inherits it.
 */
export function ensureDevNonce(env: NodeJS.ProcessEnv): string {
  const existing = env[DEV_NONCE_ENV];
  if (isDevNonce(existing)) return existing;
  const nonce = randomBytes(18).toString('base64url');
  env[DEV_NONCE_ENV] = nonce;
  return nonce;
}

/** The dev server's policy: production plus this session's nonce in script-src. */
export function devCsp(nonce: string): string {
  if (!isDevNonce(nonce)) throw new Error(`devCsp: ${JSON.stringify(nonce)} is not a base64url nonce of at least 22 characters`);
  return serialize(APP_DIRECTIVES.map(([name, ...sources]): Directive => (name === 'script-src' ? [name, ...sources, `'nonce-${nonce}'`] : [name, ...sources])));
}

/**
 * The policy main puts on every response the window gets. Dev policy only
 * while main loads the page from electron-vite's dev server (main passes
 * undefined for `devServerUrl` in a packaged app) and the nonce is well formed;
 * otherwise production — a dev window without fast refresh beats a looser
 * policy.
 */
export function windowCsp(options: { devServerUrl: string | undefined; devNonce: string | undefined }): string {
  return options.devServerUrl !== undefined && isDevNonce(options.devNonce) ? devCsp(options.devNonce) : PRODUCTION_CSP;
}

/** `<meta http-equiv="Content-Security-Policy" content="…">`, attributes in that order, across lines. */
const CSP_META = /(<meta\s+http-equiv=["']Content-Security-Policy["']\s+content=)(?:"([^"]*)"|'([^']*)')/gi;

/**
 * index.html with its CSP meta tag's content set to `policy`, or an error
 * when the file does not have exactly one such tag (a page without it would
 * run with no policy at all as a file://).
 */
export function withCspMeta(html: string, policy: string): { ok: true; html: string } | { ok: false; error: string } {
  const count = html.match(CSP_META)?.length ?? 0;
  if (count !== 1) {
    return { ok: false, error: `index.html must carry exactly one <meta http-equiv="Content-Security-Policy" content="…"> (found ${count}).` };
  }
  // The policy quotes its keywords with ' so the attribute is always written with ".
  return { ok: true, html: html.replace(CSP_META, (_all, head: string) => `${head}"${policy}"`) };
}

/** The content of the page's CSP meta tag, if it has one. */
export function cspMetaOf(html: string): string | undefined {
  const match = new RegExp(CSP_META.source, 'i').exec(html);
  return match === null ? undefined : (match[2] ?? match[3]);
}
