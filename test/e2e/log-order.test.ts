/**
 * The Logs tab's combined view ("both") shows lines in the order they were
 * written, not all of stdout then all of stderr: on opening an agent that has
 * already ended (everything comes from the initial read, nothing live), again
 * after a reload, and when Load older pages back. Real host, real /bin/sh.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import type { AgentView } from '../../src-preload/contract';
import { openAgent, textUntil, until, waitForState, WireClient, type WebHost } from './harness';
import { useE2E } from './session';

const e2e = useE2E('logorder');
const TIMEOUT = 60_000;
const SCRIPT = 'for i in 1 2 3 4 5; do echo out$i; sleep 0.1; echo err$i >&2; sleep 0.1; done';
const INTERLEAVED = ['out1', 'err1', 'out2', 'err2', 'out3', 'err3', 'out4', 'err4', 'out5', 'err5'];

function words(text: string): string[] {
  return text.match(/\b(?:out|err)\d\b/g) ?? [];
}

async function combinedLog(panel: Locator): Promise<string[]> {
  await panel.getByRole('tab', { name: 'Logs' }).click();
  await panel.getByRole('radiogroup', { name: 'Stream' }).getByRole('radio', { name: 'both' }).check();
  const log = panel.page().getByRole('log', { name: 'Log output' });
  const text = await textUntil(log, 'all ten lines', (t) => words(t).length === 10);
  return words(text);
}

/** Starts `script` under /bin/sh through the contract and waits until it completed. */
async function runToCompletion(host: WebHost, agentId: string, script: string): Promise<void> {
  const client = await WireClient.connect(host);
  try {
    await client.must('spawnAgent', { requestId: `${agentId}-req`, agentId, agentName: agentId, agentType: 'e2e', command: ['/bin/sh', '-c', script] });
    await until('the agent to complete', async () => (await client.must<AgentView>('getAgent', { agentId })).state === 'completed', 20_000, 100);
  } finally {
    client.close();
  }
}

describe('combined log order', () => {
  test(
    'stdout and stderr written alternately show interleaved in the both view, also after a reload',
    async () => {
      const agentId = e2e.id('alternate');
      await runToCompletion(e2e.host, agentId, SCRIPT);
      const { page } = await e2e.open();
      const panel = await openAgent(page, agentId);
      await waitForState(panel, 'completed');
      expect(await combinedLog(panel)).toEqual(INTERLEAVED);

      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Corral' }).waitFor({ timeout: 15_000 });
      expect(await combinedLog(await openAgent(page, agentId))).toEqual(INTERLEAVED);
    },
    TIMEOUT,
  );

  test(
    'Load older merges the older stdout page in by time: a stderr line written before it stays first',
    async () => {
      const agentId = e2e.id('older');
      // 400 KB of stdout between two stderr lines: more than the initial tail read (256 KiB), so its start is paged in.
      const script = "echo err-early >&2; sleep 0.3; i=0; while [ $i -lt 4000 ]; do echo out-$i-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; i=$((i+1)); done; sleep 0.3; echo err-late >&2";
      await runToCompletion(e2e.host, agentId, script);
      const { page } = await e2e.open();
      const panel = await openAgent(page, agentId);
      await panel.getByRole('tab', { name: 'Logs' }).click();
      const log = page.getByRole('log', { name: 'Log output' });
      await textUntil(log, 'the last line', (t) => t.includes('err-late'));
      const loadOlder = page.getByRole('button', { name: 'Load older' });
      for (let clicks = 0; clicks < 10 && (await loadOlder.count()) > 0; clicks++) {
        await loadOlder.click({ timeout: 10_000 });
        await until('the older page to load', async () => (await loadOlder.count()) === 0 || (await loadOlder.isEnabled({ timeout: 1_000 })), 15_000, 50);
      }
      expect(await loadOlder.count(), 'Load older gone: everything is shown').toBe(0);
      await log.evaluate((el) => {
        el.scrollTop = 0;
        el.dispatchEvent(new Event('scroll'));
      });
      const top = await textUntil(log, 'the first lines', (t) => t.includes('out-0-'));
      const lines = top.split('\n').filter((line) => /err-early|out-\d+-/.test(line));
      expect(lines[0]).toContain('err-early');
      expect(lines[1]).toContain('out-0-');
    },
    TIMEOUT,
  );
});
