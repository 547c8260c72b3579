/**
 * Facts that must not contradict each other: an ended agent shows no process
 * count beside "No processes: the agent has ended"; "Last output" says
 * "never" for an agent that has not printed (not its start time) and keeps
 * the time of the last line after the end; an empty argument is visible.
 */
import { describe, expect, test } from 'vitest';
import { factValue, NODE, openAgent, textUntil, until, waitForState, WireClient } from './harness';
import { useE2E } from './session';

const e2e = useE2E('facts');

async function spawn(agentId: string, command: string[], agentName = agentId): Promise<void> {
  const client = await WireClient.connect(e2e.host);
  try {
    await client.must('spawnAgent', { requestId: `${agentId}-req`, agentId, agentName, agentType: 'e2e', command });
  } finally {
    client.close();
  }
}

describe('facts that agree', () => {
  test(
    'an agent that printed hundreds of lines and ended: no process count, and Last output is still a time',
    async () => {
      const id = e2e.id('printer');
      const { page } = await e2e.open();
      // 300 lines, then alive a while (several samples see its one process), then exit 0.
      await spawn(id, [NODE, '-e', 'for (let i = 1; i <= 300; i++) console.log("line " + i); setTimeout(() => {}, 4000);']);
      const panel = await openAgent(page, id);
      await waitForState(panel, 'running');
      await until('Processes 1 while it runs', async () => (await factValue(panel, 'Processes')) === '1');
      const whileRunning = await until('a Last output time while it runs', async () => {
        const value = await factValue(panel, 'Last output');
        return value !== undefined && value !== '—' && value !== 'never' ? value : null;
      });
      await waitForState(panel, 'completed');
      await textUntil(panel.getByRole('region', { name: 'Process tree' }), 'the ended table', (t) => t.includes('No processes: the agent has ended'));

      expect(await factValue(panel, 'Processes'), 'Processes beside "No processes"').toBe('—');
      for (const term of ['CPU', 'Memory', 'Threads']) expect(await factValue(panel, term), term).toBe('—');
      const after = await factValue(panel, 'Last output');
      expect(after, 'Last output after the end').not.toBe('—');
      expect(after).not.toBe('never');
      // A time of day, as it read while running.
      expect(after).toMatch(/\d{1,2}:\d{2}/);
      expect(whileRunning).toMatch(/\d{1,2}:\d{2}/);
    },
    60_000,
  );

  test(
    'an agent that never printed: Last output says never, not its start time, while it runs and after',
    async () => {
      const id = e2e.id('silent');
      const { page } = await e2e.open();
      await spawn(id, [NODE, '-e', 'setTimeout(() => {}, 5000);']);
      const panel = await openAgent(page, id);
      await waitForState(panel, 'running');
      expect(await until('the Started fact', async () => ((await factValue(panel, 'Started')) ?? '—') !== '—')).toBe(true);
      expect(await factValue(panel, 'Last output')).toBe('never');
      await waitForState(panel, 'completed');
      expect(await factValue(panel, 'Last output')).toBe('never');
    },
    60_000,
  );

  test(
    'an empty argument is shown as \'\' in the Command fact and in the process table',
    async () => {
      const id = e2e.id('empty-arg');
      const { page } = await e2e.open();
      await spawn(id, [NODE, '-e', 'setInterval(() => {}, 1000);', '', 'after-empty']);
      const panel = await openAgent(page, id);
      await waitForState(panel, 'running');

      const commandCell = panel.getByRole('table', { name: 'Processes' }).getByRole('cell').last();
      const cell = await textUntil(commandCell, 'the root process command', (t) => t.includes('after-empty'));
      expect(cell).toContain("'' after-empty");

      await panel.getByRole('tab', { name: 'Request' }).click();
      await panel.getByRole('tab', { name: 'Request', selected: true }).waitFor();
      const argv = panel.getByRole('term').filter({ hasText: /^Command$/ }).locator('xpath=following-sibling::*[1]').getByRole('listitem');
      await until('the argv list', async () => (await argv.count()) === 5);
      expect((await argv.allInnerTexts()).map((t) => t.trim())).toEqual([NODE, '-e', 'setInterval(() => {}, 1000);', "''", 'after-empty']);
    },
    60_000,
  );
});
