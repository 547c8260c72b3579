/**
 * An agent's life through the real UI in a real browser: started from the New
 * agent dialog, watched (state, CPU chart, log), searched, stopped, failing,
 * and refused at launch.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { liveAgentProcesses } from '../helpers/proc';
import { agentRow, factValue, launchAndOpen, NODE, openAgent, openFixtureLogs, openNewAgentDialog, startAgentFromDialog, textUntil, until, waitForState } from './harness';
import { useE2E } from './session';

const e2e = useE2E('life');
const TIMEOUT = 60_000;

/** Starts the Demo agent (the dialog's default preset) under `agentId` and waits for the dialog to close. */
async function startDemo(page: Page, agentId: string, name: string): Promise<void> {
  const dialog = await startAgentFromDialog(page, { agentId, name });
  await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
}

/** Lines in the log region (its text, split; empty lines dropped). */
async function logLines(page: Page): Promise<string[]> {
  const text = (await page.getByRole('log', { name: 'Log output' }).innerText({ timeout: 5_000 })) ?? '';
  return text.split('\n').filter((line) => line.trim() !== '');
}

describe('agent lifecycle in the browser', () => {
  test(
    'the Demo agent starts from the New agent dialog (default preset) and shows running, a CPU chart and a growing log',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('demo');

      // The default preset is the Demo agent.
      const dialog = await openNewAgentDialog(page);
      const preset = dialog.getByRole('combobox', { name: 'Preset' });
      await preset.getByRole('option', { name: 'Demo agent', selected: true }).waitFor({ state: 'attached', timeout: 5_000 });
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });

      await startDemo(page, id, 'Demo e2e');
      const row = agentRow(page, id);
      await textUntil(row, 'the demo row to say running', (text) => /\brunning\b/.test(text));

      const panel = await openAgent(page, id);
      await waitForState(panel, 'running');
      await panel.getByRole('img', { name: 'CPU % over time' }).waitFor({ timeout: 10_000 });
      expect(await panel.getByRole('img', { name: 'Memory over time' }).count()).toBeGreaterThan(0);

      await panel.getByRole('tab', { name: 'Logs' }).click();
      const log = page.getByRole('log', { name: 'Log output' });
      await log.waitFor();
      const first = await until('the log to show lines', async () => {
        const lines = await logLines(page);
        return lines.length > 0 ? lines : null;
      });
      // New lines arrive while it runs: the last line changes, or there are more of them.
      await until(
        'the log to gain lines',
        async () => {
          const now = await logLines(page);
          return now.length > first.length || now.at(-1) !== first.at(-1);
        },
        20_000,
        200,
      );
    },
    TIMEOUT,
  );

  test(
    'log search counts matches and Next / Previous move between them',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('needles');
      await openFixtureLogs(page, { name: 'Needles', agentId: id, script: 'needles.mjs' });
      await textUntil(page.getByRole('log', { name: 'Log output' }), 'all 20 lines', (text) => text.includes('line 20: a needle here'));

      const search = page.getByRole('searchbox', { name: 'Search logs' });
      const matches = page.getByRole('status', { name: 'Matches' });
      await search.fill('needle');
      const counted = await textUntil(matches, 'the match count', (text) => /\b\d+ of 4\b/.test(text));
      const current = Number(/(\d+) of 4/.exec(counted)![1]);
      const next = page.getByRole('button', { name: 'Next match' });
      const previous = page.getByRole('button', { name: 'Previous match' });
      if (current < 4) {
        await next.click();
        await textUntil(matches, `match ${current + 1} of 4`, (text) => text.includes(`${current + 1} of 4`));
        await previous.click();
        await textUntil(matches, `match ${current} of 4`, (text) => text.includes(`${current} of 4`));
      } else {
        await previous.click();
        await textUntil(matches, 'match 3 of 4', (text) => text.includes('3 of 4'));
        await next.click();
        await textUntil(matches, 'match 4 of 4', (text) => text.includes('4 of 4'));
      }

      await search.fill('no-such-word-anywhere');
      await textUntil(matches, 'No matches', (text) => text.includes('No matches'));
    },
    TIMEOUT,
  );

  test(
    'Stop with confirmation ends the Demo agent gracefully: state cancelled, no process left',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('stop');
      await startDemo(page, id, 'Demo stop');
      const panel = await openAgent(page, id);
      await waitForState(panel, 'running');
      await until('the demo agent process to be visible in /proc', () => liveAgentProcesses(id).length > 0);

      await panel.getByRole('button', { name: 'Stop', exact: true }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Stop Demo stop?' });
      await confirm.waitFor({ timeout: 5_000 });
      await confirm.getByRole('button', { name: 'Stop', exact: true }).click();

      await waitForState(panel, 'cancelled', 30_000);
      await textUntil(agentRow(page, id), 'the row to say cancelled', (text) => /\bcancelled\b/.test(text));
      await until('every process of the agent to be gone', () => liveAgentProcesses(id).length === 0, 10_000);
    },
    TIMEOUT,
  );

  test(
    'a Custom command that exits with 3 is shown failed with exit code 3',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('exit3');
      const panel = await launchAndOpen(page, {
        preset: 'Custom command',
        name: 'Exit three',
        agentId: id,
        program: NODE,
        args: ['-e', 'process.exit(3)'],
      });
      await waitForState(panel, 'failed');
      expect(await until('the Exit code fact', () => factValue(panel, 'Exit code'))).toBe('3');
      await textUntil(agentRow(page, id), 'the row to say failed', (text) => /\bfailed\b/.test(text));
    },
    TIMEOUT,
  );

  test(
    'a missing executable is refused with an inline alert in the dialog and no agent runs',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('missing');
      const dialog = await startAgentFromDialog(page, {
        preset: 'Custom command',
        name: 'Missing program',
        agentId: id,
        program: 'corral-no-such-program-xyz',
        args: ['--help'],
      });
      const alert = dialog.getByRole('alert');
      const text = await textUntil(alert, 'the spawn error in the dialog', (t) => t.includes('corral-no-such-program-xyz'));
      expect(text).toMatch(/not found|no such|cannot find|could not find/i);
      // The dialog stays open with the error; nothing runs.
      expect(await dialog.isVisible()).toBe(true);
      expect(liveAgentProcesses(id)).toEqual([]);
      const row = agentRow(page, id);
      if ((await row.count()) > 0) expect(await row.first().innerText()).not.toMatch(/\brunning\b/);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await textUntil(page.getByRole('region', { name: 'Summary' }), 'no running agents in the summary', (t) => !/running\s*[1-9]/.test(t));
    },
    TIMEOUT,
  );
});
