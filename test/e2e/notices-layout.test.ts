/**
 * Notices never cover the process table or the log: with three notices shown,
 * the visible part of each does not intersect any notice.
 */
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { agentPanel, agentRow, nodeAgentRequest, SHARED_FIXTURES, until, WireClient } from './harness';
import { useE2E } from './session';

const e2e = useE2E('notices-layout');
const SLEEPER = path.join(SHARED_FIXTURES, 'sleeper.mjs');
const EXIT = path.join(SHARED_FIXTURES, 'exit-code.mjs');

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The part of an element the user can see: its box clipped by every scrolling ancestor and the window. */
async function visibleBox(locator: Locator): Promise<Box> {
  return locator.evaluate((element) => {
    // Through defaultView: the node tsconfig has no DOM globals.
    const view = element.ownerDocument.defaultView!;
    const r = element.getBoundingClientRect();
    let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
    for (let node = element.parentElement; node !== null; node = node.parentElement) {
      const style = view.getComputedStyle(node);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const c = node.getBoundingClientRect();
      [left, top, right, bottom] = [Math.max(left, c.left), Math.max(top, c.top), Math.min(right, c.right), Math.min(bottom, c.bottom)];
    }
    [right, bottom] = [Math.min(right, view.innerWidth), Math.min(bottom, view.innerHeight)];
    return { x: left, y: top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
  });
}

function intersects(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

async function noticeBoxes(page: Page): Promise<Box[]> {
  const notices = page.getByRole('region', { name: 'Notifications' }).getByRole('status');
  const boxes: Box[] = [];
  for (let i = 0; i < (await notices.count()); i++) boxes.push((await notices.nth(i).boundingBox())!);
  return boxes;
}

async function expectUncovered(page: Page, what: string, target: Locator): Promise<void> {
  await target.waitFor({ timeout: 10_000 });
  await target.scrollIntoViewIfNeeded();
  const box = await visibleBox(target);
  expect(box.height, `${what} is visible`).toBeGreaterThan(20);
  for (const notice of await noticeBoxes(page)) expect(intersects(box, notice), `${what} ${JSON.stringify(box)} vs notice ${JSON.stringify(notice)}`).toBe(false);
}

describe('notices and the layout', () => {
  test(
    'with three notices shown, the process table and the log are not covered',
    async () => {
      const sleeper = e2e.id('sleeper');
      const client = await WireClient.connect(e2e.host);
      try {
        await client.must('spawnAgent', nodeAgentRequest(sleeper, SLEEPER, [], 'Watched'));
        const { page } = await e2e.open();
        await agentRow(page, sleeper).click();
        const panel = agentPanel(page, sleeper);
        await panel.getByRole('table', { name: 'Processes' }).waitFor({ timeout: 15_000 });

        // Three failures while the page is open: three Failed notices.
        for (const i of [1, 2, 3]) await client.must('spawnAgent', nodeAgentRequest(e2e.id(`fails${i}`), EXIT, ['1', '200'], `Fails ${i}`));
        const notices = page.getByRole('region', { name: 'Notifications' }).getByRole('status');
        await until('three notices', async () => (await notices.count()) >= 3, 20_000);

        await expectUncovered(page, 'the process table', panel.getByRole('table', { name: 'Processes' }));
        await panel.getByRole('tab', { name: 'Logs' }).click();
        await expectUncovered(page, 'the log', panel.getByRole('log', { name: 'Log output' }));
      } finally {
        client.close();
      }
    },
    90_000,
  );
});
