/**
 * The list's multi-selection survives a reload of the tab (sessionStorage, per
 * data folder); an agent removed meanwhile drops out silently; another tab of
 * the same browser starts with nothing selected.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { agentRow, nodeAgentRequest, SHARED_FIXTURES, textUntil, until, WireClient } from './harness';
import { useE2E } from './session';

const e2e = useE2E('list-sel-reload');
const SLEEPER = path.join(SHARED_FIXTURES, 'sleeper.mjs');
const EXIT = path.join(SHARED_FIXTURES, 'exit-code.mjs');

function bar(page: Page) {
  return page.getByRole('toolbar', { name: 'Selected agents' });
}

async function selectedIds(page: Page, ids: readonly string[]): Promise<string[]> {
  const selected: string[] = [];
  for (const id of ids) if ((await agentRow(page, id).getAttribute('aria-selected')) === 'true') selected.push(id);
  return selected;
}

describe('multi-selection across a reload', () => {
  test(
    'a Shift range is still selected after a reload; a removed agent drops out; a new tab has none',
    async () => {
      const [first, second, third] = [1, 2, 3].map((i) => e2e.id(`sel${i}`)) as [string, string, string];
      const ended = e2e.id('ended');
      const client = await WireClient.connect(e2e.host);
      try {
        for (const [i, id] of [first, second, third].entries()) await client.must('spawnAgent', nodeAgentRequest(id, SLEEPER, [], `Keep ${i + 1}`));
        await client.must('spawnAgent', nodeAgentRequest(ended, EXIT, ['0'], 'Keep 4 ended'));
        await until('the ended agent to complete', async () => (await client.must<{ state: string }>('getAgent', { agentId: ended })).state === 'completed');

        const { page } = await e2e.open();
        const all = [first, second, third, ended];
        await until('four rows', async () => (await page.getByRole('tree', { name: 'Agents' }).getByRole('treeitem').count()) === 4);

        // Keep 2 to Keep 4 (sorted by name): three selected, Keep 1 not.
        await agentRow(page, second).click();
        await agentRow(page, ended).click({ modifiers: ['Shift'] });
        await textUntil(bar(page), 'three selected', (t) => t.includes('3 selected'));

        await page.reload();
        await page.getByRole('heading', { level: 1, name: 'Corral' }).waitFor({ timeout: 15_000 });
        await textUntil(bar(page), 'three selected after the reload', (t) => t.includes('3 selected'));
        expect(await selectedIds(page, all)).toEqual([second, third, ended]);

        // The ended agent is removed elsewhere: after the next reload it is simply gone from the selection.
        await client.must('removeAgent', { agentId: ended });
        await until('the removed row gone', async () => (await agentRow(page, ended).count()) === 0);
        await page.reload();
        await page.getByRole('heading', { level: 1, name: 'Corral' }).waitFor({ timeout: 15_000 });
        await textUntil(bar(page), 'two selected after the removal and reload', (t) => t.includes('2 selected'));
        expect(await selectedIds(page, [first, second, third])).toEqual([second, third]);

        // Escape clears it, and a reload then restores nothing.
        await page.getByRole('tree', { name: 'Agents' }).focus();
        await page.keyboard.press('Escape');
        await bar(page).waitFor({ state: 'hidden', timeout: 5_000 });
        await page.reload();
        await agentRow(page, first).waitFor({ timeout: 15_000 });
        await until('the list to be loaded', async () => (await page.getByRole('tree', { name: 'Agents' }).getByRole('treeitem').count()) === 3);
        expect(await bar(page).count()).toBe(0);

        // Another tab (its own sessionStorage) starts with nothing selected, whatever this one has.
        await agentRow(page, first).click();
        await agentRow(page, third).click({ modifiers: ['Shift'] });
        await textUntil(bar(page), 'three selected again', (t) => t.includes('3 selected'));
        const tab = await page.context().newPage();
        await tab.goto(e2e.host.url);
        await until('the other tab listed', async () => (await tab.getByRole('tree', { name: 'Agents' }).getByRole('treeitem').count()) === 3);
        expect(await bar(tab).count()).toBe(0);
      } finally {
        client.close();
      }
    },
    90_000,
  );
});
