/**
 * Issue 13: after a Stop click, the Logs tab shows Corral's own lines for the stop — the stage it
 * began ("stop requested — SIGTERM sent to 1 process …") and how it ended ("stopped — …") — live,
 * while the tab is open. Real host, real /bin/sh, Chromium through the web host.
 */
import { describe, expect, test } from 'vitest';
import { openAgent, textUntil, WireClient } from './harness';
import { useE2E } from './session';

const e2e = useE2E('stoplines');
const TIMEOUT = 60_000;

describe('Logs tab: the stages of a stop', () => {
  test(
    'a Stop click writes the stop request and its end into the open log',
    async () => {
      const agentId = e2e.id('stop');
      const client = await WireClient.connect(e2e.host);
      try {
        await client.must('spawnAgent', { requestId: `${agentId}-req`, agentId, agentName: 'Stop lines', agentType: 'e2e', command: ['/bin/sh', '-c', 'echo stop-lines-ready; exec sleep 600'] });
      } finally {
        client.close();
      }
      const { page } = await e2e.open();
      const panel = await openAgent(page, agentId);
      await panel.getByRole('tab', { name: 'Logs' }).click();
      const log = page.getByRole('log', { name: 'Log output' });
      await textUntil(log, 'the agent\'s line', (text) => text.includes('stop-lines-ready'));

      await panel.getByRole('button', { name: 'Stop', exact: true }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Stop Stop lines?' });
      await confirm.getByRole('button', { name: 'Stop', exact: true }).click();

      await textUntil(log, 'the stop request line', (text) => /stop requested — SIGTERM sent to 1 process \(waiting up to \d+(\.\d)? m?s\)/.test(text));
      await textUntil(log, 'the line saying how the stop ended', (text) => /stopped — its only process gone in [\d.]+ m?s \(at the first SIGTERM\)/.test(text));
      const lines = (await log.innerText()).split('\n');
      const request = lines.findIndex((line) => line.includes('stop requested'));
      const end = lines.findIndex((line) => line.includes('stopped — its only process gone'));
      expect(request, 'the stop request is a line of its own').toBeGreaterThanOrEqual(0);
      expect(end, 'its end comes after it').toBeGreaterThan(request);
    },
    TIMEOUT,
  );
});
