/**
 * `npm run dev` in a real Chromium, without Electron: the renderer's Vite dev
 * server built from electron.vite.config.ts exactly as electron-vite builds it
 * (electron-vite's resolveConfig, command 'serve'), the page loaded with the
 * CSP header main's session adds to every response (windowCsp with the dev
 * server's URL and the session nonce), as Electron's onHeadersReceived does.
 * The app must render with fast refresh installed, HMR connected and no CSP
 * violation; with the production header instead, the inline fast-refresh
 * preamble is refused — the blank-window bug this guards against.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveConfig } from 'electron-vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspMetaOf, DEV_NONCE_ENV, devCsp, PRODUCTION_CSP, windowCsp } from '../../src-main/shared/content-security';
import { waitFor } from '../helpers/wait';
import { findChromium } from '../../scripts/find-chromium.mjs';

const REPO = path.resolve(import.meta.dirname, '../..');
const CHROMIUM = findChromium();

let server: ViteDevServer | undefined;
let browser: Browser | undefined;
let url = '';
let nonce = '';
let cacheDir = '';

/** A port nobody listens on now: Vite's HMR client dials the configured port, so it must be the real one (not 0). */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  if (!CHROMIUM.ok) throw new Error(CHROMIUM.error.message);
  const resolved = await resolveConfig({ root: REPO, configFile: path.join(REPO, 'electron.vite.config.ts'), logLevel: 'silent' }, 'serve', 'development');
  const renderer = resolved.config?.renderer;
  if (renderer === undefined) throw new Error('electron.vite.config.ts has no renderer section');
  nonce = process.env[DEV_NONCE_ENV] ?? '';
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // Everything as electron-vite has it, but a free port (a developer's `npm run dev` may hold 5173), and the header
  // main's session adds to every response the window gets (onHeadersReceived): the dev server sends it itself here.
  // Its own dependency cache: a developer's `npm run dev` keeps node_modules/.vite to itself.
  cacheDir = mkdtempSync(path.join(tmpdir(), 'corral-vite-'));
  server = await createServer({
    ...renderer,
    configFile: false,
    logLevel: 'silent',
    cacheDir,
    server: { ...renderer.server, host: '127.0.0.1', port, strictPort: true, headers: { 'Content-Security-Policy': windowCsp({ devServerUrl: url, devNonce: nonce }) } },
  });
  await server.listen();
  browser = await chromium.launch({ executablePath: CHROMIUM.path, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 90_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.close();
  if (cacheDir !== '') rmSync(cacheDir, { recursive: true, force: true });
}, 30_000);

interface Loaded {
  page: Page;
  violations: () => Promise<string[]>;
  consoleLines: string[];
}

/**
 * Opens the dev server's page; with `overridePolicy`, the page's CSP header is replaced by it
 * (Playwright interception: such a page counts as non-local, so its HMR WebSocket is refused by
 * Chromium's local-network checks — fine for the refusal test, which needs no WebSocket).
 */
async function open(overridePolicy?: string, waitUntil: 'load' | 'commit' = 'load'): Promise<Loaded> {
  if (browser === undefined) throw new Error('no browser');
  const context = await browser.newContext();
  const page = await context.newPage();
  const consoleLines: string[] = [];
  page.on('console', (message) => consoleLines.push(message.text()));
  // Plain JavaScript run in the page before its own scripts (the node tsconfig has no DOM types).
  await page.addInitScript(`
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
      window.cspViolations.push(event.effectiveDirective + ' ' + event.blockedURI + ' ' + event.sourceFile + ':' + event.lineNumber));
  `);
  if (overridePolicy !== undefined) {
    // The document's header is the one that governs the page (a script's own CSP header does not apply to it).
    await page.route((target) => target.pathname === '/' || target.pathname === '/index.html', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': overridePolicy } });
    });
  }
  await page.goto(url, { waitUntil });
  return { page, consoleLines, violations: () => page.evaluate<string[]>('window.cspViolations.slice()') };
}

describe('npm run dev: the dev server under the window CSP', () => {
  it('serves index.html with the dev policy in its meta tag and the session nonce on the fast-refresh preamble', async () => {
    expect(nonce, 'electron.vite.config.ts set the session nonce for the Electron process').not.toBe('');
    const response = await fetch(url);
    expect(response.headers.get('content-security-policy')).toBe(devCsp(nonce));
    const html = await response.text();
    expect(cspMetaOf(html)).toBe(devCsp(nonce));
    const inline = [...html.matchAll(/<script\b([^>]*)>([^<]+)<\/script>/gi)];
    expect(inline.some(([, , body]) => body?.includes('injectIntoGlobalHook')), 'the React preamble is inline').toBe(true);
    for (const [, attributes] of inline) expect(attributes).toContain(`nonce="${nonce}"`);
  });

  it('renders the app, fast refresh installed and HMR connected, with no CSP violation', async () => {
    const { page, violations, consoleLines } = await open();
    // The first load is slow (Vite optimizes the dependencies); no bridge and no token here, so the
    // app ends on its "could not connect" page — rendered by React either way.
    await page.getByRole('heading', { name: 'Corral' }).first().waitFor({ timeout: 60_000 });
    expect(await page.evaluate<number>("document.getElementById('root').childElementCount")).toBeGreaterThan(0);
    // The inline preamble ran: it defines $RefreshSig$ before any component module loads.
    expect(await page.evaluate<string>('typeof window.$RefreshSig$')).toBe('function');
    // Vite's client says so once its WebSocket (same host and port: 'self') is open.
    await waitFor(() => consoleLines.some((line) => line.includes('[vite] connected')), { timeoutMs: 15_000, what: 'the HMR WebSocket' });
    // zod 4 probes for eval once (`new Function('')`, caught; it then validates without JIT). The probe is
    // reported like any refusal, in the built app too; the policy is right to refuse it. Everything else counts.
    const zodProbe = (line: string): boolean => /^script-src eval \S*zod/.test(line);
    expect((await violations()).filter((line) => !zodProbe(line))).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('with the production header the inline preamble is refused (what made the dev window blank)', async () => {
    // Only the refusal matters: no need to wait for the whole module graph to load.
    const { page, violations } = await open(PRODUCTION_CSP, 'commit');
    const refused = await waitFor(async () => (await violations()).filter((line) => line.startsWith('script-src')), { timeoutMs: 15_000, what: 'a script-src violation' });
    expect(refused.some((line) => line.includes('inline'))).toBe(true);
    await page.context().close();
  }, 60_000);
});
