/**
 * The New agent dialog's Command line field: typed with shell-style quotes, a
 * two-line `python3 -c` script is one argument and both its lines run; the
 * preview lists the argv; an unbalanced quote is an error with Start off; the
 * one-per-line editor and back keep the argv. Real host, real python3.
 */
import { existsSync } from 'node:fs';
import type { Locator } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { openAgent, openNewAgentDialog, textUntil, waitForState } from './harness';
import { useE2E } from './session';

const e2e = useE2E('cmdline');
const TIMEOUT = 60_000;
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

async function customDialog(page: Parameters<typeof openNewAgentDialog>[0], agentId: string): Promise<Locator> {
  const dialog = await openNewAgentDialog(page);
  await dialog.getByRole('combobox', { name: 'Preset' }).selectOption({ label: 'Custom command' });
  await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Command line');
  await dialog.getByRole('textbox', { name: 'Agent id', exact: true }).fill(agentId);
  return dialog;
}

function previewOf(dialog: Locator): Promise<string[]> {
  return dialog.getByRole('list', { name: 'Command preview' }).getByRole('listitem').allInnerTexts();
}

describe('the Command line field', () => {
  test(
    'a two-line python3 -c script typed in quotes runs as one argument and prints both lines; the preview shows the argv first',
    async () => {
      const { page } = await e2e.open();
      const agentId = e2e.id('script');
      const dialog = await customDialog(page, agentId);
      const line = dialog.getByRole('textbox', { name: 'Command line' });
      await line.fill(`${PYTHON} -c "print('first line')\nprint('second line')"`);
      expect(await previewOf(dialog)).toEqual([PYTHON, '-c', "print('first line')\nprint('second line')"]);

      await dialog.getByRole('button', { name: 'Start' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
      const panel = await openAgent(page, agentId);
      await waitForState(panel, 'completed');
      await panel.getByRole('tab', { name: 'Logs' }).click();
      const text = await textUntil(page.getByRole('log', { name: 'Log output' }), 'both printed lines', (t) => t.includes('second line'));
      expect(text).toContain('first line');
    },
    TIMEOUT,
  );

  test(
    'an unbalanced quote is an error under the field and Start is disabled until it is fixed',
    async () => {
      const { page } = await e2e.open();
      const dialog = await customDialog(page, e2e.id('unbalanced'));
      const line = dialog.getByRole('textbox', { name: 'Command line' });
      const start = dialog.getByRole('button', { name: 'Start' });
      await line.fill(`${PYTHON} -c "print(1)`);
      await expect.poll(() => line.getAttribute('aria-invalid')).toBe('true');
      expect(await dialog.getByText(/Unclosed " quote/).count()).toBe(1);
      expect(await start.isDisabled()).toBe(true);
      expect(await dialog.getByRole('list', { name: 'Command preview' }).count()).toBe(0);

      await line.fill(`${PYTHON} -c 'print(1)' | tee x`);
      expect(await dialog.getByText(/`\|` \(character \d+\) is shell syntax; Corral runs no shell/).count()).toBe(1);
      expect(await start.isDisabled()).toBe(true);

      await line.fill(`${PYTHON} -c "print(1)"`);
      await expect.poll(() => start.isEnabled()).toBe(true);
      expect(await line.getAttribute('aria-invalid')).toBeNull();
    },
    TIMEOUT,
  );

  test(
    'switching to one argument per line and back keeps the argv',
    async () => {
      const { page } = await e2e.open();
      const dialog = await customDialog(page, e2e.id('toggle'));
      await dialog.getByRole('textbox', { name: 'Command line' }).fill(`node -e 'console.log(1)' --name="a b" ''`);
      const argv = ['node', '-e', 'console.log(1)', '--name=a b', '(empty)'];
      expect(await previewOf(dialog)).toEqual(argv);

      // An empty argument cannot be a line of the per-line editor: the switch is refused, saying why.
      const perLine = dialog.getByRole('checkbox', { name: 'One argument per line' });
      await perLine.click();
      expect(await dialog.getByText(/Argument 4 is empty/).count()).toBe(1);
      expect(await perLine.isChecked()).toBe(false);

      await dialog.getByRole('textbox', { name: 'Command line' }).fill(`node -e 'console.log(1)' --name="a b"`);
      await perLine.check();
      expect(await dialog.getByRole('textbox', { name: 'Program', exact: true }).inputValue()).toBe('node');
      expect(await dialog.getByRole('textbox', { name: 'Arguments', exact: true }).inputValue()).toBe('-e\nconsole.log(1)\n--name=a b');
      expect(await previewOf(dialog)).toEqual(argv.slice(0, 4));

      await perLine.uncheck();
      expect(await dialog.getByRole('textbox', { name: 'Command line' }).inputValue()).toBe(`node -e 'console.log(1)' '--name=a b'`);
      expect(await previewOf(dialog)).toEqual(argv.slice(0, 4));
    },
    TIMEOUT,
  );
});
