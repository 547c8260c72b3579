/**
 * The dark theme (the OS's prefers-color-scheme) reaches every panel: the
 * log panel's background, its stderr rows and search highlights, ANSI colours
 * (black included) and the dialogs are dark-on-dark readable, and the light
 * theme keeps its light log panel.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import path from 'node:path';
import { E2E_FIXTURES, NODE, openAgent, textUntil, until, waitForState, WireClient } from './harness';
import { useE2E } from './session';

const e2e = useE2E('dark');

type Rgba = [number, number, number, number];

/** A computed colour (`rgb(…)`/`rgba(…)`) as numbers. */
function parse(css: string): Rgba {
  const m = /rgba?\(([^)]+)\)/.exec(css);
  if (!m) throw new Error(`not an rgb colour: ${css}`);
  const [r, g, b, a] = m[1]!.split(/[ ,/]+/).filter(Boolean).map(Number);
  return [r!, g!, b!, a ?? 1];
}

/** `top` painted over the opaque `under`. */
function over(top: Rgba, under: Rgba): Rgba {
  const a = top[3];
  return [top[0] * a + under[0] * (1 - a), top[1] * a + under[1] * (1 - a), top[2] * a + under[2] * (1 - a), 1];
}

/** WCAG relative luminance, 0 (black) to 1 (white). */
function luminance([r, g, b]: Rgba): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function contrast(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

async function computed(locator: Locator, property: 'backgroundColor' | 'color'): Promise<Rgba> {
  // The node tsconfig has no DOM types: getComputedStyle is reached through globalThis.
  type Window = { getComputedStyle(element: unknown): Record<string, string> };
  // A log row can be replaced while it is read (lines keep arriving): read again until it was attached.
  const css = await until(`the ${property} of ${String(locator)}`, () => locator.evaluate((el, p) => (globalThis as unknown as Window).getComputedStyle(el)[p]!, property), 5_000);
  return parse(css);
}

/** Starts an agent through the contract and opens its Logs tab once it runs. */
async function openLogs(page: Page, agentId: string, name: string, command: string[]): Promise<Locator> {
  const client = await WireClient.connect(e2e.host);
  try {
    await client.must('spawnAgent', { requestId: `${agentId}-req`, agentId, agentName: name, agentType: 'e2e', command });
  } finally {
    client.close();
  }
  const panel = await openAgent(page, agentId);
  await waitForState(panel, 'running');
  await panel.getByRole('tab', { name: 'Logs' }).click();
  return panel;
}

function logOf(page: Page): Locator {
  return page.getByRole('log', { name: 'Log output' });
}

/** Prints plain, stderr and ANSI-coloured lines (black, blue, red) and stays up. */
const COLOURFUL = [
  "console.log('plain line');",
  "console.error('ERR warning line');",
  "console.log('\\u001b[30mBLACK text\\u001b[0m \\u001b[34mBLUE text\\u001b[0m \\u001b[31mRED text\\u001b[0m');",
  'setInterval(() => {}, 1000);',
].join(' ');

describe('dark theme', () => {
  test(
    'the log panel, its stderr rows, search highlights and ANSI colours, and the dialogs are dark and readable',
    async () => {
      const { page } = await e2e.open({ colorScheme: 'dark' });
      const id = e2e.id('colours');
      const panel = await openLogs(page, id, 'Colours', [NODE, '-e', COLOURFUL]);
      const log = logOf(page);
      await textUntil(log, 'all three lines', (t) => t.includes('plain line') && t.includes('ERR warning') && t.includes('BLACK text'));

      const page_ = await computed(page.locator('body'), 'backgroundColor');
      expect(luminance(page_), 'the page background').toBeLessThan(0.05);

      const logBg = await computed(log, 'backgroundColor');
      expect(luminance(logBg), `the log background ${logBg.join(',')}`).toBeLessThan(0.05);
      const logFg = await computed(log, 'color');
      expect(contrast(logFg, logBg), 'plain log text').toBeGreaterThan(7);

      // stderr rows: a dark tint, never the light theme's pink-on-white.
      const stderrRow = log.locator('[data-stream="stderr"]').filter({ hasText: 'ERR warning' });
      const stderrBg = over(await computed(stderrRow, 'backgroundColor'), logBg);
      expect(luminance(stderrBg), `the stderr row ${stderrBg.join(',')}`).toBeLessThan(0.05);
      expect(contrast(await computed(stderrRow, 'color'), stderrBg), 'stderr text').toBeGreaterThan(7);

      // ANSI colours, black and blue the hardest on dark: readable (WCAG AA for text, 4.5).
      for (const word of ['BLACK text', 'BLUE text', 'RED text']) {
        const span = log.getByText(word, { exact: true });
        expect(contrast(await computed(span, 'color'), logBg), word).toBeGreaterThan(4.5);
      }

      // A search highlight: readable text on its mark.
      await page.getByRole('searchbox', { name: 'Search logs' }).fill('plain');
      await textUntil(page.getByRole('status', { name: 'Matches' }), 'one match', (t) => t.includes('1 of 1'));
      await page.getByRole('searchbox', { name: 'Search logs' }).fill('line');
      await textUntil(page.getByRole('status', { name: 'Matches' }), 'two matches', (t) => t.includes('of 2'));
      const other = log.locator('mark.log-match:not(.log-match-current)').first();
      const markBg = over(await computed(other, 'backgroundColor'), logBg);
      expect(contrast(await computed(other, 'color'), markBg), 'text on a search highlight').toBeGreaterThan(4.5);
      expect(luminance(markBg), 'a highlight that does not glare').toBeLessThan(0.3);

      // Dialogs: the New agent dialog and a confirmation.
      await page.getByRole('button', { name: 'New agent' }).first().click();
      const dialog = page.getByRole('dialog', { name: 'New agent' });
      await dialog.waitFor();
      expect(luminance(await computed(dialog, 'backgroundColor')), 'the New agent dialog').toBeLessThan(0.05);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await panel.getByRole('button', { name: 'Stop', exact: true }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Stop Colours?' });
      await confirm.waitFor();
      const confirmBg = await computed(confirm, 'backgroundColor');
      expect(luminance(confirmBg), 'the confirmation').toBeLessThan(0.05);
      expect(contrast(await computed(confirm, 'color'), confirmBg)).toBeGreaterThan(7);
      await confirm.getByRole('button', { name: 'Cancel' }).click();

      // Tables: the process table on the Overview.
      await panel.getByRole('tab', { name: 'Overview' }).click();
      const table = panel.getByRole('table', { name: 'Processes' });
      await textUntil(table, 'a process row', (t) => t.includes('node'));
      const cell = table.getByRole('cell').first();
      expect(contrast(await computed(cell, 'color'), await computed(page.locator('body'), 'backgroundColor'))).toBeGreaterThan(7);
    },
    60_000,
  );

  test(
    'the light theme keeps a light log panel with its light stderr tint',
    async () => {
      const { page } = await e2e.open({ colorScheme: 'light' });
      const id = e2e.id('light');
      await openLogs(page, id, 'Light', [NODE, path.join(E2E_FIXTURES, 'two-streams.mjs')]);
      const log = logOf(page);
      await textUntil(log, 'both streams', (t) => t.includes('OUT-LINE') && t.includes('ERR-LINE'));
      const logBg = await computed(log, 'backgroundColor');
      expect(luminance(logBg)).toBeGreaterThan(0.9);
      const stderrRow = log.locator('[data-stream="stderr"]').first();
      expect(luminance(over(await computed(stderrRow, 'backgroundColor'), logBg))).toBeGreaterThan(0.8);
    },
    60_000,
  );
});
