/**
 * The Electron launch test: the built app (out/) in the real Electron binary,
 * driven by Playwright's `_electron` — the window opens, the contract answers
 * over IPC (window.corral, the preload's bridge), the Demo agent starts from
 * the New agent dialog, shows a log line and stops; SIGTERM with
 * CORRAL_ON_SIGNAL=stop-all leaves no agent process (/proc); quitting with a
 * live agent asks the quit question (dialog.showMessageBox, stubbed in main).
 *
 * Run by `npm run test:desktop` (run.ts), never by the main `vitest run`
 * (vitest.config.ts excludes this folder): it needs the Electron binary and a
 * display (`xvfb-run -a npm run test:desktop` without one). Each launch gets
 * its own HOME, XDG folders and data folder, so it touches nothing of the user's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { agentRow, killPids, openAgent, startAgentFromDialog, textUntil, until, waitForState } from '../e2e/harness';
import { isPidAlive, liveAgentProcesses } from '../helpers/proc';
import { findElectronBinary } from './electron-binary';

const REPO = path.resolve(import.meta.dirname, '../..');
const PREFIX = `dl-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;

interface Launched {
  app: ElectronApplication;
  page: Page;
  pid: number;
  /** Everything main wrote to stdout and stderr so far. */
  output: () => string;
}

const launched: Launched[] = [];
const homes: string[] = [];

afterEach(async () => {
  for (const { app, pid } of launched.splice(0)) {
    if (isPidAlive(pid)) await app.close().catch(() => process.kill(pid, 'SIGKILL'));
  }
  const left = liveAgentProcesses(PREFIX);
  killPids(left.map((p) => p.pid));
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
  expect(left, 'agent processes left after the test (killed by pid)').toEqual([]);
});

/** Starts the built app with its own HOME and data folder; waits for the window's app to load. */
async function launch(env: Record<string, string> = {}): Promise<Launched> {
  const binary = findElectronBinary();
  if (!binary.ok) throw new Error(`no Electron binary: ${binary.why} (run.ts should have skipped)`);
  const home = mkdtempSync(path.join(tmpdir(), 'corral-desktop-'));
  homes.push(home);
  const base = { ...process.env } as Record<string, string>;
  // Never the dev server: the built page, as `npm start` loads it.
  delete base['ELECTRON_RENDERER_URL'];
  const app = await electron.launch({
    // Always the path: without it Playwright would require('electron'), which downloads a missing binary.
    executablePath: binary.path,
    // basic: safeStorage keeps its key to itself instead of writing one into the user's real keyring.
    args: [REPO, '--password-store=basic'],
    cwd: REPO,
    env: {
      ...base,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local/share'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      CORRAL_DATA_DIR: path.join(home, 'data'),
      ...env,
    },
    timeout: 60_000,
  });
  let output = '';
  app.process().stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  app.process().stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const pid = app.process().pid ?? -1;
  const entry = { app, page: await app.firstWindow(), pid, output: () => output };
  launched.push(entry);
  await entry.page.getByRole('heading', { level: 1, name: 'Corral' }).waitFor({ timeout: 30_000 });
  await entry.page.getByRole('tree', { name: 'Agents' }).or(entry.page.getByText('No agents yet')).first().waitFor({ timeout: 30_000 });
  return entry;
}

/** Starts the Demo agent (the dialog's default preset) and waits until /proc shows it. */
async function startDemo(page: Page, agentId: string): Promise<void> {
  const dialog = await startAgentFromDialog(page, { agentId, name: `Demo ${agentId}` });
  await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
  await textUntil(agentRow(page, agentId), 'the demo row to say running', (text) => /\brunning\b/.test(text), 30_000);
  await until('the demo agent in /proc', () => liveAgentProcesses(agentId).length > 0, 15_000);
}

function exited(launchedApp: Launched, timeoutMs: number): Promise<void> {
  return until(`Electron (pid ${launchedApp.pid}) to exit`, () => !isPidAlive(launchedApp.pid), timeoutMs, 100).then(() => undefined);
}

describe('the desktop app in Electron', () => {
  it('opens its window, answers the contract over IPC, runs the Demo agent with a log line and stops it', async () => {
    const desktop = await launch();
    const { page } = desktop;

    // The contract over IPC: the sandboxed preload's bridge, from the page itself.
    const info = await page.evaluate<{ ok: boolean; value?: { host: string; secretStorage: string } }>('window.corral.getHostInfo()');
    expect(info).toMatchObject({ ok: true, value: { host: 'electron' } });
    expect(await page.evaluate<boolean>("typeof require === 'undefined' && typeof process === 'undefined'"), 'no Node in the page').toBe(true);

    const id = `${PREFIX}-demo`;
    await startDemo(page, id);
    const panel = await openAgent(page, id);
    await waitForState(panel, 'running');
    await panel.getByRole('tab', { name: 'Logs' }).click();
    const log = page.getByRole('log', { name: 'Log output' });
    await textUntil(log, 'a log line of the demo agent', (text) => text.trim().length > 0, 20_000);

    const stopped = await page.evaluate<{ ok: boolean }>(`window.corral.stopAgent({ agentId: ${JSON.stringify(id)} })`);
    expect(stopped.ok).toBe(true);
    await until('every process of the demo agent to be gone', () => liveAgentProcesses(id).length === 0, 30_000);
    await textUntil(agentRow(page, id), 'the row to leave running', (text) => !/\brunning\b/.test(text), 15_000);
  });

  it('quitting with a live agent asks the quit question (answered: stop all and quit)', async () => {
    const desktop = await launch();
    const id = `${PREFIX}-quit`;
    await startDemo(desktop.page, id);

    // The question is a native dialog: stub it in main, report what was asked on stdout, answer "Stop all and quit" (0).
    await desktop.app.evaluate(({ dialog }) => {
      const answer = async (...args: unknown[]) => {
        const options = (args.length > 1 ? args[1] : args[0]) as { message?: string; buttons?: string[] };
        process.stdout.write(`CORRAL-TEST-ASKED ${JSON.stringify({ message: options.message, buttons: options.buttons })}\n`);
        return { response: 0, checkboxChecked: false };
      };
      Object.assign(dialog, { showMessageBox: answer });
    });
    // The app may be gone before Playwright hears back: the answer is read from its output below.
    await desktop.app
      .evaluate(({ app }) => {
        app.quit();
      })
      .catch(() => undefined);

    const asked = await until('the quit question', () => /CORRAL-TEST-ASKED (.*)/.exec(desktop.output())?.[1], 15_000);
    expect(JSON.parse(asked)).toEqual({ message: '1 agent is still running.', buttons: ['Stop all and quit', 'Leave running and quit', 'Cancel'] });
    await exited(desktop, 40_000);
    expect(liveAgentProcesses(id), 'stop all left no agent process').toEqual([]);
  });

  it('SIGTERM with CORRAL_ON_SIGNAL=stop-all stops every agent and exits', async () => {
    const desktop = await launch({ CORRAL_ON_SIGNAL: 'stop-all' });
    const id = `${PREFIX}-signal`;
    await startDemo(desktop.page, id);

    process.kill(desktop.pid, 'SIGTERM');
    await exited(desktop, 40_000);
    expect(liveAgentProcesses(id), `agent processes after SIGTERM; app output:\n${desktop.output()}`).toEqual([]);
  });
});
