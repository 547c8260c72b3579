/**
 * The full /proc scan's worker thread (process/proc-scan-worker.ts): it reads every process's stat off
 * the main thread, is started only when first needed, and is gone after `close()` (no thread left
 * behind by a reader). Threads are counted from /proc/self/task, not taken on the worker's word.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProcScanWorker } from '../../../src-main/supervisor/process/proc-scan-worker';
import { createProcReader } from '../../../src-main/supervisor/process/proc-reader';
import { waitFor } from '../../helpers/wait';

const threads = (): number => readdirSync('/proc/self/task').length;

describe.skipIf(process.platform !== 'linux')('the /proc scan worker', () => {
  it('reads every process’s stat in a thread started at the first scan and ended by close()', async () => {
    const scans = new ProcScanWorker();
    const before = threads();
    try {
      const { stats, files } = await scans.scan();
      expect(threads()).toBeGreaterThan(before);
      const own = stats.find((text) => Number.parseInt(text, 10) === process.pid);
      expect(Number(own!.slice(own!.lastIndexOf(')') + 2).split(' ')[1])).toBe(process.ppid);
      expect(files).toBeGreaterThanOrEqual(stats.length);
      expect(stats.length).toBeGreaterThan(readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length / 2);
      // Scans at once share the one worker.
      const again = await Promise.all([scans.scan(), scans.scan()]);
      expect(again.every((scan) => scan.stats.some((text) => Number.parseInt(text, 10) === process.pid))).toBe(true);
    } finally {
      scans.close();
    }
    await waitFor(() => threads() <= before, { what: 'the worker thread to end' });
  });

  it('takes the Linux reader’s snapshots, ends once idle, starts again for the next, and goes with close()', async () => {
    const before = threads();
    const reader = createProcReader();
    try {
      const table = await reader.snapshot();
      expect(threads()).toBeGreaterThan(before);
      const self = table.byPid.get(process.pid)!;
      expect(self.ppid).toBe(process.ppid);
      expect(self.name).toBe(readFileSync('/proc/self/comm', 'latin1').trim());
      expect(table.byPid.has(1)).toBe(true);
      // Idle, it holds no thread (nor its descriptors) until the next snapshot.
      await waitFor(() => threads() <= before, { what: 'the idle worker thread to end' });
      expect((await reader.snapshot()).byPid.has(process.pid)).toBe(true);
      expect(threads()).toBeGreaterThan(before);
    } finally {
      reader.close();
    }
    await waitFor(() => threads() <= before, { what: 'the worker thread to end' });
  });
});
