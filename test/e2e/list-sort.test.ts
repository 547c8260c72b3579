/**
 * The list's sortable columns: headers are buttons inside columnheaders with
 * aria-sort; a sort orders siblings only (children stay under their parent)
 * and survives a reload.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { nodeAgentRequest, SHARED_FIXTURES, until, WireClient } from './harness';
import { useE2E } from './session';

const e2e = useE2E('list-sort');
const SLEEPER = path.join(SHARED_FIXTURES, 'sleeper.mjs');
const BUSY = path.join(SHARED_FIXTURES, 'busy.mjs');
const EXIT = path.join(SHARED_FIXTURES, 'exit-code.mjs');

/** The tree's rows top to bottom, as agent ids. A string: the node tsconfig has no DOM types. */
const ROW_ORDER = `(() => Array.from(document.querySelectorAll('[role="tree"] [role="treeitem"]'))
  .map((el) => ({ id: el.id.replace(/^agent-row-/, ''), top: el.getBoundingClientRect().top }))
  .sort((a, b) => a.top - b.top)
  .map((row) => row.id))()`;

async function rowOrder(page: Page): Promise<string[]> {
  return (await page.evaluate(ROW_ORDER)) as string[];
}

function sortOf(page: Page, column: string): Promise<string | null> {
  return page.getByRole('columnheader', { name: column, exact: true }).getAttribute('aria-sort', { timeout: 5_000 });
}

describe('sorting the agents list', () => {
  test(
    'name, state and CPU sorts order siblings, keep children under their parent, and survive a reload',
    async () => {
      const ids = { a: e2e.id('a'), parent: e2e.id('parent'), kidZ: e2e.id('kidz'), kidA: e2e.id('kida'), done: e2e.id('done'), busy: e2e.id('busy') };
      const client = await WireClient.connect(e2e.host);
      try {
        await sortScenario(client, ids);
      } finally {
        client.close();
      }
    },
    90_000,
  );
});

async function sortScenario(client: WireClient, ids: Record<'a' | 'parent' | 'kidZ' | 'kidA' | 'done' | 'busy', string>): Promise<void> {
  await client.must('spawnAgent', nodeAgentRequest(ids.a, SLEEPER, [], 'Sort A'));
  await client.must('spawnAgent', nodeAgentRequest(ids.parent, SLEEPER, [], 'Sort B parent'));
  await client.must('spawnAgent', { ...nodeAgentRequest(ids.kidZ, SLEEPER, [], 'Kid z'), parentAgentId: ids.parent });
  await client.must('spawnAgent', { ...nodeAgentRequest(ids.kidA, SLEEPER, [], 'Kid a'), parentAgentId: ids.parent });
  await client.must('spawnAgent', nodeAgentRequest(ids.done, EXIT, ['0'], 'Sort C done'));
  await client.must('spawnAgent', nodeAgentRequest(ids.busy, BUSY, [], 'Sort D busy'));
  await until('the exit-code agent to end', async () => {
    const view = await client.must<{ state: string }>('getAgent', { agentId: ids.done });
    return view.state === 'completed';
  });

  const { page } = await e2e.open();
  await page.getByRole('searchbox', { name: 'Filter agents' }).fill(e2e.prefix);
  await until('six rows', async () => (await rowOrder(page)).length === 6);

  // Default: by name, ascending; the kids sorted under their parent.
  expect(await sortOf(page, 'Agent')).toBe('ascending');
  expect(await rowOrder(page)).toEqual([ids.a, ids.parent, ids.kidA, ids.kidZ, ids.done, ids.busy]);

  // Name, descending: siblings reversed at each level, kids still right under the parent.
  await page.getByRole('button', { name: 'Agent', exact: true }).click();
  expect(await sortOf(page, 'Agent')).toBe('descending');
  await until('name descending', async () => JSON.stringify(await rowOrder(page)) === JSON.stringify([ids.busy, ids.done, ids.parent, ids.kidZ, ids.kidA, ids.a]));

  // CPU: the busy one first (descending is where a numeric column starts).
  await page.getByRole('button', { name: 'CPU', exact: true }).click();
  expect(await sortOf(page, 'CPU')).toBe('descending');
  expect(await sortOf(page, 'Agent')).toBe('none');
  await until('the busy agent first', async () => (await rowOrder(page))[0] === ids.busy);
  // Done with the core it burns (the machine is shared): it ends, and sorts with the ended ones below.
  await client.must('stopAgent', { agentId: ids.busy, force: true });

  // State, ascending: live ones first, the ended ones last; kids stay under their parent.
  await page.getByRole('button', { name: 'State', exact: true }).click();
  expect(await sortOf(page, 'State')).toBe('ascending');
  const ended = [ids.busy, ids.done].sort();
  const byState = await until('the ended agents last', async () => {
    const order = await rowOrder(page);
    return JSON.stringify(order.slice(-2).sort()) === JSON.stringify(ended) ? order : null;
  });
  const parentAt = byState.indexOf(ids.parent);
  expect(byState.slice(parentAt + 1, parentAt + 3).sort()).toEqual([ids.kidA, ids.kidZ].sort());

  // The sort survives a reload.
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Corral' }).waitFor({ timeout: 15_000 });
  await page.getByRole('searchbox', { name: 'Filter agents' }).fill(e2e.prefix);
  await until('six rows after the reload', async () => (await rowOrder(page)).length === 6);
  expect(await sortOf(page, 'State')).toBe('ascending');
  expect(await sortOf(page, 'CPU')).toBe('none');
  expect((await rowOrder(page)).slice(-2).sort()).toEqual(ended);
}
