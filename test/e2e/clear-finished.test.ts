/**
 * Issue 13, Actions: Clear finished removes every ended agent at once, after
 * a confirmation that says how many; running agents stay.
 */
import path from 'node:path';
import { expect, test } from 'vitest';
import { agentRow, nodeAgentRequest, SHARED_FIXTURES, textUntil, until, WireClient } from './harness';
import { useE2E } from './session';

const e2e = useE2E('clear');
const TIMEOUT = 60_000;

test(
  'Clear finished asks, saying how many, then removes every ended agent and keeps the running one',
  async () => {
    const client = await WireClient.connect(e2e.host);
    try {
      const done = [e2e.id('done'), e2e.id('failed')];
      const live = e2e.id('live');
      await client.must('spawnAgent', nodeAgentRequest(done[0]!, path.join(SHARED_FIXTURES, 'exit-code.mjs'), ['0']));
      await client.must('spawnAgent', nodeAgentRequest(done[1]!, path.join(SHARED_FIXTURES, 'exit-code.mjs'), ['3']));
      await client.must('spawnAgent', nodeAgentRequest(live, path.join(SHARED_FIXTURES, 'sleeper.mjs')));
      const { page } = await e2e.open();
      await textUntil(agentRow(page, done[0]!), 'completed', (text) => /\bcompleted\b/.test(text));
      await textUntil(agentRow(page, done[1]!), 'failed', (text) => /\bfailed\b/.test(text));

      await page.getByRole('region', { name: 'Summary' }).getByRole('button', { name: 'Clear finished' }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Clear 2 finished agents?' });
      await confirm.waitFor();
      expect(await confirm.innerText()).toMatch(/2 ended agents and their logs are removed/);
      await confirm.getByRole('button', { name: 'Clear finished' }).click();

      await until('the ended agents gone from the list', async () => (await agentRow(page, done[0]!).count()) + (await agentRow(page, done[1]!).count()) === 0);
      expect(await agentRow(page, live).count()).toBe(1);
      expect(Object.keys(await client.must<Record<string, unknown>>('monitorAllAgents'))).toEqual([live]);
      expect(await page.getByRole('region', { name: 'Summary' }).getByRole('button', { name: 'Clear finished' }).isDisabled()).toBe(true);
    } finally {
      client.close();
    }
  },
  TIMEOUT,
);
