/**
 * Multi-select in the agents list: Shift click (range), Ctrl click (toggle),
 * Ctrl+A (all visible), Escape clears, arrows go back to one row; the bar's
 * Stop / Force kill / Remove selected, each confirmed and saying how many
 * (Remove only the ended ones, naming how many it skips).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { liveAgentProcesses } from '../helpers/proc';
import { agentRow, nodeAgentRequest, SHARED_FIXTURES, textUntil, until, WireClient } from './harness';
import { useE2E } from './session';

const e2e = useE2E('list-multi');
const SLEEPER = path.join(SHARED_FIXTURES, 'sleeper.mjs');
const EXIT = path.join(SHARED_FIXTURES, 'exit-code.mjs');

function bar(page: Page) {
  return page.getByRole('toolbar', { name: 'Selected agents' });
}

async function selectedRows(page: Page): Promise<number> {
  return page.getByRole('tree', { name: 'Agents' }).locator('[role="treeitem"][aria-selected="true"]').count();
}

describe('multi-select and bulk actions', () => {
  test(
    'Shift/Ctrl click, Ctrl+A and Escape build the selection; Stop, Force kill and Remove selected confirm with counts',
    async () => {
      const running = [1, 2, 3].map((i) => e2e.id(`run${i}`));
      const ended = e2e.id('ended');
      const client = await WireClient.connect(e2e.host);
      try {
        for (const [i, id] of running.entries()) await client.must('spawnAgent', nodeAgentRequest(id, SLEEPER, [], `Multi ${i + 1}`));
        await client.must('spawnAgent', nodeAgentRequest(ended, EXIT, ['0'], 'Multi 4 ended'));
        await until('the ended agent to complete', async () => (await client.must<{ state: string }>('getAgent', { agentId: ended })).state === 'completed');
      } finally {
        client.close();
      }

      const { page } = await e2e.open();
      await page.getByRole('searchbox', { name: 'Filter agents' }).fill(e2e.prefix);
      await until('four rows', async () => (await page.getByRole('tree', { name: 'Agents' }).getByRole('treeitem').count()) === 4);

      // Plain click on the first, Shift click on the last: all four selected.
      await agentRow(page, running[0]!).click();
      await agentRow(page, ended).click({ modifiers: ['Shift'] });
      await textUntil(bar(page), 'four selected', (t) => t.includes('4 selected'));
      expect(await selectedRows(page)).toBe(4);
      await bar(page).getByRole('button', { name: 'Stop selected (3)' }).waitFor({ timeout: 5_000 });
      await bar(page).getByRole('button', { name: 'Force kill selected (3)' }).waitFor({ timeout: 5_000 });

      // Remove applies to the ended one only and says how many it skips.
      await bar(page).getByRole('button', { name: 'Remove selected (1)' }).click();
      let dialog = page.getByRole('alertdialog', { name: 'Remove 1 agent?' });
      await textUntil(dialog, 'the skipped count', (t) => t.includes('3 selected agents are still running and are skipped'));
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });

      // Force kill is confirmed like the single one; cancelled here.
      await bar(page).getByRole('button', { name: 'Force kill selected (3)' }).click();
      dialog = page.getByRole('alertdialog', { name: 'Force kill 3 agents?' });
      await textUntil(dialog, 'the force-kill warning', (t) => t.includes('skips the graceful stages'));
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });

      // Ctrl click toggles one out.
      await agentRow(page, running[2]!).click({ modifiers: ['Control'] });
      await textUntil(bar(page), 'three selected', (t) => t.includes('3 selected'));
      expect(await agentRow(page, running[2]!).getAttribute('aria-selected')).toBe('false');

      // Escape clears; Ctrl+A selects every visible row; an arrow goes back to one row.
      const tree = page.getByRole('tree', { name: 'Agents' });
      await tree.focus();
      await page.keyboard.press('Escape');
      await bar(page).waitFor({ state: 'hidden', timeout: 5_000 });
      await page.keyboard.press('Control+a');
      await textUntil(bar(page), 'all four selected', (t) => t.includes('4 selected'));
      await page.keyboard.press('ArrowDown');
      await bar(page).waitFor({ state: 'hidden', timeout: 5_000 });
      expect(await selectedRows(page)).toBe(1);

      // Stop the first two (Shift range), confirmed with the count.
      await agentRow(page, running[0]!).click();
      await agentRow(page, running[1]!).click({ modifiers: ['Shift'] });
      await bar(page).getByRole('button', { name: 'Stop selected (2)' }).click();
      dialog = page.getByRole('alertdialog', { name: 'Stop 2 agents?' });
      await dialog.getByRole('button', { name: 'Stop', exact: true }).click();
      await until('the two stopped agents to be gone', () => liveAgentProcesses(running[0]!).length === 0 && liveAgentProcesses(running[1]!).length === 0, 20_000);
      expect(liveAgentProcesses(running[2]!)).toHaveLength(1);

      // Ctrl+A, then Remove selected removes the three ended ones and skips the running one.
      await tree.focus();
      await page.keyboard.press('Control+a');
      await bar(page).getByRole('button', { name: 'Remove selected (3)' }).click();
      dialog = page.getByRole('alertdialog', { name: 'Remove 3 agents?' });
      await textUntil(dialog, 'one skipped', (t) => t.includes('1 selected agent is still running and is skipped'));
      await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
      await until('only the running agent left', async () => (await tree.getByRole('treeitem').count()) === 1, 15_000);
      expect(await agentRow(page, running[2]!).count()).toBe(1);
    },
    90_000,
  );
});
