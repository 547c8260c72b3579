/**
 * A status event carries only the agents whose view changed, and runtime
 * alone moving is no change: a quiet agent drops out of the events while it
 * runs. Its runtime must still tick in the list and in its Overview (the
 * renderer computes it from `startedAt` and the tick's time).
 */
import { describe, expect, test } from 'vitest';
import { agentRow, factValue, openAgent, until, WireClient } from './harness';
import { useE2E } from './session';

const e2e = useE2E('quiet-runtime');

/** "h:mm:ss" to seconds. */
function seconds(text: string): number {
  const [h, m, s] = text.trim().split(':').map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
}

describe('a quiet agent', () => {
  test(
    'left out of later status events, its runtime keeps moving in the list and the Overview',
    async () => {
      const id = e2e.id('quiet');
      const client = await WireClient.connect(e2e.host);
      // Which status events named the agent after the first one this client got (that one carries every agent).
      const carried: boolean[] = [];
      const off = client.on('status', (event) => carried.push(id in event.agents));
      try {
        await client.must('spawnAgent', { requestId: `${id}-req`, agentId: id, agentName: 'Quiet sleep', agentType: 'e2e', command: ['sleep', '30'] });
        const { page } = await e2e.open();
        const runtime = agentRow(page, id).locator('.cell-runtime');
        await runtime.waitFor({ timeout: 15_000 });

        // The scenario is real: once running and sampled, later events leave the agent out.
        await until('a status event without the quiet agent', () => carried.slice(1).includes(false), 15_000);

        const first = await runtime.textContent();
        const readAt = Date.now();
        await until('1.5 s to pass', () => Date.now() - readAt >= 1_500);
        const moved = await until(
          'the list runtime to move',
          async () => {
            const text = (await runtime.textContent()) ?? '';
            return seconds(text) > seconds(first ?? '') ? text : null;
          },
          10_000,
        );
        expect(seconds(moved) - seconds(first ?? '')).toBeGreaterThanOrEqual(1);

        const panel = await openAgent(page, id);
        const before = (await factValue(panel, 'Runtime')) ?? '';
        const openedAt = Date.now();
        await until('1.5 s to pass', () => Date.now() - openedAt >= 1_500);
        await until('the Overview runtime to move', async () => seconds((await factValue(panel, 'Runtime')) ?? '') > seconds(before), 10_000);
        // The list and the Overview agree (both from the same tick's time).
        await until('the list and the Overview to agree', async () => (await runtime.textContent())?.trim() === (await factValue(panel, 'Runtime')), 10_000);
      } finally {
        off();
        client.close();
      }
    },
    90_000,
  );
});
