/**
 * A disconnected page looks disconnected: with the web host gone, every row
 * and the detail say their figures are the last known, every action button is
 * off (its title says why) and the banner says it is reconnecting. The host
 * restarted on the same data folder and port keeps its token (the data
 * folder's web-token), so the open page reconnects by itself and is live
 * again: its Stop works.
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isPidAlive, liveAgentProcesses } from '../helpers/proc';
import {
  agentRow,
  e2ePrefix,
  killPids,
  launchBrowser,
  liveProcessesUnder,
  nodeAgentRequest,
  openAgent,
  openApp,
  SHARED_FIXTURES,
  startWebHost,
  stopAllAgents,
  stopWebHost,
  textUntil,
  until,
  waitForState,
  WireClient,
  type AppPage,
  type WebHost,
} from './harness';
import { TEST_SAMPLE_MS } from './session';

const SLEEPER = path.join(SHARED_FIXTURES, 'sleeper.mjs');
const OFFLINE = /Not connected to the Corral host/;
const prefix = e2ePrefix('offline');
let dataDir: string;
let browser: Browser | undefined;
let host: WebHost | undefined;
let app: AppPage | undefined;

beforeAll(async () => {
  dataDir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'corral-e2e-offline-')));
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await app?.context.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  if (host !== undefined) {
    await stopAllAgents(host);
    await stopWebHost(host);
  }
  const left = [...liveProcessesUnder(dataDir), ...liveAgentProcesses(prefix)];
  killPids(left.map((p) => p.pid));
  rmSync(dataDir, { recursive: true, force: true });
  expect(left, 'agent processes alive at the end').toEqual([]);
}, 90_000);

/** Every button of the detail's action bar, the header's Stop all and New agent. */
function actionButtons(panel: Locator, page: AppPage['page']): Locator[] {
  const bar = panel.getByRole('group', { name: 'Agent actions' });
  return [
    bar.getByRole('button', { name: 'Stop', exact: true }),
    bar.getByRole('button', { name: 'Force kill' }),
    bar.getByRole('button', { name: 'Run again' }),
    bar.getByRole('button', { name: 'Remove' }),
    page.getByRole('button', { name: 'Stop all' }),
    page.getByRole('button', { name: 'New agent' }).first(),
  ];
}

describe('a disconnected page', () => {
  test(
    'marks figures stale and turns actions off while the host is down, then reconnects by itself to the restarted host',
    async () => {
      host = await startWebHost({ dataDir, sampleMs: TEST_SAMPLE_MS });
      const id = `${prefix}-sleeper`;
      const client = await WireClient.connect(host);
      let pid: number;
      try {
        pid = (await client.must<{ pid: number }>('spawnAgent', nodeAgentRequest(id, SLEEPER, [], 'Sleeper'))).pid;
      } finally {
        client.close();
      }

      app = await openApp(browser!, host);
      const { page } = app;
      const panel = await openAgent(page, id);
      await waitForState(panel, 'running');
      const row = agentRow(page, id);
      await textUntil(row, 'the row running', (t) => /\brunning\b/.test(t));
      const stop = panel.getByRole('button', { name: 'Stop', exact: true });
      expect(await stop.isEnabled()).toBe(true);

      // The host goes away (its agents stay up: serve leaves them running).
      const { port, token } = host;
      await stopWebHost(host);
      host = undefined;
      expect(isPidAlive(pid)).toBe(true);

      const banner = page.getByRole('alert').filter({ hasText: 'connection to the Corral host' });
      await textUntil(banner, 'the reconnecting banner', (t) => /reconnecting/.test(t));
      await textUntil(row, 'the row saying last known', (t) => /running \(last known\)/.test(t));
      await textUntil(panel.getByRole('status', { name: 'State' }), 'the state badge saying last known', (t) => t.includes('(last known)'));
      expect(await row.getAttribute('aria-description')).toMatch(/Last known figures/);
      expect(await panel.getAttribute('aria-description')).toMatch(/Last known figures/);
      expect(await page.getByRole('region', { name: 'Summary' }).getAttribute('class')).toMatch(/\bis-stale\b/);
      for (const button of actionButtons(panel, page)) {
        expect(await button.isDisabled(), `${await button.innerText()} disabled`).toBe(true);
        expect(await button.getAttribute('title')).toMatch(OFFLINE);
      }
      // The banner never says "closed" while the transport retries, and is the only alert: the process table keeps its last rows, no error of its own.
      expect(await banner.innerText()).not.toMatch(/closed/);
      expect(await page.getByRole('alert').filter({ hasText: 'Could not read the process tree' }).count()).toBe(0);

      // The same folder and port: the token kept in <dataDir>/web-token lets the page back in.
      host = await startWebHost({ dataDir, sampleMs: TEST_SAMPLE_MS, port });
      expect(host.token).toBe(token);
      await banner.waitFor({ state: 'detached', timeout: 20_000 });
      await textUntil(row, 'the row live again', (t) => /\brunning\b/.test(t) && !t.includes('last known'));
      await waitForState(panel, 'running');
      expect(await row.getAttribute('aria-description')).toBeNull();
      await until('Stop enabled again', () => stop.isEnabled(), 10_000);

      // Live for real: Stop goes through the new host.
      await stop.click();
      const confirm = page.getByRole('alertdialog', { name: 'Stop Sleeper?' });
      await confirm.waitFor({ timeout: 5_000 });
      await confirm.getByRole('button', { name: 'Stop', exact: true }).click();
      await waitForState(panel, 'cancelled', 20_000);
      await until('the sleeper gone', () => !isPidAlive(pid), 10_000);
      expect(app.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    },
    120_000,
  );
});
