/**
 * End-to-end harness: a real web host (`src-main/serve.ts`, started without
 * a shell in its own process group), a real Debian Chromium driven by
 * playwright-core, a WebSocket client speaking the contract from Node, and the
 * cleanup that proves nothing the test started is still alive.
 *
 * Plain Node (no vitest import): the browser bench (`bench/browser/`) uses it too.
 * Elements are found by role and accessible name only (docs/ui-names.md).
 *
 * Needs the built renderer (`npm run build`) and a Chromium or Chrome, found by
 * scripts/find-chromium.mjs (the same finder `npm test` runs first). Run:
 *   npx vitest run test/e2e                              the suite
 *   CORRAL_SCREENSHOTS=1 npx vitest run test/e2e/screenshots.test.ts   refresh docs/screenshots/
 *   BENCH_ONLY=browser npm run bench                     the browser figures
 */
import { waitFor } from '../helpers/wait';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { TOKEN_PARAM, WIRE_PATH, type AgentView, type EventName, type EventPayloads, type Result, type WireMessage } from '../../src-preload/contract';
import { isPidAlive } from '../helpers/proc';
import { findChromium } from '../../scripts/find-chromium.mjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const E2E_FIXTURES = path.join(REPO, 'test', 'e2e', 'fixtures');
export const SHARED_FIXTURES = path.join(REPO, 'test', 'fixtures');
export const NODE = process.execPath;
const FOUND_CHROMIUM = findChromium();
/** The browser every browser test and the bench drive ($CHROMIUM_PATH, PATH, the usual locations, Playwright's cache); launchBrowser says what to run when there is none. */
export const CHROMIUM = FOUND_CHROMIUM.ok ? FOUND_CHROMIUM.path : '/usr/bin/chromium';
const TSX_CLI = path.join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const SERVE = path.join(REPO, 'src-main', 'serve.ts');
const RENDERER_INDEX = path.join(REPO, 'out', 'renderer', 'index.html');
const URL_LINE = /Corral web host: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+))/;

/** Agent ids unique to this run and file, so leak checks never see another file's agents. */
export function e2ePrefix(name: string): string {
  return `e2e-${name}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` until it returns a truthy value; never a fixed sleep. */
export function until<T>(what: string, predicate: () => T | Promise<T>, timeoutMs = 15_000, intervalMs = 50) {
  return waitFor(predicate, { what, timeoutMs, intervalMs });
}

// ── The web host ─────────────────────────────────────────────────────────────

export interface WebHost {
  /** The page URL, token included. */
  url: string;
  /** `http://127.0.0.1:PORT`: the only Origin the host accepts. */
  origin: string;
  port: number;
  token: string;
  dataDir: string;
  /** Pid of the serve process, leader of its own process group. */
  pid: number;
  /** Everything serve wrote so far (stdout + stderr), for error messages. */
  output(): string;
}

const hosts = new Map<number, { child: ChildProcess; ownsDataDir: boolean; exited: Promise<void> }>();

// If this process exits with a host still up (a crash, the bench's emergency exit), its group goes with it.
process.once('exit', () => {
  for (const pid of hosts.keys()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** True when serve.ts understands `--sample-ms` (planned; passed only once it exists). */
function serveSupportsSampleMs(): boolean {
  try {
    return readFileSync(SERVE, 'utf8').includes('sample-ms');
  } catch {
    return false;
  }
}

/**
 * Starts `tsx src-main/serve.ts --port 0 --data-dir <tmp>` with no shell,
 * in its own process group, and waits for its URL line.
 */
export async function startWebHost(options: { dataDir?: string; sampleMs?: number; timeoutMs?: number; port?: number } = {}): Promise<WebHost> {
  if (!existsSync(SERVE)) throw new Error(`The web host is missing: ${SERVE} does not exist.`);
  if (!existsSync(RENDERER_INDEX)) {
    throw new Error(`The renderer is not built (${RENDERER_INDEX} is missing): run \`npm run build\` (electron-vite build) before the e2e tests.`);
  }
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? realpathSync(mkdtempSync(path.join(os.tmpdir(), 'corral-e2e-')));
  // A given port: a restart on the same folder and port, which open pages reconnect to.
  const args = [TSX_CLI, SERVE, '--port', String(options.port ?? 0), '--data-dir', dataDir];
  if (options.sampleMs !== undefined && serveSupportsSampleMs()) args.push('--sample-ms', String(options.sampleMs));
  const child = spawn(NODE, args, { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  hosts.set(child.pid!, { child, ownsDataDir, exited });
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (output += chunk));
  const timeoutMs = options.timeoutMs ?? 60_000;
  try {
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve printed no URL line within ${timeoutMs} ms; it wrote:\n${output}`)), timeoutMs);
      let buffered = '';
      child.stdout!.on('data', (chunk: string) => {
        output += chunk;
        buffered += chunk;
        const found = URL_LINE.exec(buffered);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`serve exited (code ${code}, signal ${signal}) before printing its URL; it wrote:\n${output}`));
      });
    });
    const port = Number(match[2]);
    return {
      url: match[1]!,
      origin: `http://127.0.0.1:${port}`,
      port,
      token: decodeURIComponent(match[3]!),
      dataDir,
      pid: child.pid!,
      output: () => output,
    };
  } catch (error) {
    await killGroup(child.pid!);
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** SIGTERM to serve's process group, SIGKILL to the group if it has not exited after `graceMs`. */
async function killGroup(pid: number, graceMs = 5_000): Promise<void> {
  const entry = hosts.get(pid);
  hosts.delete(pid);
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // the group is gone
    }
  };
  signal('SIGTERM');
  const exited = entry?.exited ?? until('serve to exit', () => !isPidAlive(pid), graceMs).then(() => undefined);
  const inTime = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  // Whatever is left in the group (tsx's child node, if serve ignored SIGTERM) goes now; only
  // while the group still has members, so a group id the system has since reused is never signalled.
  if (groupMembers(pid).length > 0) signal('SIGKILL');
  if (!inTime) await Promise.race([exited, sleep(2_000)]);
}

/** Live pids whose process group is `pgid` (field 5 of /proc/<pid>/stat). */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && isPidAlive(Number(name))) members.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

/** Stops serve (its whole process group) and removes the data dir it was given by us. Agents must already be stopped. */
export async function stopWebHost(host: WebHost): Promise<void> {
  const owns = hosts.get(host.pid)?.ownsDataDir ?? false;
  await killGroup(host.pid);
  if (owns) rmSync(host.dataDir, { recursive: true, force: true });
}

// ── Processes ────────────────────────────────────────────────────────────────

export interface AgentProcess {
  pid: number;
  agentId: string;
  cmdline: string;
}

/**
 * Live processes started by the host over `dataDir`: every agent gets
 * CORRAL_STATUS_FILE inside the data dir (and CORRAL_AGENT_ID). Read straight
 * from /proc, independent of the engine.
 */
export function liveProcessesUnder(dataDir: string): AgentProcess[] {
  const found: AgentProcess[] = [];
  const prefix = `CORRAL_STATUS_FILE=${dataDir}${path.sep}`;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`, 'latin1').split('\0');
      if (!env.some((entry) => entry.startsWith(prefix))) continue;
      if (!isPidAlive(Number(name))) continue;
      const agentId = env.find((entry) => entry.startsWith('CORRAL_AGENT_ID='))?.slice('CORRAL_AGENT_ID='.length) ?? '?';
      found.push({ pid: Number(name), agentId, cmdline: readFileSync(`/proc/${name}/cmdline`, 'latin1').replace(/\0/g, ' ').trim() });
    } catch {
      // gone meanwhile, or another user's
    }
  }
  return found;
}

/** SIGKILL by pid: the last resort of a cleanup, only for processes the checks above attributed to us. */
export function killPids(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

// ── The contract over a WebSocket, from Node ─────────────────────────────────

export function wireUrl(host: WebHost, token = host.token): string {
  return `ws://127.0.0.1:${host.port}${WIRE_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
}

/** Opens a raw WebSocket; resolves with the HTTP status of a refused upgrade, or 101 when it opened. */
export function tryUpgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}

/** A contract client over the host's WebSocket, with the page's own Origin and token. */
export class WireClient {
  private nextId = 1;
  private readonly pending = new Map<number, (result: Result<unknown>) => void>();
  private readonly listeners = new Set<(message: WireMessage) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as WireMessage;
      if (message.type === 'result') {
        this.pending.get(message.id)?.(message.result);
        this.pending.delete(message.id);
      } else {
        for (const listener of this.listeners) listener(message);
      }
    });
    socket.on('close', () => {
      for (const resolve of this.pending.values()) resolve({ ok: false, error: { code: 'closed', message: 'socket closed' } });
      this.pending.clear();
    });
  }

  static connect(host: WebHost): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(wireUrl(host), { headers: { Origin: host.origin }, maxPayload: 64 * 1024 * 1024 });
      socket.once('open', () => resolve(new WireClient(socket)));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket refused: HTTP ${res.statusCode}`)));
      socket.once('error', reject);
    });
  }

  /** One call; resolves with its Result (never throws for a failed call). */
  call(name: string, input?: unknown, timeoutMs = 60_000): Promise<Result<unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`call ${name} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      this.socket.send(JSON.stringify(input === undefined ? { id, call: name } : { id, call: name, input }));
    });
  }

  /** Like `call`, but throws when the result is not ok. */
  async must<T = unknown>(name: string, input?: unknown, timeoutMs?: number): Promise<T> {
    const result = await this.call(name, input, timeoutMs);
    if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`);
    return result.value as T;
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
    const wrapped = (message: WireMessage) => {
      if (message.type === 'event' && message.event === event) listener(message.payload as EventPayloads[E]);
    };
    this.listeners.add(wrapped);
    return () => this.listeners.delete(wrapped);
  }

  close(): void {
    this.socket.close();
  }
}

/** A spawn request for a Node script (the shape of the contract's spawnAgent input). */
/** One agent's view through the contract, independent of what the page shows. */
export async function agentViewOf(host: WebHost, agentId: string): Promise<AgentView> {
  const client = await WireClient.connect(host);
  try {
    return await client.must<AgentView>('getAgent', { agentId });
  } finally {
    client.close();
  }
}

export function nodeAgentRequest(agentId: string, script: string, args: string[] = [], name = agentId) {
  return { requestId: `${agentId}-req`, agentId, agentName: name, agentType: 'e2e', command: [NODE, script, ...args] };
}

/**
 * Stops every agent of the host through the contract (stopAll, forced), then
 * checks /proc independently. Anything still alive is killed by pid and returned.
 */
export async function stopAllAgents(host: WebHost): Promise<AgentProcess[]> {
  try {
    const client = await WireClient.connect(host);
    try {
      await client.must('stopAll', { force: true }, 60_000);
    } finally {
      client.close();
    }
  } catch (error) {
    process.stderr.write(`e2e cleanup: stopAll through the contract failed (${error instanceof Error ? error.message : String(error)}); falling back to pids\n`);
  }
  let left = liveProcessesUnder(host.dataDir);
  for (let i = 0; i < 100 && left.length > 0; i++) {
    await sleep(50);
    left = liveProcessesUnder(host.dataDir);
  }
  killPids(left.map((p) => p.pid));
  return left;
}

// ── The browser ──────────────────────────────────────────────────────────────

export function launchBrowser(): Promise<Browser> {
  if (!FOUND_CHROMIUM.ok) throw new Error(FOUND_CHROMIUM.error.message);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface AppPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors (`pageerror: …`) and console errors (`console: …`), for assertions and diagnostics. */
  errors: string[];
}

/** A fresh context and page on the host's URL (1280×800 unless told), waiting for the main heading. */
export interface OpenAppOptions {
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  /** Another URL than the host's (e.g. a wrong token). */
  url?: string;
  /** False: do not wait for the heading and the agents list. */
  waitForApp?: boolean;
  /** Runs before the page loads (e.g. to watch its WebSockets). */
  beforeGoto?: (page: Page) => void;
}

export async function openApp(browser: Browser, host: WebHost, options: OpenAppOptions = {}): Promise<AppPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 }, colorScheme: options.colorScheme ?? 'light' });
  try {
    return await loadApp(context, host, options);
  } catch (error) {
    await context.close().catch(() => undefined);
    throw error;
  }
}

async function loadApp(context: BrowserContext, host: WebHost, options: OpenAppOptions): Promise<AppPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  options.beforeGoto?.(page);
  await page.goto(options.url ?? host.url);
  if (options.waitForApp !== false) {
    await page.getByRole('heading', { level: 1, name: 'Corral' }).waitFor({ timeout: 15_000 });
    await page.getByRole('tree', { name: 'Agents' }).or(page.getByText('No agents yet')).first().waitFor({ timeout: 15_000 });
  }
  return { context, page, errors };
}

// ── UI helpers (roles and names from docs/ui-names.md) ───────────────────────

/** Polls a locator's rendered text until `predicate` holds; returns the text. */
export async function textUntil(locator: Locator, what: string, predicate: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
  let last = '';
  try {
    return await until(
      what,
      async () => {
        // innerText: the rendered text, with line breaks between blocks (cells), so words stay apart.
        last = await locator.first().innerText({ timeout: 1_000 });
        return predicate(last) ? last : '';
      },
      timeoutMs,
      100,
    );
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)} (last text: ${JSON.stringify(last.slice(0, 300))})`);
  }
}

/** Opens the New agent dialog with its button. */
export async function openNewAgentDialog(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'New agent' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New agent' });
  await dialog.waitFor({ timeout: 10_000 });
  return dialog;
}

export interface DialogFields {
  preset?: string;
  name?: string;
  agentId?: string;
  program?: string;
  /** One argument per line in the `Arguments` box (the dialog's one-per-line editor, switched on for these). */
  args?: string[];
  prompt?: string;
  load?: number;
  env?: string[];
}

/** Fills the New agent dialog (opening it first) and presses Start. Returns the dialog locator. */
export async function startAgentFromDialog(page: Page, fields: DialogFields): Promise<Locator> {
  const dialog = await fillAgentDialog(page, fields);
  await dialog.getByRole('button', { name: 'Start' }).click();
  return dialog;
}

/** Opens the New agent dialog and fills the fields given; returns the dialog, not yet started. */
export async function fillAgentDialog(page: Page, fields: DialogFields): Promise<Locator> {
  const dialog = await openNewAgentDialog(page);
  if (fields.preset !== undefined) await dialog.getByRole('combobox', { name: 'Preset' }).selectOption({ label: fields.preset });
  const fill = async (label: string, value: string | undefined) => {
    if (value !== undefined) await dialog.getByRole('textbox', { name: label, exact: true }).fill(value);
  };
  await fill('Name', fields.name);
  await fill('Agent id', fields.agentId);
  // The exact argv: the one-per-line editor rather than the Command line field.
  if (fields.program !== undefined || fields.args !== undefined) await dialog.getByRole('checkbox', { name: 'One argument per line' }).check();
  await fill('Program', fields.program);
  await fill('Arguments', fields.args?.join('\n'));
  await fill('Prompt', fields.prompt);
  await fill('Environment', fields.env?.join('\n'));
  if (fields.load !== undefined) await dialog.getByRole('spinbutton', { name: 'Load %' }).fill(String(fields.load));
  return dialog;
}

/** The agent's row in the tree. */
export function agentRow(page: Page, agentId: string): Locator {
  return page.getByRole('tree', { name: 'Agents' }).getByRole('treeitem', { name: new RegExp(`\\(${escapeRegExp(agentId)}\\)$`) });
}

/** The agent's detail panel. */
export function agentPanel(page: Page, agentId: string): Locator {
  return page.getByRole('region', { name: `Agent ${agentId}` });
}

/** Opens the agent's detail (clicking its row) and returns the panel. */
export async function openAgent(page: Page, agentId: string): Promise<Locator> {
  const panel = agentPanel(page, agentId);
  if (!(await panel.isVisible())) {
    const row = agentRow(page, agentId);
    await row.waitFor({ timeout: 15_000 });
    await row.click();
  }
  await panel.waitFor({ timeout: 10_000 });
  return panel;
}

/** Waits until the detail panel's State badge says `state`. */
export function waitForState(panel: Locator, state: string, timeoutMs = 20_000): Promise<string> {
  return textUntil(panel.getByRole('status', { name: 'State' }), `state ${state}`, (text) => text.trim() === state, timeoutMs);
}

/** The definition paired with a term in the facts list: terms and definitions by role, zipped in order. */
export async function factValue(panel: Locator, term: string): Promise<string | undefined> {
  const terms = (await panel.getByRole('term').allTextContents()).map((t) => t.trim());
  const definitions = (await panel.getByRole('definition').allTextContents()).map((t) => t.trim());
  const index = terms.indexOf(term);
  return index < 0 ? undefined : definitions[index];
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The accessible name-ish label of the focused element (or the tree's aria-activedescendant). */
export function focusedLabel(page: Page): Promise<{ role: string | null; label: string }> {
  return page.evaluate(`(() => {
    let el = document.activeElement;
    const active = el && el.getAttribute('aria-activedescendant');
    if (active) el = document.getElementById(active) || el;
    if (!el) return { role: null, label: '' };
    const labelledBy = el.getAttribute('aria-labelledby');
    const byId = labelledBy ? labelledBy.split(/\\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ') : '';
    return { role: el.getAttribute('role') || el.tagName.toLowerCase(), label: (el.getAttribute('aria-label') || byId || el.textContent || '').trim() };
  })()`);
}

/** Starts an agent from the New agent dialog, waits for the dialog to close, and opens the agent's detail panel. */
export async function launchAndOpen(page: Page, fields: DialogFields & { agentId: string }): Promise<Locator> {
  const dialog = await startAgentFromDialog(page, fields);
  await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
  return openAgent(page, fields.agentId);
}

/** Starts a fixture script from test/e2e/fixtures as a Custom command agent, waits until it is `state`, and opens its Logs tab. */
export async function openFixtureLogs(
  page: Page,
  options: { name: string; agentId: string; script: string; args?: string[]; state?: string; timeoutMs?: number },
): Promise<Locator> {
  const panel = await launchAndOpen(page, {
    preset: 'Custom command',
    name: options.name,
    agentId: options.agentId,
    program: NODE,
    args: [path.join(E2E_FIXTURES, options.script), ...(options.args ?? [])],
  });
  await waitForState(panel, options.state ?? 'running', options.timeoutMs);
  await panel.getByRole('tab', { name: 'Logs' }).click();
  return panel;
}
