/**
 * Issue 13, item 2: a start the OS refuses (program `/nonexistent/tool`)
 * shows its reason in the dialog and leaves nothing behind: no agent in the
 * engine or the list, no Failed notice. Fixed in the same dialog and started
 * again, the id is one agent with one run.
 */
import path from 'node:path';
import { expect, test } from 'vitest';
import { agentRow, NODE, openAgent, SHARED_FIXTURES, startAgentFromDialog, textUntil, until, waitForState, WireClient } from './harness';
import { useE2E } from './session';

const e2e = useE2E('refused');
const TIMEOUT = 60_000;
const SLEEPER = path.join(SHARED_FIXTURES, 'sleeper.mjs');

test(
  'a refused start creates no agent and no notice; fixed and started again, one agent with one run',
  async () => {
    const { page } = await e2e.open();
    const id = e2e.id('tool');
    const dialog = await startAgentFromDialog(page, { preset: 'Custom command', name: 'Refused tool', agentId: id, program: '/nonexistent/tool' });
    await textUntil(dialog.getByRole('alert'), 'the spawn error in the dialog', (text) => text.includes('/nonexistent/tool'));

    // Nothing of it in the engine (the list and the notices are built from this).
    const client = await WireClient.connect(e2e.host);
    try {
      expect(Object.keys(await client.must<Record<string, unknown>>('monitorAllAgents'))).not.toContain(id);
      expect(await client.call('getAgent', { agentId: id })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    } finally {
      client.close();
    }

    // Fixed in the same dialog, Start again.
    await dialog.getByRole('textbox', { name: 'Program', exact: true }).fill(NODE);
    await dialog.getByRole('textbox', { name: 'Arguments', exact: true }).fill(SLEEPER);
    await dialog.getByRole('button', { name: 'Start' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
    const panel = await openAgent(page, id);
    await waitForState(panel, 'running');
    expect(await agentRow(page, id).count()).toBe(1);
    await panel.getByRole('tab', { name: 'Runs' }).click();
    const runs = panel.getByRole('table', { name: 'Runs' }).getByRole('row').filter({ has: page.getByRole('cell') });
    await until('the run in the Runs tab', async () => (await runs.count()) > 0);
    expect(await runs.count()).toBe(1);
    expect(await runs.first().innerText()).toMatch(/running \(PID \d+\)/);

    // No Failed notice was ever shown for it (the refused try was no agent).
    const notices = page.getByRole('region', { name: 'Notifications' }).getByRole('status');
    const texts = await notices.allInnerTexts();
    expect(texts.filter((text) => text.includes(id))).toEqual([]);
  },
  TIMEOUT,
);
