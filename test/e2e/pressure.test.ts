/**
 * Per-agent pressure (issue 14 item 4): the detail's facts show its cgroup's CPU, memory and I/O
 * pressure (PSI `some avg10`) for a running agent, each a percentage. Needs the web host to contain
 * its agents (root, or a writable cgroup2 hierarchy), as it does on this project's test machines.
 */
import { describe, expect, test } from 'vitest';
import { factValue, NODE, openAgent, SHARED_FIXTURES, until, waitForState, WireClient } from './harness';
import { useE2E } from './session';
import path from 'node:path';

const e2e = useE2E('pressure');

describe('pressure in the detail', () => {
  test(
    'a running agent shows its CPU, memory and I/O pressure as percentages',
    async () => {
      const id = e2e.id('busy');
      const { page } = await e2e.open();
      const client = await WireClient.connect(e2e.host);
      try {
        await client.must('spawnAgent', { requestId: `${id}-req`, agentId: id, agentName: 'Busy agent', agentType: 'e2e', command: [NODE, path.join(SHARED_FIXTURES, 'busy.mjs')] });
      } finally {
        client.close();
      }
      const panel = await openAgent(page, id);
      await waitForState(panel, 'running');
      const figures = await until('three pressure figures', async () => {
        const values = await Promise.all(['CPU pressure', 'Memory pressure', 'I/O pressure'].map((term) => factValue(panel, term)));
        return values.every((value) => value !== undefined && /^\d+\.\d %$/.test(value)) && values;
      });
      for (const value of figures) {
        const percent = Number.parseFloat(value!);
        expect(percent).toBeGreaterThanOrEqual(0);
        expect(percent).toBeLessThanOrEqual(100);
      }
    },
    60_000,
  );
});
