/**
 * Lifecycle policies through the real UI in a real browser: a restart policy
 * that ends in crash-looping (and the Runs timeline that records it), the
 * stalled badge, a resource guard set from the Policies tab with its notice
 * (and the Settings switch that turns that kind off, kept across a reload),
 * and secret variables that never reach the page.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { liveAgentProcesses } from '../helpers/proc';
import { agentRow, fillAgentDialog, NODE, openAgent, textUntil, until, waitForState, WireClient } from './harness';
import { useE2E } from './session';

const e2e = useE2E('policies');
const TIMEOUT = 90_000;
const SECRET = 's3cr3t-value-123';

/** Opens the New agent dialog with a Custom command filled in (Node with `args`); returns the dialog, not yet started. */
function fillCustomAgent(page: Page, agent: { name: string; agentId: string; args: string[] }): Promise<Locator> {
  return fillAgentDialog(page, { preset: 'Custom command', name: agent.name, agentId: agent.agentId, program: NODE, args: agent.args });
}

/** Opens the dialog's folded Policies section. */
async function openPolicies(dialog: Locator): Promise<void> {
  const toggle = dialog.getByRole('button', { name: 'Policies', exact: true });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await dialog.getByRole('group', { name: 'Restart' }).waitFor({ timeout: 5_000 });
}

/** Presses Start, waits for the dialog to close and opens the agent. */
async function start(page: Page, dialog: Locator, agentId: string): Promise<Locator> {
  await dialog.getByRole('button', { name: 'Start', exact: true }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
  return openAgent(page, agentId);
}

/** Stops the agent through the contract (force) and waits until /proc shows none of its processes. */
async function stopAgent(agentId: string): Promise<void> {
  const client = await WireClient.connect(e2e.host);
  try {
    await client.call('stopAgent', { agentId, force: true });
  } finally {
    client.close();
  }
  await until(`${agentId} to leave no process`, () => liveAgentProcesses(agentId).filter((p) => p.agentId === agentId).length === 0, 15_000);
}

/** The data rows of a table (the header row has no cells). */
function bodyRows(page: Page, table: Locator): Locator {
  return table.getByRole('row').filter({ has: page.getByRole('cell') });
}

describe('lifecycle policies in the browser', () => {
  test(
    'an agent that always exits 1, restarted on failure at most twice, ends crash-looping and its Runs tab lists 3 runs that exited with code 1',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('loop');
      const dialog = await fillCustomAgent(page, { name: 'Crash loop', agentId: id, args: ['-e', 'process.exit(1)'] });
      await openPolicies(dialog);
      await dialog.getByRole('combobox', { name: 'Restart mode' }).selectOption({ label: 'On failure' });
      await dialog.getByRole('spinbutton', { name: 'Max restarts' }).fill('2');
      await dialog.getByRole('spinbutton', { name: 'First delay (s)' }).fill('0.1');
      const panel = await start(page, dialog, id);

      await waitForState(panel, 'crash-looping', 30_000);
      await textUntil(agentRow(page, id), 'the row to say crash-looping', (text) => /\bcrash-looping\b/.test(text));

      await panel.getByRole('tab', { name: 'Runs' }).click();
      const table = panel.getByRole('table', { name: 'Runs' });
      await table.waitFor({ timeout: 10_000 });
      const rows = bodyRows(page, table);
      await until('three runs in the Runs table', async () => (await rows.count()) === 3, 15_000, 100);
      const texts = await rows.allInnerTexts();
      expect(texts).toHaveLength(3);
      for (const text of texts) expect(text).toMatch(/Exited with code 1\b/);
      expect(liveAgentProcesses(id)).toEqual([]);
    },
    TIMEOUT,
  );

  test(
    'an agent that sleeps without output, with a 2 s stall policy, shows the stalled badge in its row',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('stall');
      const dialog = await fillCustomAgent(page, { name: 'Silent sleeper', agentId: id, args: ['-e', 'setTimeout(() => {}, 60000)'] });
      await openPolicies(dialog);
      // Stall detection is on by default.
      expect(await dialog.getByRole('checkbox', { name: 'Detect stalls' }).isChecked()).toBe(true);
      await dialog.getByRole('spinbutton', { name: 'Quiet for (s)' }).fill('2');
      const panel = await start(page, dialog, id);
      await waitForState(panel, 'running');

      await textUntil(agentRow(page, id), 'the stalled badge in the row', (text) => /\bstalled\b/.test(text), 10_000);
      await textUntil(panel.getByRole('list', { name: 'Lifecycle' }), 'the stall in the detail header', (text) => /\bstalled\b/.test(text), 5_000);
      await stopAgent(id);
    },
    TIMEOUT,
  );

  test(
    'a memory guard set from the Policies tab raises an alert and a Threshold notice; switching Threshold off in Settings survives a reload',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('guard');
      const dialog = await fillCustomAgent(page, { name: 'Guarded', agentId: id, args: ['-e', 'setInterval(() => {}, 1000)'] });
      const panel = await start(page, dialog, id);
      await waitForState(panel, 'running');

      await panel.getByRole('tab', { name: 'Policies' }).click();
      const form = panel.getByRole('form', { name: 'Policies' });
      await form.waitFor({ timeout: 5_000 });
      await form.getByRole('checkbox', { name: 'Use a resource guard' }).check();
      await form.getByRole('spinbutton', { name: 'Memory limit (MB)' }).fill('1');
      await form.getByRole('spinbutton', { name: 'Sustained for (s)' }).fill('1');
      await form.getByRole('combobox', { name: 'Guard action' }).selectOption({ label: 'Notify' });
      await form.getByRole('button', { name: 'Save policies' }).click();
      await textUntil(form, 'the save to be confirmed', (text) => text.includes('Saved'), 10_000);

      await textUntil(agentRow(page, id), 'the guard badge in the row', (text) => /memory limit/.test(text), 20_000);
      await textUntil(panel.getByRole('list', { name: 'Lifecycle' }), 'the guard alert in the detail header', (text) => /Resource guard: Memory/.test(text), 10_000);
      const notices = page.getByRole('region', { name: 'Notifications' });
      await textUntil(notices.getByRole('status'), 'a Threshold notice', (text) => /Threshold/i.test(text) && /memory limit/.test(text), 20_000);
      expect(liveAgentProcesses(id).length).toBeGreaterThan(0); // notify only: it keeps running

      // Turn the Threshold kind off; it is saved at once and kept across a reload.
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      let settings = page.getByRole('dialog', { name: 'Settings' });
      await settings.waitFor({ timeout: 5_000 });
      let threshold = settings.getByRole('checkbox', { name: 'Threshold' });
      await threshold.waitFor({ timeout: 10_000 });
      expect(await threshold.isChecked()).toBe(true);
      await threshold.uncheck();
      await textUntil(settings, 'the setting to be saved', (text) => text.includes('Saved.'), 10_000);
      await settings.getByRole('button', { name: 'Close' }).click();
      await settings.waitFor({ state: 'hidden' });

      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Corral' }).waitFor({ timeout: 15_000 });
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      settings = page.getByRole('dialog', { name: 'Settings' });
      threshold = settings.getByRole('checkbox', { name: 'Threshold' });
      await threshold.waitFor({ timeout: 10_000 });
      expect(await threshold.isChecked()).toBe(false);
      expect(await settings.getByRole('checkbox', { name: 'Failed' }).isChecked()).toBe(true);

      // Leave the shared host as found.
      await threshold.check();
      await textUntil(settings, 'the setting to be saved again', (text) => text.includes('Saved.'), 10_000);
      await settings.getByRole('button', { name: 'Close' }).click();
      await stopAgent(id);
    },
    TIMEOUT,
  );

  test(
    'a secret variable reaches the agent but never the page: masked in the log, absent from the HTML, named as secret on the Request tab',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('secret');
      const dialog = await fillCustomAgent(page, { name: 'Secret user', agentId: id, args: ['-e', "console.log('token=' + process.env.API_TOKEN)"] });
      const secrets = dialog.getByRole('group', { name: 'Secret variables' });
      await secrets.getByRole('button', { name: 'Add secret variable' }).click();
      await secrets.getByRole('textbox', { name: 'Secret name 1' }).fill('API_TOKEN');
      // A password input has no ARIA role: it is found by its label.
      const value = secrets.getByLabel('Secret value 1', { exact: true });
      expect(await value.getAttribute('type')).toBe('password');
      await value.fill(SECRET);
      // The web host keeps secrets in memory only, and says so beside the fields.
      expect(await secrets.innerText()).toMatch(/memory only/i);
      expect(await page.content()).not.toContain(SECRET);

      const panel = await start(page, dialog, id);
      await waitForState(panel, 'completed', 20_000);

      await panel.getByRole('tab', { name: 'Logs' }).click();
      const log = page.getByRole('log', { name: 'Log output' });
      const text = await textUntil(log, 'the token line', (t) => t.includes('token='), 15_000);
      expect(text).not.toContain(SECRET);
      // The agent did get the value (not "undefined"), and the log shows a mask in its place.
      expect(text).not.toContain('token=undefined');
      expect(text).toMatch(/token=\*{3,}/);
      expect(await page.content()).not.toContain(SECRET);

      await panel.getByRole('tab', { name: 'Request' }).click();
      await textUntil(panel, 'API_TOKEN named as secret', (t) => t.includes('API_TOKEN (secret)'), 10_000);
      expect(await page.content()).not.toContain(SECRET);
      expect(liveAgentProcesses(id)).toEqual([]);
    },
    TIMEOUT,
  );
});
