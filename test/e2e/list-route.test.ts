/**
 * Each agent has its own URL (`#/agents/<id>`, the web host's token kept):
 * opening an agent writes it, a reload keeps the selection, a changed hash
 * opens that agent, and an unknown id says so instead of crashing.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { agentPanel, agentRow, nodeAgentRequest, SHARED_FIXTURES, until, WireClient } from './harness';
import { useE2E } from './session';

const e2e = useE2E('list-route');
const SLEEPER = path.join(SHARED_FIXTURES, 'sleeper.mjs');

describe('a URL per agent', () => {
  test(
    'opening an agent sets #/agents/<id>; a reload, a pasted URL and a hash change open it; an unknown id shows "No such agent"',
    async () => {
      const first = e2e.id('first');
      const second = e2e.id('second');
      const client = await WireClient.connect(e2e.host);
      try {
        await client.must('spawnAgent', nodeAgentRequest(first, SLEEPER, [], 'Route one'));
        await client.must('spawnAgent', nodeAgentRequest(second, SLEEPER, [], 'Route two'));
      } finally {
        client.close();
      }

      const { page } = await e2e.open();
      await agentRow(page, first).click();
      await agentPanel(page, first).waitFor({ timeout: 10_000 });
      await until('the hash to name the agent', () => new URL(page.url()).hash === `#/agents/${first}`, 5_000);
      // The page keeps its path and query (the token itself leaves the address bar once connected: page-token.ts).
      expect(new URL(page.url()).pathname).toBe('/');

      // A reload opens and selects the same agent.
      await page.reload();
      await agentPanel(page, first).waitFor({ timeout: 15_000 });
      expect(await agentRow(page, first).getAttribute('aria-selected')).toBe('true');

      // Changing the hash (Back/Forward, an edited address) opens that agent.
      await page.evaluate(`location.hash = '#/agents/${second}'`);
      await agentPanel(page, second).waitFor({ timeout: 10_000 });
      await until('the second row selected', async () => (await agentRow(page, second).getAttribute('aria-selected')) === 'true', 5_000);

      // A shared URL in a fresh tab.
      const other = await e2e.open({ url: `${e2e.host.url}#/agents/${first}` });
      await agentPanel(other.page, first).waitFor({ timeout: 15_000 });

      // An unknown id: a clear message, not a crash (the session fails the test on any page error).
      const unknown = await e2e.open({ url: `${e2e.host.url}#/agents/no-such-agent-here` });
      await unknown.page.getByRole('alert').filter({ hasText: 'No such agent' }).waitFor({ timeout: 15_000 });
      expect(await unknown.page.getByRole('alert').filter({ hasText: 'no-such-agent-here' }).count()).toBe(1);
    },
    90_000,
  );
});
