/**
 * Issue 13, Actions: Restart on a running agent (a graceful stop, then the
 * same request as a new run, shown in the Runs tab) pressed from the
 * keyboard, and Duplicate (New agent opens filled from the agent's request,
 * under `<name> copy` and a new id).
 */
import path from 'node:path';
import { expect, test } from 'vitest';
import type { AgentRequestView } from '../../src-preload/contract';
import { isPidAlive } from '../helpers/proc';
import { agentRow, factValue, launchAndOpen, NODE, openAgent, SHARED_FIXTURES, until, waitForState, WireClient } from './harness';
import { useE2E } from './session';

const e2e = useE2E('restart-dup');
const TIMEOUT = 60_000;
const SLEEPER = path.join(SHARED_FIXTURES, 'sleeper.mjs');

test(
  'Restart (from the keyboard) stops the running agent gracefully and starts the same request as run 2',
  async () => {
    const { page } = await e2e.open();
    const id = e2e.id('restart');
    const panel = await launchAndOpen(page, { preset: 'Custom command', name: 'Restarted', agentId: id, program: NODE, args: [SLEEPER] });
    await waitForState(panel, 'running');
    const firstPid = Number(await until('its PID', async () => Number(await factValue(panel, 'PID')) > 0 && (await factValue(panel, 'PID'))));

    const restart = panel.getByRole('button', { name: 'Restart', exact: true });
    await restart.focus();
    await page.keyboard.press('Enter');
    const secondPid = await until('a new PID', async () => {
      const pid = Number(await factValue(panel, 'PID'));
      return pid > 0 && pid !== firstPid && pid;
    });
    await waitForState(panel, 'running');
    expect(isPidAlive(firstPid)).toBe(false);

    await panel.getByRole('tab', { name: 'Runs' }).click();
    const runs = panel.getByRole('table', { name: 'Runs' }).getByRole('row').filter({ has: page.getByRole('cell') });
    await until('two runs', async () => (await runs.count()) === 2);
    const [newest, older] = await runs.allInnerTexts();
    expect(newest).toMatch(/^2\b/);
    expect(newest).toContain('By hand');
    expect(newest).toContain(`running (PID ${secondPid})`);
    expect(older).toMatch(/^1\b/);
    expect(older).toMatch(/stopped/i);
    expect(await agentRow(page, id).count()).toBe(1);
  },
  TIMEOUT,
);

test(
  'Duplicate opens New agent filled from the request, named "<name> copy" with a new id; Start runs the same command',
  async () => {
    const { page } = await e2e.open();
    const id = e2e.id('original');
    const panel = await launchAndOpen(page, {
      preset: 'Custom command',
      name: 'Original',
      agentId: id,
      program: NODE,
      args: [SLEEPER, 'two words'],
      prompt: 'the prompt',
      env: ['GREETING=hello'],
    });
    await waitForState(panel, 'running');
    await panel.getByRole('button', { name: 'Duplicate' }).click();
    const dialog = page.getByRole('dialog', { name: 'New agent' });
    await dialog.waitFor();
    const field = (name: string) => dialog.getByRole('textbox', { name, exact: true });
    await until('the form filled from the request', async () => (await field('Name').inputValue()) === 'Original copy');
    const copyId = await field('Agent id').inputValue();
    expect(copyId).not.toBe(id);
    expect(copyId).toMatch(/^original-copy/);
    expect(await field('Command line').inputValue()).toBe(`${NODE} ${SLEEPER} 'two words'`);
    expect(await field('Prompt').inputValue()).toBe('the prompt');
    // Values never reach the page: the variable is named for the user to type again.
    expect(await field('Environment').inputValue()).toContain('GREETING');
    expect(await field('Environment').inputValue()).not.toContain('hello');

    await dialog.getByRole('button', { name: 'Start' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
    await waitForState(await openAgent(page, copyId), 'running');
    const client = await WireClient.connect(e2e.host);
    try {
      const copy = await client.must<AgentRequestView>('getAgentRequest', { agentId: copyId });
      const original = await client.must<AgentRequestView>('getAgentRequest', { agentId: id });
      expect(copy.command).toEqual(original.command);
      expect(copy).toMatchObject({ agentName: 'Original copy', prompt: 'the prompt', agentType: original.agentType });
    } finally {
      client.close();
    }
  },
  TIMEOUT,
);
