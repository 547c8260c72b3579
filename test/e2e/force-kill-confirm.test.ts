/**
 * Force kill asks first, like Stop: it sits beside Stop, and it skips the
 * graceful stages. Cancel leaves the agent running; confirming kills its tree.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { isPidAlive, liveAgentProcesses } from '../helpers/proc';
import { nodeAgentRequest, openAgent, SHARED_FIXTURES, textUntil, until, waitForState, WireClient } from './harness';
import { useE2E } from './session';

const e2e = useE2E('force-kill');
const SLEEPER = path.join(SHARED_FIXTURES, 'sleeper.mjs');

describe('Force kill', () => {
  test(
    'asks for confirmation, saying it skips the graceful stages; Cancel keeps the agent, confirming kills it',
    async () => {
      const id = e2e.id('victim');
      const name = 'Kill me';
      const client = await WireClient.connect(e2e.host);
      try {
        await client.must('spawnAgent', nodeAgentRequest(id, SLEEPER, [], name));
      } finally {
        client.close();
      }
      const [proc] = await until('the sleeper in /proc', () => {
        const found = liveAgentProcesses(id).filter((p) => p.agentId === id);
        return found.length === 1 ? found : null;
      });

      const { page } = await e2e.open();
      const panel = await openAgent(page, id);
      await waitForState(panel, 'running');
      const forceKill = panel.getByRole('button', { name: 'Force kill' });
      const confirm = page.getByRole('alertdialog', { name: `Force kill ${name}?` });

      await forceKill.click();
      await confirm.waitFor({ timeout: 5_000 });
      const text = await confirm.innerText();
      expect(text).toMatch(/skips the graceful stages/);
      expect(text).toMatch(/SIGKILL at once/);
      expect(text).toMatch(/no chance to save/);
      // Cancel has the focus, so a stray Enter does not kill.
      expect(await page.evaluate('document.activeElement?.textContent')).toBe('Cancel');

      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await confirm.waitFor({ state: 'hidden', timeout: 5_000 });
      expect(isPidAlive(proc!.pid)).toBe(true);
      expect((await panel.getByRole('status', { name: 'State' }).innerText()).trim()).toBe('running');

      await forceKill.click();
      await confirm.waitFor({ timeout: 5_000 });
      await confirm.getByRole('button', { name: 'Force kill', exact: true }).click();
      await confirm.waitFor({ state: 'hidden', timeout: 5_000 });
      await textUntil(panel.getByRole('status', { name: 'State' }), 'the agent ended', (t) => !/running|stopping/.test(t), 20_000);
      await until('the sleeper pid gone', () => !isPidAlive(proc!.pid), 10_000);
    },
    60_000,
  );
});
