/**
 * The full /proc scan (every process's `stat`), run in a worker thread so the event loop is not held
 * while thousands of processes are read. The scan is a string of source, not a module: run with
 * `eval`, it needs no entry file of its own in any of the engine's bundles (electron-vite, the CLI's
 * and the web host's esbuild), and no bundler can rewrite it.
 *
 * A worker rather than the scan on the main thread sliced with `setImmediate` (as `readTrees` slices
 * its trees), by event-loop delay (monitorEventLoopDelay at 1 ms, scans back to back, 2,000 extra
 * sleeping processes, ~2,100 on the machine, 2 busy cores): p99 112–306 ms for one synchronous scan,
 * 21–49 ms sliced every 200 processes, 11–26 ms every 50, 11–14 ms with the worker, which leaves the
 * main thread only the parse of the text it sends back. Slices small enough to match it stretch the
 * scan over many turns of the loop, and every stat is still read on the main thread. In the
 * containment bench ([c3] with the 2,000 sleepers, process-group agents), p99 went from 150 ms
 * (a full scan every tick, on the main thread) to 11 ms (followed trees, the check in the worker).
 */
import { Worker } from 'node:worker_threads';

/**
 * Runs in the worker: on each message (a request id), reads `/proc/<pid>/stat` of every process and
 * posts back their texts joined by NUL (no command name can hold one), and how many files it tried.
 */
const SCAN_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const buffer = Buffer.allocUnsafe(4096);
parentPort.on('message', (id) => {
  const texts = [];
  let files = 0;
  try {
    for (const name of fs.readdirSync('/proc')) {
      const code = name.charCodeAt(0);
      if (code < 48 || code > 57) continue;
      files++;
      let fd;
      try {
        fd = fs.openSync('/proc/' + name + '/stat', 'r');
      } catch {
        continue;
      }
      try {
        const length = fs.readSync(fd, buffer, 0, buffer.length, 0);
        texts.push(buffer.toString('latin1', 0, length));
      } catch {
        // gone between listing and reading
      } finally {
        fs.closeSync(fd);
      }
    }
    parentPort.postMessage({ id, text: texts.join('\\0'), files, at: Date.now() });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error), files });
  }
});
`;

/** One scan's result: each process's `stat` text, how many per-process files were tried, and when it ended (epoch ms). */
export interface ProcScan {
  stats: string[];
  files: number;
  atMs: number;
}

interface Reply {
  id: number;
  text?: string;
  error?: string;
  files: number;
  at?: number;
}

/**
 * How long an idle worker is kept. A stop's re-scans and an agent's first ticks come well within it of
 * each other and share one worker; the periodic check (every 10 s at most often) starts one anew
 * (tens of ms on its own thread), so no thread, isolate or descriptor is held between checks.
 */
const IDLE_MS = 1000;

/**
 * The worker that scans /proc, started at a scan when none is running, kept while scans follow each
 * other, `unref()`'d while idle so it never keeps the process alive, and ended after IDLE_MS of
 * idleness or by `close()`. A worker that fails or exits fails the scans waiting on it; the next
 * scan starts a new one.
 */
export class ProcScanWorker {
  private worker: Worker | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (scan: ProcScan) => void; reject: (error: Error) => void }>();

  /** Every process's `stat`, read in the worker. */
  scan(): Promise<ProcScan> {
    const worker = this.started();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const id = this.nextId++;
    const scan = new Promise<ProcScan>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    // A scan under way keeps the process alive (a one-shot CLI command awaits it); an idle worker does not.
    if (this.waiting.size === 1) worker.ref();
    worker.postMessage(id);
    return scan;
  }

  /** Ends the worker; scans waiting on it fail. */
  close(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.worker;
    this.worker = null;
    this.failAll(new Error('The /proc scan was cancelled: the reader was closed.'));
    if (worker) void worker.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(SCAN_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`The /proc scan worker exited (code ${code}).`)));
    this.worker = worker;
    return worker;
  }

  private settle({ id, text, error, files, at }: Reply): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.idle();
    if (error !== undefined || text === undefined) waiter.reject(new Error(`The /proc scan failed: ${error ?? 'no result'}.`));
    else waiter.resolve({ stats: text.length === 0 ? [] : text.split('\0'), files, atMs: at ?? Date.now() });
  }

  private idle(): void {
    this.worker?.unref();
    this.idleTimer = setTimeout(() => this.close(), IDLE_MS);
    this.idleTimer.unref();
  }

  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.failAll(error);
  }

  private failAll(error: Error): void {
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of waiters) waiter.reject(error);
  }
}
