/**
 * The Logs tab as a daily tool (issue 13): a seen-at timestamp per line
 * (toggle), a marker line between runs, a wrap toggle, a download of the
 * whole log, Corral's own lines on a line of their own, and the layout (the
 * log fills the height; the search's buttons stay on the search row).
 * Real host, real /bin/sh, Chromium through the web host.
 */
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import type { AgentView } from '../../src-preload/contract';
import { openAgent, textUntil, until, WireClient, type WebHost } from './harness';
import { useE2E } from './session';

const e2e = useE2E('logview');
const TIMEOUT = 60_000;
const RESTART = { mode: 'on-failure', maxRestarts: 2, initialDelayMs: 100, maxDelayMs: 200, resetAfterMs: 60_000 } as const;

/** Starts `script` under /bin/sh through the contract and waits until the agent is in one of `states`. */
async function runUntil(host: WebHost, agentId: string, script: string, states: string[], extra: Record<string, unknown> = {}): Promise<void> {
  const client = await WireClient.connect(host);
  try {
    await client.must('spawnAgent', { requestId: `${agentId}-req`, agentId, agentName: agentId, agentType: 'e2e', command: ['/bin/sh', '-c', script], ...extra });
    await until(`the agent to be ${states.join(' or ')}`, async () => states.includes((await client.must<AgentView>('getAgent', { agentId })).state), 30_000, 100);
  } finally {
    client.close();
  }
}

async function openLogs(page: Page, agentId: string): Promise<Locator> {
  const panel = await openAgent(page, agentId);
  await panel.getByRole('tab', { name: 'Logs' }).click();
  return page.getByRole('log', { name: 'Log output' });
}

describe('Logs tab', () => {
  test(
    'Timestamps shows when each line was seen, and hides it again',
    async () => {
      const agentId = e2e.id('stamps');
      await runUntil(e2e.host, agentId, 'echo hello-stamp', ['completed']);
      const { page } = await e2e.open();
      const log = await openLogs(page, agentId);
      await textUntil(log, 'the line', (t) => t.includes('hello-stamp'));
      const row = log.locator('.log-line', { hasText: 'hello-stamp' });
      expect(await row.innerText()).not.toMatch(/\d\d:\d\d:\d\d\.\d{3}/);
      const toggle = page.getByRole('checkbox', { name: 'Timestamps' });
      await toggle.check();
      await until('a time before the line', async () => /^\d\d:\d\d:\d\d\.\d{3}\s+hello-stamp/.test((await row.innerText()).trim()));
      await toggle.uncheck();
      await until('the time gone', async () => (await row.innerText()).trim() === 'hello-stamp');
    },
    TIMEOUT,
  );

  test(
    'Wrap lines folds a long line onto several rows instead of scrolling sideways',
    async () => {
      const agentId = e2e.id('wrap');
      await runUntil(e2e.host, agentId, "printf 'long-%.0s' $(seq 1 600); echo; echo after-long", ['completed']);
      const { page } = await e2e.open();
      const log = await openLogs(page, agentId);
      await textUntil(log, 'the lines', (t) => t.includes('after-long'));
      const overflows = () => log.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
      expect(await overflows(), 'unwrapped: the long line scrolls sideways').toBe(true);
      await page.getByRole('checkbox', { name: 'Wrap lines' }).check();
      await until('no sideways scroll', async () => !(await overflows()));
      const long = log.locator('.log-line', { hasText: 'long-long-' });
      const after = log.locator('.log-line', { hasText: 'after-long' });
      const longBox = (await long.boundingBox())!;
      const afterBox = (await after.boundingBox())!;
      expect(longBox.height, 'the long line takes several rows').toBeGreaterThan(3 * 18);
      expect(afterBox.y, 'the next line starts below it').toBeGreaterThanOrEqual(longBox.y + longBox.height - 1);
      await page.getByRole('checkbox', { name: 'Wrap lines' }).uncheck();
      await until('sideways scroll again', overflows);
    },
    TIMEOUT,
  );

  test(
    'a marker line between runs names the run, its trigger and time',
    async () => {
      const agentId = e2e.id('runs');
      await runUntil(e2e.host, agentId, 'echo run-out; exit 3', ['crash-looping'], { restart: RESTART });
      const { page } = await e2e.open();
      const log = await openLogs(page, agentId);
      const text = await textUntil(log, 'three runs', (t) => (t.match(/run-out/g) ?? []).length === 3);
      for (const run of [2, 3]) {
        const marker = log.getByRole('separator', { name: new RegExp(`^Run ${run} started \\(restart\\) at \\d\\d:\\d\\d:\\d\\d`) });
        await marker.waitFor({ timeout: 10_000 });
      }
      const lines = text.split('\n').filter((line) => /run-out|Run \d|Restarting in/.test(line));
      const order = lines.map((line) => (line.includes('run-out') ? 'out' : /Run \d/.test(line) ? 'marker' : 'corral'));
      expect(order).toEqual(['out', 'corral', 'marker', 'out', 'corral', 'marker', 'out']);
    },
    TIMEOUT,
  );

  test(
    'Corral\'s "Restarting in" line starts a line of its own after a partial line of the agent',
    async () => {
      const agentId = e2e.id('own-line');
      // A partial stderr line (no newline) before each exit: Corral's line must not join it.
      await runUntil(e2e.host, agentId, "printf 'partial-err' >&2; exit 3", ['crash-looping'], { restart: RESTART });
      const { page } = await e2e.open();
      const log = await openLogs(page, agentId);
      await page.getByRole('radiogroup', { name: 'Stream' }).getByRole('radio', { name: 'stderr' }).check();
      const text = await textUntil(log, 'both restart lines', (t) => (t.match(/Restarting in/g) ?? []).length === 2);
      const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
      for (const line of lines.filter((l) => l.includes('Restarting in'))) expect(line).toMatch(/^\[corral \d{4}-\d\d-\d\dT[^\]]+\] .*Restarting in/);
      expect(lines.filter((line) => line === 'partial-err')).toHaveLength(3);
    },
    TIMEOUT,
  );

  test(
    'Download log saves the whole log, also what the view has not loaded',
    async () => {
      const agentId = e2e.id('download');
      // 400 KB: more than the view's first read (256 KiB).
      await runUntil(e2e.host, agentId, 'echo first-line; i=0; while [ $i -lt 4000 ]; do echo line-$i-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; i=$((i+1)); done; echo last-line', [
        'completed',
      ]);
      const { page } = await e2e.open();
      const log = await openLogs(page, agentId);
      await textUntil(log, 'the last line', (t) => t.includes('last-line'));
      await page.getByRole('radiogroup', { name: 'Stream' }).getByRole('radio', { name: 'stdout' }).check();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download log' }).click()]);
      const saved = await readFile((await download.path())!, 'utf8');
      const lines = saved.split('\n');
      expect(lines[0]).toBe('first-line');
      expect(lines.filter((line) => line.startsWith('line-')).length).toBe(4000);
      expect(lines.at(-2)).toBe('last-line');
      expect(download.suggestedFilename()).toBe(`${agentId}-stdout.log`);
    },
    TIMEOUT,
  );

  test(
    'Download log in the both view merges the two streams in the order the lines were written',
    async () => {
      const agentId = e2e.id('download-both');
      await runUntil(e2e.host, agentId, 'for i in 1 2 3; do echo out$i; sleep 0.1; echo err$i >&2; sleep 0.1; done', ['completed']);
      const { page } = await e2e.open();
      const log = await openLogs(page, agentId);
      await page.getByRole('radiogroup', { name: 'Stream' }).getByRole('radio', { name: 'both' }).check();
      await textUntil(log, 'the last line', (t) => t.includes('err3'));
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download log' }).click()]);
      expect(download.suggestedFilename()).toBe(`${agentId}.log`);
      expect(await readFile((await download.path())!, 'utf8')).toBe('out1\nerr1\nout2\nerr2\nout3\nerr3\n');
    },
    TIMEOUT,
  );

  test(
    'the log fills the panel\'s height',
    async () => {
      const agentId = e2e.id('layout');
      await runUntil(e2e.host, agentId, 'echo layout', ['completed']);
      const { page } = await e2e.open({ viewport: { width: 1100, height: 900 } });
      const log = await openLogs(page, agentId);
      await textUntil(log, 'the line', (t) => t.includes('layout'));
      const box = (await log.boundingBox())!;
      const panel = (await page.getByRole('region', { name: `Agent ${agentId}` }).boundingBox())!;
      expect(panel.y + panel.height - (box.y + box.height), 'no empty space below the log').toBeLessThan(40);
    },
    TIMEOUT,
  );

  test(
    'the search\'s previous and next buttons stay on the search row at every width',
    async () => {
      const agentId = e2e.id('search-row');
      await runUntil(e2e.host, agentId, 'echo row', ['completed']);
      const { page } = await e2e.open();
      const log = await openLogs(page, agentId);
      await textUntil(log, 'the line', (t) => t.includes('row'));
      const middle = async (box: Promise<{ y: number; height: number } | null>) => {
        const b = (await box)!;
        return b.y + b.height / 2;
      };
      for (let width = 640; width <= 1600; width += 40) {
        await page.setViewportSize({ width, height: 800 });
        const search = await middle(page.getByRole('searchbox', { name: 'Search logs' }).boundingBox());
        for (const name of ['Previous match', 'Next match']) {
          const button = await middle(page.getByRole('button', { name }).boundingBox());
          expect(Math.abs(button - search), `${name} on the search row at ${width} px`).toBeLessThan(4);
        }
      }
    },
    TIMEOUT,
  );
});
