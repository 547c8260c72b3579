/**
 * First useful paint of the web UI: a fresh browser context (empty cache)
 * navigates to the host's URL; the figure is the time from navigation start to
 * the painted frame in which the Agents tree shows rows of all the agents
 * (probe.ts, `firstUseful`). Loads are one after another, never overlapping.
 *
 * With BENCH_RENDERER_COMPARE=<a built renderer folder> (e.g. an older
 * checkout's out/renderer), the same loads are also made with the page's
 * assets taken from that folder and, for a fair pair, from this checkout's
 * out/renderer, both through Playwright's routing (alternating, same host,
 * same agents): a before/after in one run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Route } from 'playwright-core';
import { progress } from '../harness';
import { percentile, rowWith, type Line } from '../stats';
import { REPO, until, type WebHost } from '../../test/e2e/harness';
import { PROBE_SCRIPT } from './probe';

/** Fresh-context loads per variant. */
const LOADS = 7;
const TARGET_MS = 1000;
const THIS_RENDERER = path.join(REPO, 'out', 'renderer');
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export const FIRST_PAINT_FOOTNOTE = `[b4] ${LOADS} loads, each in a fresh browser context (empty cache), one after another, with the agents already started and before [b1]'s page opens: ms from navigation start (performance.now() origin) to after the first painted frame in which the Agents tree shows rows of a set as large as the agent count (aria-setsize; the list is virtualised, so the rows in view). Includes fetching the page and its scripts, the WebSocket connection and the first list. With BENCH_RENDERER_COMPARE=<folder>, the "routed" rows serve the page's scripts and stylesheet from that folder and from this checkout's out/renderer (the host's index.html, assets matched by name) through Playwright's request routing, loads alternating.`;

/** One load: ms from navigation start to the painted full list, or throws after 30 s. */
async function loadOnce(browser: Browser, host: WebHost, agents: number, renderer: string | null): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.addInitScript(PROBE_SCRIPT);
    await context.addInitScript(`window.__corralProbe.firstUseful.setSize = ${agents};`);
    if (renderer !== null) await routeRenderer(context, host, renderer);
    const page = await context.newPage();
    await page.goto(host.url);
    return await until('the list to show every agent', async () => page.evaluate<number | null>('window.__corralProbe.firstUseful.at'), 30_000, 20);
  } finally {
    await context.close();
  }
}

/**
 * Serves the page's assets from `renderer` instead of the host's folder: each
 * requested `assets/<name>-<hash>.<ext>` from that folder's file of the same
 * name and extension (the hashes differ between builds). The document itself
 * stays the host's: a routed document loses its local-network origin, and
 * Chromium then blocks its WebSocket to 127.0.0.1.
 */
async function routeRenderer(context: BrowserContext, host: WebHost, renderer: string): Promise<void> {
  const assets = path.join(renderer, 'assets');
  const files = readdirSync(assets);
  await context.route(`${host.origin}/assets/**`, async (route: Route) => {
    const requested = path.basename(new URL(route.request().url()).pathname);
    const match = /^(.*)-[A-Za-z0-9_-]{8}(\.\w+)$/.exec(requested);
    const file = files.includes(requested)
      ? requested
      : match === null
        ? undefined
        : files.find((name) => name.startsWith(`${match[1]}-`) && name.endsWith(match[2]!) && name.length === requested.length);
    if (file === undefined) return route.continue();
    return route.fulfill({ status: 200, contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', body: readFileSync(path.join(assets, file)) });
  });
}

/** The first-useful-paint rows: the plain figure (target ≤ 1 s), then the routed pair when asked for. */
export async function firstUsefulPaint(browser: Browser, host: WebHost, agents: number): Promise<Line[]> {
  progress(`browser: first useful paint, ${LOADS} fresh loads with ${agents} agents`);
  const plain: number[] = [];
  for (let i = 0; i < LOADS; i++) plain.push(await loadOnce(browser, host, agents, null));
  const rows: Line[] = [
    rowWith(`first useful paint (navigation → ${agents}-agent list painted), p50`, 'ms', percentile(plain, 50), plain, { op: '<=', value: TARGET_MS }, '[b4]'),
  ];
  const compare = process.env.BENCH_RENDERER_COMPARE;
  if (compare === undefined || compare === '') return rows;
  const other = path.resolve(compare);
  if (!existsSync(path.join(other, 'index.html'))) throw new Error(`BENCH_RENDERER_COMPARE=${compare}: no index.html there (build that checkout's renderer first)`);
  progress(`browser: first useful paint, ${LOADS} loads each of this renderer and ${other} (routed, alternating)`);
  const mine: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    mine.push(await loadOnce(browser, host, agents, THIS_RENDERER));
    theirs.push(await loadOnce(browser, host, agents, other));
  }
  rows.push(
    rowWith('  this out/renderer (routed), p50', 'ms', percentile(mine, 50), mine, null, '[b4]'),
    rowWith(`  ${other} (routed), p50`, 'ms', percentile(theirs, 50), theirs, null, '[b4]'),
  );
  return rows;
}
