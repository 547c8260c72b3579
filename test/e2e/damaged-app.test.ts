/**
 * A desktop window whose preload did not load (no `window.corral`) says the
 * app is damaged and how to reinstall, instead of the web host's advice (open
 * the URL `npm run serve` printed), which is no help there. In a browser, the
 * page on the web host keeps its behaviour: it connects with its token, and
 * without one it asks for the URL.
 *
 * The built page loaded as `file://` in Chromium is the desktop app's page as
 * Electron loads it, minus the preload's bridge: exactly the damaged window.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM, REPO, textUntil } from './harness';
import { useE2E } from './session';

const e2e = useE2E('damaged');
const DAMAGED_TITLE = 'Corral is damaged: this window cannot reach the app.';
/** What a page tells the user when it has no connection. */
const alertText = (page: import('playwright-core').Page) =>
  textUntil(page.getByRole('alert').first(), 'the page to say why it has no connection', (text) => text.trim().length > 0, 20_000);

// Chromium refuses a file:// page its module scripts unless told otherwise; Electron allows them to its own page.
let fileBrowser: Browser | undefined;
beforeAll(async () => {
  fileBrowser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'] });
}, 60_000);
afterAll(async () => {
  await fileBrowser?.close();
});

describe('a window without its bridge', () => {
  test('the built page as file:// (the desktop app without its preload) says the app is damaged and how to reinstall, and tries no WebSocket', async () => {
    const context = await fileBrowser!.newContext();
    try {
      const page = await context.newPage();
      const sockets: string[] = [];
      const errors: string[] = [];
      page.on('websocket', (socket) => sockets.push(socket.url()));
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(pathToFileURL(path.join(REPO, 'out', 'renderer', 'index.html')).href);
      const text = await alertText(page);
      expect(text).toContain(DAMAGED_TITLE);
      expect(text).toMatch(/Reinstall Corral/);
      expect(text).toMatch(/apt install --reinstall corral/);
      expect(text).not.toMatch(/npm run serve|token/);
      expect(sockets).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  test('a page under Electron (its user agent, as under `npm run dev`) without the bridge says the same', async () => {
    const context = await e2e.browser.newContext({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) corral/0.1.0 Chrome/140.0.0.0 Electron/45.5.0 Safari/537.36' });
    try {
      const page = await context.newPage();
      await page.goto(new URL('/', e2e.host.url).href); // no token: in a browser this asks for the URL
      const text = await alertText(page);
      expect(text).toContain(DAMAGED_TITLE);
      expect(text).not.toMatch(/npm run serve/);
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe('the page in a browser, on the web host', () => {
  test('connects with its token: the app, no error', async () => {
    const { page } = await e2e.open(); // waits for the heading and the agent list
    expect(await page.getByRole('alert').filter({ hasText: 'damaged' }).count()).toBe(0);
    expect(await page.getByText('Could not connect to the Corral host.').count()).toBe(0);
  }, 60_000);

  test('without its token asks for the URL `npm run serve` printed, as before', async () => {
    const { page } = await e2e.open({ url: new URL('/', e2e.host.url).href, waitForApp: false });
    const text = await alertText(page);
    expect(text).toContain('Could not connect to the Corral host.');
    expect(text).toMatch(/open the full URL that `npm run serve` printed/);
    expect(text).not.toMatch(/damaged/);
  }, 60_000);
});
