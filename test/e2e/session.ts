/**
 * One web host and one Chromium per test file; a fresh browser context per
 * test. After each test every agent is stopped through the contract (stopAll)
 * and /proc must show none left; after the file, the browser closes and serve's
 * process group is killed.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { liveAgentProcesses } from '../helpers/proc';
import {
  e2ePrefix,
  killPids,
  launchBrowser,
  liveProcessesUnder,
  openApp,
  startWebHost,
  stopAllAgents,
  stopWebHost,
  type AppPage,
  type OpenAppOptions,
  type WebHost,
} from './harness';

/** The host samples this often in tests (when serve supports --sample-ms). */
export const TEST_SAMPLE_MS = 250;

export interface E2E {
  readonly host: WebHost;
  readonly browser: Browser;
  /** Unique prefix for every agent id this file starts. */
  readonly prefix: string;
  /** A new agent id under the prefix. */
  id(name: string): string;
  /** A fresh context + page on the app, closed after the test. */
  open(options?: OpenAppOptions): Promise<AppPage>;
}

export function useE2E(name: string): E2E {
  const prefix = e2ePrefix(name);
  let host: WebHost | undefined;
  let browser: Browser | undefined;
  const pages: AppPage[] = [];
  let counter = 0;

  beforeAll(async () => {
    host = await startWebHost({ sampleMs: TEST_SAMPLE_MS });
    try {
      browser = await launchBrowser();
    } catch (error) {
      await stopWebHost(host);
      throw error;
    }
  }, 90_000);

  afterEach(async () => {
    const apps = pages.splice(0);
    for (const app of apps) await app.context.close().catch(() => undefined);
    // An uncaught exception in the page is a bug, whatever the test was about.
    const uncaught = apps.flatMap((app) => app.errors.filter((error) => error.startsWith('pageerror')));
    if (!host) return;
    const left = await stopAllAgents(host);
    const byPrefix = liveAgentProcesses(prefix);
    killPids(byPrefix.map((p) => p.pid));
    expect(left, 'agent processes still alive after stopAll (killed by pid)').toEqual([]);
    expect(byPrefix, `processes carrying CORRAL_AGENT_ID=${prefix}… still alive`).toEqual([]);
    expect(uncaught, 'uncaught errors in the page').toEqual([]);
  }, 90_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (!host) return;
    const left = await stopAllAgents(host);
    const dataDir = host.dataDir;
    await stopWebHost(host);
    const after = [...liveProcessesUnder(dataDir), ...liveAgentProcesses(prefix)];
    killPids(after.map((p) => p.pid));
    expect(left, 'agent processes alive at the end of the file').toEqual([]);
    expect(after, 'agent processes alive after serve was stopped').toEqual([]);
  }, 90_000);

  return {
    get host() {
      if (!host) throw new Error('the web host did not start');
      return host;
    },
    get browser() {
      if (!browser) throw new Error('the browser did not start');
      return browser;
    },
    prefix,
    id: (what: string) => `${prefix}-${what}-${++counter}`,
    async open(options) {
      const app = await openApp(this.browser, this.host, options);
      pages.push(app);
      return app;
    },
  };
}
