/**
 * The screens the README shows, taken from the real app: the agents list, an
 * agent's Overview with charts, its Logs with colour, the New agent dialog,
 * a stop in progress, and the Overview and Logs in the dark theme. Each screen is also
 * checked (its named elements are there). The PNGs are written to
 * docs/screenshots/ only when CORRAL_SCREENSHOTS=1, so CI never dirties the tree.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, test } from 'vitest';
import {
  agentRow,
  factValue,
  nodeAgentRequest,
  openAgent,
  REPO,
  SHARED_FIXTURES,
  startAgentFromDialog,
  textUntil,
  until,
  waitForState,
  WireClient,
} from './harness';
import { useE2E } from './session';

const e2e = useE2E('shots');
const SAVE = process.env['CORRAL_SCREENSHOTS'] === '1';
const OUT = path.join(REPO, 'docs', 'screenshots');

async function shot(page: Page, name: string): Promise<void> {
  if (!SAVE) return;
  mkdirSync(OUT, { recursive: true });
  // Let the last status tick and charts settle into a painted frame.
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
  await page.screenshot({ path: path.join(OUT, `${name}.png`) });
}

/** Dismisses every notice in the Notifications region (their buttons are named `Dismiss: <title>`). */
async function dismissNotices(page: Page): Promise<void> {
  const buttons = page.getByRole('region', { name: 'Notifications' }).getByRole('button', { name: /^Dismiss/ });
  for (let i = 0; i < 10 && (await buttons.count()) > 0; i++) await buttons.first().click();
}

describe('screenshots', () => {
  test(
    'agents list, Overview with charts, Logs in colour, Runs of a crash-looping agent, New agent dialog, Stop progress, dark Overview and Logs',
    async () => {
      const demoId = e2e.id('demo');
      const stubbornId = e2e.id('stubborn');
      const deployId = e2e.id('deploy');
      // A few neighbours with real names, started through the contract.
      const client = await WireClient.connect(e2e.host);
      try {
        const neighbours = [
          { id: e2e.id('docs'), name: 'Docs writer', script: path.join(SHARED_FIXTURES, 'sleeper.mjs'), args: [] },
          { id: e2e.id('tests'), name: 'Test runner', script: path.join(SHARED_FIXTURES, 'sleeper.mjs'), args: [] },
          { id: e2e.id('lint'), name: 'Lint fixer', script: '-e', args: ['console.log("3 files fixed")'] },
          { id: deployId, name: 'Deploy check', script: '-e', args: ['console.error("health check failed"); process.exit(2)'] },
        ];
        // The failing one is restarted twice, so its Runs tab has a timeline to show.
        const restart = { mode: 'on-failure', maxRestarts: 2, initialDelayMs: 500, maxDelayMs: 2000, resetAfterMs: 60_000 };
        for (const n of neighbours) {
          const policy = n.name === 'Deploy check' ? { restart } : {};
          await client.must('spawnAgent', { ...nodeAgentRequest(n.id, n.script, n.args, n.name), agentType: 'worker', ...policy });
        }
        await client.must('spawnAgent', { ...nodeAgentRequest(stubbornId, path.join(SHARED_FIXTURES, 'ignore-term.mjs'), [], 'Stubborn agent'), agentType: 'worker' });
      } finally {
        client.close();
      }

      const { page } = await e2e.open();
      // The Demo agent, from the dialog as a user starts it.
      const dialog = await startAgentFromDialog(page, { agentId: demoId, name: 'Demo agent', prompt: 'tidy up the repository' });
      await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
      await textUntil(agentRow(page, demoId), 'the demo running', (t) => /\brunning\b/.test(t));

      // Wait for some history so the charts have a line to draw.
      const watcher = await WireClient.connect(e2e.host);
      try {
        await until('12 samples of the demo agent', async () => ((await watcher.must<unknown[]>('getAgentHistory', { agentId: demoId })).length >= 12 ? true : false), 30_000, 250);
      } finally {
        watcher.close();
      }

      await page.getByRole('img', { name: 'Total CPU and memory over time' }).waitFor();
      // The list on its own: the app opens a new agent's detail, so close it (the button is not in ui-names.md: optional).
      const close = page.getByRole('button', { name: 'Close details' });
      if (await close.isVisible()) {
        await close.click();
        await page.getByRole('region', { name: `Agent ${demoId}` }).waitFor({ state: 'hidden' });
      }
      await shot(page, 'agents-list');
      // The failed agent's notice stays in the list shot (it sits in the empty detail area); the other screens go without it.
      await dismissNotices(page);

      const panel = await openAgent(page, demoId);
      await waitForState(panel, 'running');
      await panel.getByRole('img', { name: 'CPU % over time' }).waitFor();
      await panel.getByRole('img', { name: 'Memory over time' }).waitFor();
      await shot(page, 'agent-overview');

      await panel.getByRole('tab', { name: 'Logs' }).click();
      // A fuller page of colour when the pictures are kept; a few lines are enough to check the screen.
      const wantLines = SAVE ? 24 : 3;
      await textUntil(page.getByRole('log', { name: 'Log output' }), `${wantLines} log lines`, (t) => t.split('\n').filter((l) => l.trim()).length >= wantLines, 40_000);
      await shot(page, 'agent-logs');

      const deploy = await openAgent(page, deployId);
      await waitForState(deploy, 'crash-looping', 30_000);
      await deploy.getByRole('tab', { name: 'Runs' }).click();
      await textUntil(deploy.getByRole('table', { name: 'Runs' }), 'three runs', (t) => (t.match(/Exited with code 2/g) ?? []).length === 3);
      await dismissNotices(page);
      await shot(page, 'agent-runs');

      await page.getByRole('button', { name: 'New agent' }).first().click();
      const newDialog = page.getByRole('dialog', { name: 'New agent' });
      await newDialog.waitFor();
      await newDialog.getByRole('combobox', { name: 'Preset' }).waitFor();
      await shot(page, 'new-agent-dialog');
      await newDialog.getByRole('button', { name: 'Cancel' }).click();
      await newDialog.waitFor({ state: 'hidden' });

      // A stop in progress: the stubborn agent ignores SIGTERM, so the stages show.
      const stubborn = await openAgent(page, stubbornId);
      await waitForState(stubborn, 'running');
      await stubborn.getByRole('button', { name: 'Stop', exact: true }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Stop Stubborn agent?' });
      await confirm.waitFor();
      await confirm.getByRole('button', { name: 'Stop', exact: true }).click();
      const stages = stubborn.getByRole('group', { name: 'Stop progress' });
      await textUntil(stages, 'the three stages', (t) => t.includes('SIGTERM') && t.includes('SIGTERM again') && t.includes('SIGKILL'));
      if (SAVE) {
        // A countdown part-way down reads better than one that just began.
        await textUntil(stages, 'the countdown under 7 s', (t) => {
          const left = /(\d+(?:\.\d+)?)\s*s\b/.exec(t);
          return left !== null && Number(left[1]) < 7;
        });
      }
      await shot(page, 'stop-progress');
      await stubborn.getByRole('button', { name: 'Force kill' }).click();
      // Force kill asks first, as Stop does.
      const forceConfirm = page.getByRole('alertdialog', { name: 'Force kill Stubborn agent?' });
      await forceConfirm.waitFor();
      await forceConfirm.getByRole('button', { name: 'Force kill', exact: true }).click();
      await textUntil(stubborn.getByRole('status', { name: 'State' }), 'the stubborn agent ended', (t) => !/running|stopping/.test(t), 30_000);

      // Dark theme: the demo's Overview.
      const dark = await e2e.open({ colorScheme: 'dark' });
      const darkPanel = await openAgent(dark.page, demoId);
      await darkPanel.getByRole('img', { name: 'CPU % over time' }).waitFor();
      if (SAVE) {
        // The list's sparklines and the totals chart draw what this page has seen: let a few seconds of ticks arrive.
        const seconds = (text: string | undefined) => (text ?? '').split(':').reduce((total, part) => total * 60 + Number(part), 0);
        const startedAt = seconds(await factValue(darkPanel, 'Runtime'));
        await until('a few seconds of ticks in the dark page', async () => seconds(await factValue(darkPanel, 'Runtime')) >= startedAt + 5, 20_000, 250);
      }
      await dismissNotices(dark.page);
      await shot(dark.page, 'agent-overview-dark');

      // Dark theme: the demo's Logs, colour and stderr rows on the dark log panel.
      await darkPanel.getByRole('tab', { name: 'Logs' }).click();
      await textUntil(dark.page.getByRole('log', { name: 'Log output' }), `${wantLines} dark log lines`, (t) => t.split('\n').filter((l) => l.trim()).length >= wantLines, 40_000);
      await shot(dark.page, 'agent-logs-dark');
    },
    120_000,
  );
});
