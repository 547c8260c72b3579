/**
 * The detail's controls and tabs that the other files do not reach: Run again
 * (same record, same log file), Remove (record and log folder gone), Stop all
 * (every live agent cancelled, nothing left in /proc), the Request tab (env
 * keys without values, the prompt verbatim) and the Logs tab's own controls
 * (Stream, Follow, Load older past the initial tail read).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import type { AgentView } from '../../src-preload/contract';
import { isPidAlive, liveAgentProcesses } from '../helpers/proc';
import {
  agentViewOf,
  agentRow,
  factValue,
  launchAndOpen,
  NODE,
  nodeAgentRequest,
  openFixtureLogs,
  SHARED_FIXTURES,
  textUntil,
  until,
  waitForState,
  WireClient,
} from './harness';
import { useE2E } from './session';

const e2e = useE2E('controls');
const TIMEOUT = 60_000;
const SLEEPER = path.join(SHARED_FIXTURES, 'sleeper.mjs');

/** Processes of exactly this agent (liveAgentProcesses matches by prefix, and `-1` prefixes `-10`). */
function processesOf(agentId: string) {
  return liveAgentProcesses(agentId).filter((p) => p.agentId === agentId);
}

function logOf(page: Page): Locator {
  return page.getByRole('log', { name: 'Log output' });
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** The log region's scroll geometry (it is virtualised: only rows near the viewport are in the DOM). */
function scrollState(log: Locator): Promise<{ top: number; height: number; client: number }> {
  return log.evaluate((el) => ({ top: el.scrollTop, height: el.scrollHeight, client: el.clientHeight }));
}

/** Waits until the log is long enough to scroll and sits at its bottom (where Follow keeps it). */
function untilScrollableAtBottom(log: Locator): Promise<unknown> {
  const atBottom = async () => {
    const s = await scrollState(log);
    return s.height > s.client + 600 && s.height - s.top - s.client <= 18;
  };
  return until('a scrollable log at its bottom', atBottom, 15_000, 100);
}

function scrollTo(log: Locator, top: number): Promise<void> {
  return log.evaluate((el, y) => {
    el.scrollTop = y;
    el.dispatchEvent(new Event('scroll'));
  }, top);
}

/** One round of UNTICK_AS_ROWS_LAND. */
interface FollowRound {
  /** The click did untick Follow. */
  untickedAtClick: boolean;
  /** Scroll events the log reported in the two frames after the click (the view's own scroll among them). */
  scrollEvents: number;
  /** Follow two frames after the click. */
  checkedAfter: boolean;
}

/**
 * In the page, `rounds` times: wait until new rows are committed with the log
 * scrolled to the tail by the view (a MutationObserver runs right after
 * React's commit and layout effect, so that scroll is set but not yet
 * reported), click Follow off at that moment, and read it two frames later.
 * Follow is ticked again between rounds. A string: the node tsconfig has no DOM types.
 */
const UNTICK_AS_ROWS_LAND = `async (rounds) => {
  const el = document.querySelector('[role="log"][aria-label="Log output"]');
  const box = el.closest('.log-view').querySelector('input[type="checkbox"]');
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const results = [];
  for (let round = 0; round < rounds; round++) {
    if (!box.checked) {
      box.click();
      await frame();
      await frame();
    }
    let scrollEvents = 0;
    const onScroll = () => scrollEvents++;
    const start = el.scrollTop;
    const untickedAtClick = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        observer.disconnect();
        reject(new Error('no new rows scrolled into view within 5 s (round ' + round + ')'));
      }, 5000);
      const observer = new MutationObserver(() => {
        if (el.scrollTop === start) return;
        observer.disconnect();
        clearTimeout(timer);
        el.addEventListener('scroll', onScroll);
        box.click();
        resolve(!box.checked);
      });
      observer.observe(el.firstElementChild, { childList: true });
    });
    await frame();
    await frame();
    el.removeEventListener('scroll', onScroll);
    results.push({ untickedAtClick, scrollEvents, checkedAfter: box.checked });
  }
  return results;
}`;

const agentView = (agentId: string): Promise<AgentView> => agentViewOf(e2e.host, agentId);

describe('agent controls and tabs in the browser', () => {
  test(
    'Run again starts a completed agent again under the same record; both runs append to one log',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('again');
      const panel = await launchAndOpen(page, {
        preset: 'Custom command',
        name: 'Run twice',
        agentId: id,
        program: NODE,
        args: ['-e', "console.log('run-marker')"],
      });
      await waitForState(panel, 'completed');
      const first = await agentView(id);
      expect(first.state).toBe('completed');
      expect(first.startedAt).not.toBeNull();

      await panel.getByRole('tab', { name: 'Logs' }).click();
      await textUntil(logOf(page), 'the first run-marker', (t) => occurrences(t, 'run-marker') === 1);

      const runAgain = panel.getByRole('button', { name: 'Run again' });
      expect(await runAgain.isEnabled()).toBe(true);
      await runAgain.click();

      // A second run: a new start time on the same record, and completed again.
      const second = await until(
        'a second run that completed',
        async () => {
          const view = await agentView(id);
          return view.startedAt !== first.startedAt && view.state === 'completed' ? view : null;
        },
        20_000,
        100,
      );
      expect(second.exitCode).toBe(0);
      await waitForState(panel, 'completed');
      await textUntil(agentRow(page, id), 'the row to say completed', (t) => /\bcompleted\b/.test(t));

      const text = await textUntil(logOf(page), 'run-marker twice in the log', (t) => occurrences(t, 'run-marker') >= 2, 20_000);
      expect(occurrences(text, 'run-marker')).toBe(2);
      expect(processesOf(id)).toEqual([]);
    },
    TIMEOUT,
  );

  test(
    'Remove, confirmed, forgets an ended agent: its row goes and its log folder is deleted',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('remove');
      const name = 'Remove me';
      const panel = await launchAndOpen(page, {
        preset: 'Custom command',
        name,
        agentId: id,
        program: NODE,
        args: ['-e', "console.log('to be removed')"],
      });
      await waitForState(panel, 'completed');
      const logDir = path.join(e2e.host.dataDir, 'agents', id);
      expect(existsSync(logDir), `${logDir} exists before Remove`).toBe(true);

      await panel.getByRole('button', { name: 'Remove', exact: true }).click();
      const confirm = page.getByRole('alertdialog', { name: `Remove ${name}?` });
      await confirm.waitFor({ timeout: 5_000 });
      await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
      await confirm.waitFor({ state: 'hidden', timeout: 5_000 });

      await agentRow(page, id).waitFor({ state: 'detached', timeout: 10_000 });
      await until('the log folder to be deleted', () => !existsSync(logDir), 10_000);
      // The engine forgot it too.
      const client = await WireClient.connect(e2e.host);
      try {
        expect((await client.call('getAgent', { agentId: id })).ok).toBe(false);
      } finally {
        client.close();
      }
      expect(await agentRow(page, id).count()).toBe(0);
    },
    TIMEOUT,
  );

  test(
    'Stop all, confirmed, cancels three running agents: rows say cancelled, Summary running 0, none alive in /proc',
    async () => {
      const ids = ['a', 'b', 'c'].map((n) => e2e.id(`all-${n}`));
      const client = await WireClient.connect(e2e.host);
      try {
        const answers = await Promise.all(ids.map((id) => client.must<{ status: string }>('spawnAgent', nodeAgentRequest(id, SLEEPER, [], `Sleeper ${id.slice(-5)}`))));
        expect(answers.map((a) => a.status)).toEqual(['running', 'running', 'running']);
      } finally {
        client.close();
      }
      const pids = await until('three sleepers in /proc', () => {
        const found = ids.flatMap((id) => processesOf(id).map((p) => p.pid));
        return found.length === 3 ? found : null;
      });

      const { page } = await e2e.open();
      const summary = page.getByRole('region', { name: 'Summary' });
      for (const id of ids) await textUntil(agentRow(page, id), `${id} running`, (t) => /\brunning\b/.test(t));
      await textUntil(summary, 'the summary to count 3 running', (t) => /\brunning\s+3\b/.test(t));

      await page.getByRole('button', { name: 'Stop all', exact: true }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Stop all agents?' });
      await confirm.waitFor({ timeout: 5_000 });
      await confirm.getByRole('button', { name: 'Stop', exact: true }).click();
      await confirm.waitFor({ state: 'hidden', timeout: 5_000 });

      for (const id of ids) await textUntil(agentRow(page, id), `${id} cancelled`, (t) => /\bcancelled\b/.test(t), 30_000);
      await textUntil(summary, 'the summary to count 0 running', (t) => /\brunning\s+0\b/.test(t));
      await until('every sleeper pid to be gone', () => pids.every((pid) => !isPidAlive(pid)), 10_000);
      for (const id of ids) expect(processesOf(id)).toEqual([]);
    },
    TIMEOUT,
  );

  test(
    'the Request tab lists environment keys but never their values, and shows a multi-line prompt verbatim',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('request');
      const secret = 'hunter2-xyz';
      const prompt = ['Say "hello" and \'goodbye\'', 'then run $(date) and `uname` && echo $HOME', '  indented: <b>not bold</b> \\n stays'].join('\n');
      const panel = await launchAndOpen(page, {
        preset: 'Custom command',
        name: 'With request',
        agentId: id,
        program: NODE,
        args: [SLEEPER],
        env: [`SECRET_TOKEN=${secret}`],
        prompt,
      });
      await waitForState(panel, 'running');
      // The value did reach the process: hiding it is the UI's doing, not its absence.
      const [proc] = await until('the agent process', () => {
        const found = processesOf(id);
        return found.length === 1 ? found : null;
      });
      expect(readFileSync(`/proc/${proc!.pid}/environ`, 'latin1').split('\0')).toContain(`SECRET_TOKEN=${secret}`);

      await panel.getByRole('tab', { name: 'Request' }).click();
      const environment = await until('the Environment fact', () => factValue(panel, 'Environment'));
      expect(environment).toContain('SECRET_TOKEN');
      expect(environment).not.toContain(secret);
      expect(await until('the Prompt fact', () => factValue(panel, 'Prompt'))).toBe(prompt);

      // Nowhere in the page: rendered text, text content, or markup.
      for (const tab of ['Request', 'Overview', 'Logs']) {
        await panel.getByRole('tab', { name: tab }).click();
        await panel.getByRole('tab', { name: tab, selected: true }).waitFor({ timeout: 5_000 });
        expect(await page.evaluate('document.body.innerText')).not.toContain(secret);
        expect(await page.evaluate('document.documentElement.textContent')).not.toContain(secret);
        expect(await page.content()).not.toContain(secret);
      }
    },
    TIMEOUT,
  );

  test(
    'Logs tab: the Stream radios show stdout, stderr or both; with Follow unticked the scroll position stays while lines arrive',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('streams');
      await openFixtureLogs(page, { name: 'Two streams', agentId: id, script: 'two-streams.mjs' });
      const log = logOf(page);
      const stream = page.getByRole('radiogroup', { name: 'Stream' });
      const radio = (name: string) => stream.getByRole('radio', { name, exact: true });
      expect(await radio('both').isChecked()).toBe(true);

      const both = await textUntil(log, 'both streams', (t) => t.includes('OUT-LINE') && t.includes('ERR-LINE'));
      expect(both).toMatch(/OUT-LINE \d{5}/);

      await radio('stdout').check();
      const out = await textUntil(log, 'only stdout lines', (t) => t.includes('OUT-LINE') && !t.includes('ERR-LINE'));
      expect(out).not.toContain('ERR-LINE');

      await radio('stderr').check();
      const err = await textUntil(log, 'only stderr lines', (t) => t.includes('ERR-LINE') && !t.includes('OUT-LINE'));
      expect(err).not.toContain('OUT-LINE');

      await radio('both').check();
      await textUntil(log, 'both streams again', (t) => t.includes('OUT-LINE') && t.includes('ERR-LINE'));

      // Following: the view sits at the bottom while lines arrive.
      const follow = page.getByRole('checkbox', { name: 'Follow' });
      expect(await follow.isChecked()).toBe(true);
      await untilScrollableAtBottom(log);

      // Not following: a position the user chose stays put while the log grows below it.
      await follow.uncheck();
      await scrollTo(log, 540);
      const firstLine = (await log.innerText()).split('\n')[0];
      const before = await scrollState(log);
      expect(before.top).toBe(540);
      const after = await until(
        'the log to grow by ten rows',
        async () => {
          const s = await scrollState(log);
          return s.height >= before.height + 10 * 18 ? s : null;
        },
        15_000,
        100,
      );
      expect(after.top).toBe(540);
      expect((await log.innerText()).split('\n')[0]).toBe(firstLine);
      expect(await follow.isChecked()).toBe(false);
    },
    TIMEOUT,
  );

  test(
    'Logs tab: unticking Follow just as lines arrive sticks (the view’s own scroll to the tail never re-ticks it); by hand, scrolling up unticks and scrolling to the bottom re-ticks',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('follow-race');
      await openFixtureLogs(page, { name: 'Follow race', agentId: id, script: 'two-streams.mjs' });
      const log = logOf(page);
      const follow = page.getByRole('checkbox', { name: 'Follow' });
      expect(await follow.isChecked()).toBe(true);
      await untilScrollableAtBottom(log);

      // The race, made certain: untick at the moment lines were rendered (the view has just scrolled to the tail,
      // and the browser reports that scroll on the next frame), then look again two frames later.
      const rounds = await page.evaluate<FollowRound[]>(`(${UNTICK_AS_ROWS_LAND})(10)`);

      expect(rounds).toHaveLength(10);
      // Each round did race: the click unticked Follow while the view's own scroll was still to be reported.
      for (const round of rounds) {
        expect(round.untickedAtClick).toBe(true);
        expect(round.scrollEvents).toBeGreaterThanOrEqual(1);
      }
      expect(
        rounds.map((r, i) => (r.checkedAfter ? i : -1)).filter((i) => i >= 0),
        'rounds where Follow came back ticked without the user',
      ).toEqual([]);
      expect(await follow.isChecked()).toBe(false);

      // By hand: to the bottom re-ticks Follow, and up unticks it.
      await scrollTo(log, (await scrollState(log)).height);
      await until('Follow re-ticked by scrolling to the bottom', () => follow.isChecked(), 5_000);
      await scrollTo(log, 0);
      await until('Follow unticked by scrolling up', async () => !(await follow.isChecked()), 5_000);
    },
    TIMEOUT,
  );

  test(
    'Logs tab: a search reveal unticks Follow, and one that lands on the last line leaves it unticked',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('reveal');
      await openFixtureLogs(page, { name: 'Reveal', agentId: id, script: 'numbered-lines.mjs', args: ['2000'], state: 'completed' });
      const log = logOf(page);
      const follow = page.getByRole('checkbox', { name: 'Follow' });
      const search = page.getByRole('searchbox', { name: 'Search logs' });
      const matches = page.getByRole('status', { name: 'Matches' });
      const atBottom = (s: { top: number; height: number; client: number }) => s.height - s.top - s.client <= 18;
      await textUntil(log, 'the last line', (t) => t.includes('line 002000'));
      expect(await follow.isChecked()).toBe(true);

      // A match far above the tail: the view goes to it and stops following.
      await search.fill('line 000100');
      await textUntil(matches, 'one match', (t) => t.includes('1 of 1'));
      await textUntil(log, 'line 000100 revealed', (t) => t.includes('line 000100'));
      await until('Follow unticked by the reveal', async () => !(await follow.isChecked()), 5_000);
      expect(atBottom(await scrollState(log))).toBe(false);

      // A match on the last line: the reveal scrolls the view to the bottom, which is the view's doing, not the user's.
      await search.fill('line 002000');
      await textUntil(matches, 'one match', (t) => t.includes('1 of 1'));
      await until('the view at the bottom', async () => atBottom(await scrollState(log)), 5_000);
      // The browser reports that scroll on a later frame: give it two.
      await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
      expect(await follow.isChecked(), 'Follow after revealing the last line').toBe(false);

      // By hand: up, then to the bottom again, ticks it.
      await scrollTo(log, 0);
      await scrollTo(log, (await scrollState(log)).height);
      await until('Follow re-ticked by scrolling to the bottom', () => follow.isChecked(), 5_000);
    },
    TIMEOUT,
  );

  test(
    'Load older brings back the start of a log longer than the initial tail read',
    async () => {
      const { page } = await e2e.open();
      const id = e2e.id('older');
      await openFixtureLogs(page, { name: 'Long log', agentId: id, script: 'numbered-lines.mjs', args: ['300000'], state: 'completed', timeoutMs: 30_000 });
      const log = logOf(page);
      await textUntil(log, 'the last line', (t) => t.includes('line 300000'));

      // The tail read holds only the last ~256 KiB: the top of the list is far from line 1.
      await scrollTo(log, 0);
      const top = await textUntil(log, 'the top of the tail', (t) => /^line \d{6}/.test(t.trim()));
      const firstShown = Number(/^line (\d{6})/.exec(top.trim())![1]);
      expect(firstShown).toBeGreaterThan(200_000);
      expect(top).not.toContain('line 000001');

      const loadOlder = page.getByRole('button', { name: 'Load older' });
      expect(await loadOlder.count(), 'a Load older button while older content exists').toBe(1);
      let clicks = 0;
      for (; clicks < 40 && (await loadOlder.count()) > 0; clicks++) {
        await loadOlder.click({ timeout: 10_000 });
        // Done when the button is enabled again (ready for the next page) or gone (nothing older). It can go between
        // count() and isEnabled(): a short isEnabled timeout lets the next poll see it gone instead of waiting 30 s.
        await until('the older page to load', async () => (await loadOlder.count()) === 0 || (await loadOlder.isEnabled({ timeout: 1_000 })), 15_000, 50);
      }
      expect(await loadOlder.count(), `Load older still shown after ${clicks} clicks`).toBe(0);
      // 3.6 MB in pages of 256 KiB.
      expect(clicks).toBeGreaterThanOrEqual(10);

      await scrollTo(log, 0);
      const start = await textUntil(log, 'line 000001 at the top', (t) => t.trim().startsWith('line 000001'));
      expect(start).toContain('line 000002');
      // All 300 000 rows are in the list now (fixed 18 px rows).
      const { height } = await scrollState(log);
      expect(height).toBeGreaterThanOrEqual(300_000 * 18);
    },
    TIMEOUT,
  );
});
