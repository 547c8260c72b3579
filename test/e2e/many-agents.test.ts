/**
 * Fifty agents at once, started through the contract over a WebSocket (as a
 * second client would), and the keyboard: the list shows every one of them
 * and stays usable; Ctrl+N, Escape, the arrows and Enter do what they say.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { liveAgentProcesses } from '../helpers/proc';
import { agentPanel, agentRow, focusedLabel, nodeAgentRequest, SHARED_FIXTURES, textUntil, until, WireClient } from './harness';
import { useE2E } from './session';

const e2e = useE2E('many');
const SLEEPER = path.join(SHARED_FIXTURES, 'sleeper.mjs');

/** Starts `ids` through the contract, all at once; every answer must be `running`. */
async function startSleepers(ids: string[]): Promise<void> {
  const client = await WireClient.connect(e2e.host);
  try {
    const answers = await Promise.all(ids.map((id) => client.must<{ status: string }>('spawnAgent', nodeAgentRequest(id, SLEEPER, [], `Sleeper ${id.slice(-2)}`))));
    expect(answers.map((a) => a.status)).toEqual(ids.map(() => 'running'));
  } finally {
    client.close();
  }
}

/** The agent id in a row's accessible name `<name> (<id>)`. */
function idInLabel(label: string): string | null {
  return /\(([A-Za-z0-9][A-Za-z0-9._-]*)\)/.exec(label)?.[1] ?? null;
}

/** Focuses the first agent in the tree (click, which selects it too) and returns its id. */
async function focusFirstRow(page: Page, ids: string[]): Promise<string> {
  const tree = page.getByRole('tree', { name: 'Agents' });
  await tree.getByRole('treeitem').first().click();
  const { label } = await focusedLabel(page);
  const id = idInLabel(label);
  expect(id, `focused element after clicking the first row: ${label}`).not.toBeNull();
  expect(ids).toContain(id);
  return id!;
}

describe('many agents and the keyboard', () => {
  test(
    'fifty running agents are all listed and the list stays usable from the keyboard',
    async () => {
      const ids = Array.from({ length: 50 }, (_, i) => `${e2e.prefix}-s${String(i).padStart(2, '0')}`);
      await startSleepers(ids);
      expect(liveAgentProcesses(e2e.prefix)).toHaveLength(50);

      const { page } = await e2e.open();
      const summary = page.getByRole('region', { name: 'Summary' });
      await textUntil(summary, 'the summary to count 50 running', (t) => /running\s*50\b/.test(t), 30_000);

      // Walk the whole list with ArrowDown (the list may be virtualised: not every row need be in the DOM at once).
      const seen = new Set<string>([await focusFirstRow(page, ids)]);
      for (let i = 0; i < 60 && seen.size < 50; i++) {
        await page.keyboard.press('ArrowDown');
        const id = idInLabel((await focusedLabel(page)).label);
        if (id !== null) seen.add(id);
      }
      expect([...seen].sort()).toEqual([...ids].sort());

      // Every row says running.
      const last = [...seen].at(-1)!;
      await textUntil(agentRow(page, last), 'the last row to say running', (t) => /\brunning\b/.test(t));

      // Enter opens the focused agent.
      await page.keyboard.press('Enter');
      const panel = agentPanel(page, last);
      await panel.waitFor({ timeout: 10_000 });
      await textUntil(panel.getByRole('status', { name: 'State' }), 'its state', (t) => t.trim() === 'running');
      await panel.getByRole('img', { name: 'CPU % over time' }).waitFor({ timeout: 10_000 });
    },
    120_000,
  );

  test(
    'keyboard: Ctrl+N opens the New agent dialog, Escape closes it, arrows move in the tree, Enter opens, Delete asks to stop',
    async () => {
      const ids = [0, 1, 2].map((i) => `${e2e.prefix}-k${i}`);
      await startSleepers(ids);
      const { page } = await e2e.open();
      // Earlier tests' agents are still listed (ended): the filter narrows the tree to these three.
      await page.getByRole('searchbox', { name: 'Filter agents' }).fill(`${e2e.prefix}-k`);
      await until('three rows', async () => (await Promise.all(ids.map((id) => agentRow(page, id).count()))).every((n) => n === 1));
      expect(await page.getByRole('tree', { name: 'Agents' }).getByRole('treeitem').count()).toBe(3);

      await page.keyboard.press('Control+n');
      const dialog = page.getByRole('dialog', { name: 'New agent' });
      await dialog.waitFor({ timeout: 5_000 });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden', timeout: 5_000 });

      const first = await focusFirstRow(page, ids);
      await page.keyboard.press('ArrowDown');
      const second = idInLabel((await focusedLabel(page)).label);
      expect(second).not.toBeNull();
      expect(second).not.toBe(first);
      await page.keyboard.press('ArrowUp');
      expect(idInLabel((await focusedLabel(page)).label)).toBe(first);
      await page.keyboard.press('ArrowDown');

      await page.keyboard.press('Enter');
      await agentPanel(page, second!).waitFor({ timeout: 10_000 });

      // Delete on the selected row asks before stopping; Cancel leaves it running.
      await page.getByRole('tree', { name: 'Agents' }).focus();
      expect(idInLabel((await focusedLabel(page)).label)).toBe(second);
      await page.keyboard.press('Delete');
      const confirm = page.getByRole('alertdialog', { name: /^Stop .+\?$/ });
      await confirm.waitFor({ timeout: 5_000 });
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await confirm.waitFor({ state: 'hidden' });
      expect(liveAgentProcesses(second!)).toHaveLength(1);
    },
    60_000,
  );
});
