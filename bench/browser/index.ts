/**
 * `BENCH_ONLY=browser npm run bench`: the renderer's figures in real Chromium
 * against a real web host (`src-main/serve.ts`) and real agents.
 *
 * 1. One status tick for 100 running agents: main-thread time from the
 *    WebSocket message to the painted frame (see probe.ts).
 * 2. Log view throughput: a flooding agent, its Logs tab open with Follow on;
 *    lines per second the view advances, and frame intervals meanwhile.
 * 3. Renderer JS heap after 1M lines streamed through the view, after a forced GC.
 * 4. First useful paint: fresh loads until the 100-agent list is painted (first-paint.ts).
 * 5. The status tick of 1 again, list only, with 1,000 running `sleep` agents
 *    (`BENCH_ONLY=browser-rows` runs this one alone; 2–3 min on the loaded 2-core machine).
 *
 * Every agent id starts with the bench's PREFIX, so the bench's final /proc
 * sweep sees any left behind; this section also stops them itself (stopAll)
 * and kills the web host's process group.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { agentId, progress, type BenchContext } from '../harness';
import { heading, percentile, rowWith, type Line } from '../stats';
import {
  agentRow,
  launchBrowser,
  liveProcessesUnder,
  nodeAgentRequest,
  SHARED_FIXTURES,
  startWebHost,
  stopAllAgents,
  stopWebHost,
  until,
  WireClient,
  type WebHost,
} from '../../test/e2e/harness';
import { FIRST_PAINT_FOOTNOTE, firstUsefulPaint } from './first-paint';
import { PROBE_SCRIPT, type TickSample } from './probe';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FLOOD = path.join(HERE, 'flood.mjs');
const SLEEPER = path.join(SHARED_FIXTURES, 'sleeper.mjs');
const TICK_AGENTS = 100;
const MANY_AGENTS = 1000;
const TICKS = 40;
const SAMPLE_MS = 250;
const FLOOD_LINES = 1_000_000;

export const BROWSER_FOOTNOTES = [
  `[b1] ${TICK_AGENTS} sleeper agents running; first the list alone (with the header's totals chart), then with one agent's Overview open (CPU and memory charts). For each 'status' WebSocket message (one per ${SAMPLE_MS} ms tick; ${TICKS} ticks after 5 warm-up ones), main-thread time: the app's message handler, the tasks it queued (the React render) and a forced layout, plus the next frame from its start until a task posted from its requestAnimationFrame runs (after paint). Wall = message arrival → that point, waits included (info). Headless Chromium, 1280×800, on the same 2 cores as the host and its agents.`,
  `[b2] A node agent writes ${FLOOD_LINES.toLocaleString('en')} numbered 59-byte lines (every tenth wrapped in an SGR colour, +9 bytes) as fast as it can; its Logs tab is open with Follow on. Lines/s = the highest line number the log region shows, from the first sample that shows one to the first that shows the last, over that time (sampled every 50 ms). Received share: bytes of the flood that reached the page in log events and readLog answers, over the bytes written (under 100 % means the view skipped a gap it did not read back); lines appended/s = lines shown/s × that share. Frame figures: requestAnimationFrame intervals over the same time. Headless Chromium draws at 60 Hz, so an interval is never under 16.7 ms: the target is one frame plus 5 % vsync jitter (no frame dropped); dropped = intervals > 25 ms.`,
  `[b3] CDP HeapProfiler.collectGarbage, then Runtime.getHeapUsage().usedSize of the page, once the view has shown line ${FLOOD_LINES.toLocaleString('en')}. Baseline: the same with the app loaded and the flooding agent's Logs tab open before it wrote.`,
  FIRST_PAINT_FOOTNOTE,
  `[b5] As [b1], list only, with ${MANY_AGENTS.toLocaleString('en')} agents \`sleep 100000\` running and no other agent listed (finished ones removed first); spawned through the contract 50 at a time, stopped and removed afterwards.`,
];

/**
 * Runs the section, pushing each group of rows into `lines` as soon as it is measured (so a later failure
 * keeps them); `only: 'rows'` runs the 1,000-row figure alone.
 */
export async function benchBrowser(ctx: BenchContext, lines: Line[], { only }: { only?: 'rows' } = {}): Promise<void> {
  const dataDir = path.join(ctx.root, 'browser');
  mkdirSync(dataDir, { recursive: true });
  progress('browser: starting the web host and Chromium');
  const host = await startWebHost({ dataDir, sampleMs: SAMPLE_MS });
  let browser: Browser | undefined;
  let left: { agentId: string }[] = [];
  try {
    browser = await launchBrowser();
    if (only === undefined) lines.push(...(await statusTick(host, browser)));
    lines.push(...(await manyRowsTick(host, browser)));
    if (only === undefined) lines.push(...(await logFlood(host, browser, dataDir)));
  } finally {
    await browser?.close().catch(() => undefined);
    left = await stopAllAgents(host);
    await stopWebHost(host);
  }
  if (left.length > 0) throw new Error(`browser bench: ${left.length} agents survived stopAll (killed by pid): ${left.map((p) => p.agentId).join(', ')}`);
  // The bench's final sweep (by PREFIX) fails the run if anything is left; this check names the section.
  const after = liveProcessesUnder(dataDir);
  if (after.length > 0) throw new Error(`browser bench: ${after.length} agents alive after the host stopped`);
}

async function newPage(browser: Browser, host: WebHost): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(PROBE_SCRIPT);
  const page = await context.newPage();
  await page.goto(host.url);
  await page.getByRole('heading', { level: 1, name: 'Corral' }).waitFor({ timeout: 30_000 });
  return page;
}

/** Section 1 (and 4, first): exported for a quick run of these figures alone. */
export async function statusTick(host: WebHost, browser: Browser): Promise<Line[]> {
  const ids = Array.from({ length: TICK_AGENTS }, (_, i) => agentId('browser', 'tick', i));
  progress(`browser: starting ${TICK_AGENTS} sleeper agents`);
  const client = await WireClient.connect(host);
  try {
    for (let i = 0; i < ids.length; i += 10) {
      await Promise.all(ids.slice(i, i + 10).map((id) => client.must('spawnAgent', nodeAgentRequest(id, SLEEPER))));
    }
  } finally {
    client.close();
  }
  // Before the measuring page opens, so no other page renders the ticks meanwhile.
  const paint = await firstUsefulPaint(browser, host, TICK_AGENTS);
  const page = await newPage(browser, host);
  try {
    await textOf(page, 'Summary', (t) => new RegExp(`running\\s*${TICK_AGENTS}(?!\\d)`).test(t), 60_000);
    const out: Line[] = [heading(`browser: one status tick, ${TICK_AGENTS} agents running (Chromium, real web host)`), ...paint];
    // The list alone (the totals chart in the header included), then with one agent's Overview open, as a user watching one of many would have it.
    progress(`browser: measuring ${TICKS} status ticks, list only`);
    out.push(...tickRows('list only', await measureTicks(page), { p50: 8, p95: 16 }));
    await agentRow(page, ids[0]!).click();
    await page.getByRole('region', { name: `Agent ${ids[0]}` }).getByRole('img', { name: 'CPU % over time' }).waitFor({ timeout: 15_000 });
    progress(`browser: measuring ${TICKS} status ticks, list + one agent's Overview`);
    out.push(...tickRows('list + Overview charts', await measureTicks(page), { p50: 16, p95: null }));
    return out;
  } finally {
    await page.context().close();
    progress('browser: stopping the tick agents');
    const stopper = await WireClient.connect(host);
    try {
      await stopper.must('stopAll', { force: true }, 60_000);
    } finally {
      stopper.close();
    }
  }
}

/** Section 5: the list alone with MANY_AGENTS running `sleep` agents (issue 14: p50 ≤ 16 ms). */
export async function manyRowsTick(host: WebHost, browser: Browser): Promise<Line[]> {
  const ids = Array.from({ length: MANY_AGENTS }, (_, i) => agentId('browser', 'many', i));
  const client = await WireClient.connect(host);
  try {
    // The list holds these agents alone (the tick agents of section 1 ended and are gone).
    await client.must('removeFinished');
    progress(`browser: starting ${MANY_AGENTS} sleep agents`);
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(
        ids.slice(i, i + 50).map((id) => client.must('spawnAgent', { requestId: `${id}-req`, agentId: id, agentName: id, agentType: 'bench', command: ['sleep', '100000'] })),
      );
    }
  } finally {
    client.close();
  }
  const page = await newPage(browser, host);
  try {
    await textOf(page, 'Summary', (t) => new RegExp(`running\\s*${MANY_AGENTS}(?!\\d)`).test(t), 120_000);
    progress(`browser: measuring ${TICKS} status ticks, ${MANY_AGENTS}-agent list`);
    return [heading(`browser: one status tick, ${MANY_AGENTS.toLocaleString('en')} agents running, list only`), ...tickRows(`${MANY_AGENTS} rows`, await measureTicks(page), { p50: 16, p95: null }, '[b5]')];
  } finally {
    await page.context().close();
    progress(`browser: stopping and removing the ${MANY_AGENTS} agents`);
    const stopper = await WireClient.connect(host);
    try {
      await stopper.must('stopAll', { force: true }, 120_000);
      await stopper.must('removeFinished', undefined, 120_000);
    } finally {
      stopper.close();
    }
  }
}

/** Warm-up ticks, then TICKS measured ones. */
async function measureTicks(page: Page): Promise<TickSample[]> {
  await page.evaluate('window.__corralProbe.ticks.length = 0');
  await until('warm-up ticks', async () => (await page.evaluate<number>('window.__corralProbe.ticks.length')) >= 5, 30_000, 100);
  await page.evaluate('window.__corralProbe.ticks.length = 0');
  await until(`${TICKS} ticks`, async () => (await page.evaluate<number>('window.__corralProbe.ticks.length')) >= TICKS, TICKS * SAMPLE_MS * 4 + 30_000, 200);
  return (await page.evaluate<TickSample[]>('window.__corralProbe.ticks')).slice(0, TICKS);
}

/**
 * The targets (issue 13), per 100-agent tick: the agents list alone p50 ≤ 8 ms
 * and p95 ≤ 16 ms (one frame); with one agent's Overview open (two recharts
 * charts redrawn per tick) p50 ≤ 16 ms. On these shared 2-core machines the
 * p95 also measures the host, the agents and Chromium competing for the cores.
 */
function tickRows(scene: string, ticks: TickSample[], targets: { p50: number; p95: number | null }, note = '[b1]'): Line[] {
  const apply = ticks.map((t) => t.applyMs);
  const wall = ticks.map((t) => t.wallMs);
  const beforeFrame = ticks.map((t) => t.beforeFrameMs);
  const frame = ticks.map((t) => t.frameMs);
  const p50Target = { op: '<=' as const, value: targets.p50 };
  const p95Target = targets.p95 === null ? null : { op: '<=' as const, value: targets.p95 };
  return [
    rowWith(`${scene}: apply one tick (message → painted), p50`, 'ms', percentile(apply, 50), apply, p50Target, note),
    rowWith(`${scene}: apply one tick, p95`, 'ms', percentile(apply, 95), apply, p95Target, note),
    rowWith(`${scene}:   handler + render + layout, p50`, 'ms', percentile(beforeFrame, 50), beforeFrame, null, note),
    rowWith(`${scene}:   the frame (style, paint), p50`, 'ms', percentile(frame, 50), frame, null, note),
    rowWith(`${scene}: arrival → next paint (wall), p50`, 'ms', percentile(wall, 50), wall, null, note),
  ];
}

async function logFlood(host: WebHost, browser: Browser, dataDir: string): Promise<Line[]> {
  const id = agentId('browser', 'flood');
  const goFile = path.join(dataDir, 'flood-go');
  const client = await WireClient.connect(host);
  try {
    await client.must('spawnAgent', { ...nodeAgentRequest(id, FLOOD, [goFile, String(FLOOD_LINES)]), agentName: 'Flood' });
  } finally {
    client.close();
  }
  const page = await newPage(browser, host);
  const cdp = await page.context().newCDPSession(page);
  try {
    // Other agents may still be listed (ended): the filter brings the flood agent into view.
    await page.getByRole('searchbox', { name: 'Filter agents' }).fill(id);
    await agentRow(page, id).click();
    const panel = page.getByRole('region', { name: `Agent ${id}` });
    await panel.getByRole('tab', { name: 'Logs' }).click();
    const log = page.getByRole('log', { name: 'Log output' });
    await until('the flood agent to be ready', async () => ((await log.textContent()) ?? '').includes('flood ready'), 30_000, 100);
    const follow = page.getByRole('checkbox', { name: 'Follow' });
    if (!(await follow.isChecked())) await follow.check();

    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize / 2 ** 20;
    };
    const baselineMb = await heap();
    // The "flood ready" line is already in the file; only what follows is the flood.
    const readyLineBytes = statSync(path.join(dataDir, 'agents', id, 'stdout.log')).size;

    progress(`browser: flooding ${FLOOD_LINES} lines`);
    await page.evaluate(
      'Object.assign(window.__corralProbe, { logBytes: 0, readBytes: 0, logEvents: 0 }); window.__corralProbe.frames.deltas.length = 0; window.__corralProbe.frames.on = true; window.__corralProbe.startFloodSampler()',
    );
    writeFileSync(goFile, 'go\n');
    const reachedEnd = await until(
      'the view to show the last flood line',
      async () => {
        const samples = await page.evaluate<[number, number][]>('window.__corralProbe.flood.samples.slice(-1)');
        return samples.length > 0 && samples[0]![1] >= FLOOD_LINES;
      },
      180_000,
      250,
    ).catch(() => false);
    await page.evaluate('window.__corralProbe.frames.on = false; window.__corralProbe.stopFloodSampler()');
    const samples = await page.evaluate<[number, number][]>('window.__corralProbe.flood.samples');
    const frames = await page.evaluate<[number, number][]>('window.__corralProbe.frames.deltas');
    const firstSeen = samples.find(([, top]) => top > 0);
    const lastNew = samples.reduce<[number, number] | undefined>((best, s) => (best === undefined || s[1] > best[1] ? s : best), undefined);
    const linesPerSecond =
      firstSeen && lastNew && lastNew[0] > firstSeen[0] ? ((lastNew[1] - firstSeen[1]) / (lastNew[0] - firstSeen[0])) * 1000 : null;
    // Frame intervals only while lines were arriving in the view.
    const activeDeltas = firstSeen && lastNew ? frames.filter(([at]) => at >= firstSeen[0] && at <= lastNew[0]).map(([, d]) => d) : [];
    const dropped = activeDeltas.filter((d) => d > 25).length;
    // Did the view get every byte, or skip a gap ("N bytes not shown")? Compare what reached the page with the file.
    const received = await page.evaluate<{ logBytes: number; readBytes: number }>('({ logBytes: window.__corralProbe.logBytes, readBytes: window.__corralProbe.readBytes })');
    const writtenBytes = statSync(path.join(dataDir, 'agents', id, 'stdout.log')).size - readyLineBytes;
    // Reads may overlap events (a gap read back while events keep coming), so the share is capped at 100 %.
    const coverage = Math.min(1, (received.logBytes + received.readBytes) / writtenBytes);
    progress(`browser: flood wrote ${writtenBytes} bytes; the page got ${received.logBytes} in events and ${received.readBytes} in reads`);
    const afterMb = await heap();
    const shown = lastNew?.[1] ?? 0;
    const appended = linesPerSecond === null ? null : linesPerSecond * coverage;
    progress(`browser: view reached line ${shown}${reachedEnd ? '' : ' (NOT the last)'}; heap ${afterMb.toFixed(1)} MB`);
    return [
      heading(`browser: log view under a flood (${FLOOD_LINES.toLocaleString('en')} lines, Follow on)`),
      rowWith('lines shown per second (view tail advance)', 'lines/s', linesPerSecond, linesPerSecond === null ? [] : [linesPerSecond], null, '[b2]'),
      rowWith('of the flood\'s bytes, received by the page (events + reads)', '%', coverage * 100, [coverage * 100], null, '[b2]'),
      rowWith('lines appended per second (shown × received share)', 'lines/s', appended, appended === null ? [] : [appended], { op: '>', value: 50_000 }, '[b2]'),
      rowWith('frame interval meanwhile, p95', 'ms', percentile(activeDeltas, 95), activeDeltas, { op: '<=', value: 17.5 }, '[b2]'),
      rowWith('frame interval meanwhile, p50', 'ms', percentile(activeDeltas, 50), activeDeltas, null, '[b2]'),
      rowWith(`frames dropped (interval > 25 ms) of ${activeDeltas.length}`, '', dropped, [dropped], null, '[b2]'),
      rowWith(
        `renderer heap after ${reachedEnd ? '1M lines' : `${shown.toLocaleString('en')} lines (end NOT reached)`}, after GC`,
        'MB',
        afterMb,
        [afterMb],
        { op: '<=', value: 150 },
        '[b3]',
      ),
      rowWith('renderer heap before the flood, after GC', 'MB', baselineMb, [baselineMb], null, '[b3]'),
    ];
  } finally {
    await cdp.detach().catch(() => undefined);
    await page.context().close();
  }
}

/** Polls a named region's text until `predicate` holds. */
async function textOf(page: Page, region: string, predicate: (text: string) => boolean, timeoutMs: number): Promise<string> {
  const locator = page.getByRole('region', { name: region });
  return until(`${region} text`, async () => {
    const text = await locator.innerText({ timeout: 1_000 });
    return predicate(text) ? text : '';
  }, timeoutMs, 200);
}
