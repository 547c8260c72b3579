/**
 * Pause / Resume in the browser, against the real web host and a real agent that burns a core:
 * the detail's Pause button freezes it (the State badge, the list row and the State filter say
 * `paused`, and its CPU time read from /proc stands still), the same place then offers Resume —
 * pressed from the keyboard here — and it runs again.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { cpuTicksOf } from '../helpers/proc';
import type { AgentView } from '../../src-preload/contract';
import { agentRow, agentViewOf, launchAndOpen, NODE, SHARED_FIXTURES, textUntil, until, waitForState } from './harness';
import { useE2E } from './session';

const e2e = useE2E('pause');
const TIMEOUT = 60_000;

const agentView = (agentId: string): Promise<AgentView> => agentViewOf(e2e.host, agentId);

describe('Pause / Resume', () => {
  test(
    'Pause freezes a running agent (state paused, row and filter too), Resume lets it run again',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('burner');
      const panel = await launchAndOpen(page, { preset: 'Custom command', name: 'Burner', agentId: id, program: NODE, args: [path.join(SHARED_FIXTURES, 'busy.mjs')] });
      await waitForState(panel, 'running');
      const pid = (await agentView(id)).pid!;

      await panel.getByRole('button', { name: 'Pause' }).click();
      await waitForState(panel, 'paused');
      await textUntil(agentRow(page, id), 'the row to say paused', (text) => /\bpaused\b/.test(text));
      const still = cpuTicksOf(pid);
      await until('the CPU figure to drop to ~0', async () => ((await agentView(id)).treeCpuPercent ?? 100) < 1);
      expect(cpuTicksOf(pid)).toBe(still);
      expect(await panel.getByRole('button', { name: 'Pause' }).count()).toBe(0);

      // The State filter offers it, and shows the row under it.
      const filter = page.getByRole('combobox', { name: 'State filter' });
      await filter.selectOption('paused');
      await agentRow(page, id).waitFor({ timeout: 10_000 });
      await filter.selectOption('all');

      // A real button: reachable and pressed from the keyboard.
      const resume = panel.getByRole('button', { name: 'Resume' });
      await resume.focus();
      await page.keyboard.press('Enter');
      await waitForState(panel, 'running');
      await until('CPU time to advance again', () => cpuTicksOf(pid) > still);
      await panel.getByRole('button', { name: 'Pause' }).waitFor({ timeout: 10_000 });
    },
    TIMEOUT,
  );
});
