/**
 * The tail reads on change notifications, not on a timer: quiet files cost no
 * look between safety polls, a line is handed out long before the safety poll
 * would have found it, a rotation keeps the watch, a log created late is
 * watched once opened, a name given to a link is refused on its notification,
 * and closing the tail releases its inotify watches. Real files; the watches
 * are counted in /proc (the kernel's own list, fdinfo of the inotify fds).
 */
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { PACE_MS, SAFETY_POLL_MS } from '../../../src-main/supervisor/logs/file-watch';
import { LogTail, type LogChange, type LogTailOptions } from '../../../src-main/supervisor/logs/log-tail';
import type { LogEvent } from '../../../src-main/supervisor/types';
import { waitFor } from '../../helpers/wait';

/** Long enough that within a test only a notification can explain a look. */
const NEVER_MS = 600_000;
/** The tail's pace in these tests: how soon a file that keeps changing is looked at again. */
const PACE = 20;

const dirs: string[] = [];
const tails: LogTail[] = [];

afterEach(async () => {
  await Promise.all(tails.splice(0).map((tail) => tail.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'corral-watch-'));
  dirs.push(dir);
  return dir;
}

function startTail(options: Partial<LogTailOptions> = {}) {
  const chunks: LogEvent[] = [];
  const changes: { agentId: string; change: LogChange }[] = [];
  const tail = new LogTail({
    isWanted: () => true,
    onChunk: (event) => chunks.push(event),
    onChange: (agentId, change) => changes.push({ agentId, change }),
    ...options,
  });
  tails.push(tail);
  const text = (agentId: string) =>
    Buffer.concat(chunks.filter((chunk) => chunk.agentId === agentId).map((chunk) => chunk.data)).toString('utf8');
  return { tail, chunks, changes, text };
}

/** Inotify watches this process holds: one `inotify wd:` line per watch in the fdinfo of each inotify descriptor. */
function inotifyWatches(): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) !== 'anon_inode:inotify') continue;
      count += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').filter((line) => line.startsWith('inotify wd:')).length;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

describe('LogTail driven by change notifications', () => {
  it('20 quiet agents cost no look between two safety polls, and their first lines were all read', async () => {
    const safetyPollMs = 1000;
    const { tail, text } = startTail({ safetyPollMs, intervalMs: 50 });
    const dir = tempDir();
    for (let i = 0; i < 20; i++) {
      const file = path.join(dir, `${i}.log`);
      writeFileSync(file, `agent ${i} up\n`);
      tail.add(`a${i}`, 'stdout', file, 0);
    }
    await waitFor(() => Array.from({ length: 20 }, (_, i) => text(`a${i}`) === `agent ${i} up\n`).every(Boolean), { what: 'every first line' });
    // A safety poll looks at all 20 at once: wait for one, then for the next, about a second later.
    const first = tail.stats.checks;
    await waitFor(() => tail.stats.checks >= first + 20, { what: 'a safety poll', timeoutMs: safetyPollMs * 5 });
    const { checks, reads } = tail.stats;
    expect(checks).toBe(first + 20);
    await waitFor(() => tail.stats.checks > checks, { what: 'the next safety poll', timeoutMs: safetyPollMs * 5 });
    // Nothing but that next safety poll looked at anything in between, and nothing was read.
    expect(tail.stats.checks).toBe(checks + 20);
    expect(tail.stats.reads).toBe(reads);
  });

  it('a line written is handed out by its notification, one look each, well within half the safety poll', async () => {
    const { tail, chunks, text } = startTail({ safetyPollMs: NEVER_MS, intervalMs: PACE });
    const file = path.join(tempDir(), 'stdout.log');
    writeFileSync(file, 'up\n');
    tail.add('a', 'stdout', file, 0);
    await waitFor(() => text('a') === 'up\n', { what: 'the first line' });
    for (const n of [1, 2, 3]) {
      const before = chunks.length;
      const { checks } = tail.stats;
      const writtenAt = Date.now();
      appendFileSync(file, `line ${n}\n`);
      await waitFor(() => chunks.length > before, { what: `line ${n}`, intervalMs: 1 });
      expect(Date.now() - writtenAt).toBeLessThan(SAFETY_POLL_MS / 2);
      expect(tail.stats.checks).toBe(checks + 1); // the notification's look, and no poll's
    }
    expect(text('a')).toBe('up\nline 1\nline 2\nline 3\n');
  });

  it('a file that keeps changing is looked at no more than once per pace, and every line arrives', async () => {
    const paceMs = 50;
    const { tail, text } = startTail({ safetyPollMs: NEVER_MS, intervalMs: paceMs });
    const file = path.join(tempDir(), 'stdout.log');
    writeFileSync(file, '');
    tail.add('a', 'stdout', file, 0);
    await waitFor(() => tail.stats.checks === 1, { what: 'the first look' });
    // A chatty agent: a line a millisecond, each its own write, so each its own notification.
    const writer = spawn(process.execPath, ['-e', `const fs=require('fs');let i=0;const t=setInterval(()=>{fs.appendFileSync(${JSON.stringify(file)},'line '+i+'\\n');if(++i===300)clearInterval(t)},1)`]);
    const startedAt = performance.now();
    await new Promise((resolve) => writer.once('exit', resolve));
    const expected = Array.from({ length: 300 }, (_, i) => `line ${i}\n`).join('');
    await waitFor(() => text('a') === expected, { what: 'every line' });
    const elapsedMs = performance.now() - startedAt;
    expect(tail.stats.checks - 1).toBeLessThanOrEqual(Math.ceil(elapsedMs / paceMs) + 1);
  });

  it('rotation under notifications: the file is cut, the copy holds the bytes, and the watch follows the live file', async () => {
    const { tail, text, changes } = startTail({ safetyPollMs: NEVER_MS, intervalMs: PACE, rotation: { maxBytes: 1024, maxFiles: 2 } });
    const file = path.join(tempDir(), 'stdout.log');
    writeFileSync(file, '');
    tail.add('a', 'stdout', file, 0);
    await waitFor(() => tail.stats.checks > 0, { what: 'the first look' });
    const big = `${'x'.repeat(99)}\n`.repeat(20); // 2000 bytes: over the limit
    appendFileSync(file, big);
    await waitFor(() => existsSync(`${file}.1`) && !existsSync(`${file}.rotating`), { what: 'the rotation' });
    expect(readFileSync(`${file}.1`, 'utf8')).toBe(big);
    appendFileSync(file, 'after the cut\n');
    await waitFor(() => text('a') === `${big}after the cut\n`, { what: 'the line written after the rotation' });
    expect(readFileSync(file, 'utf8')).toBe('after the cut\n');
    expect(changes.filter(({ change }) => change.note)).toEqual([]);
  });

  it('a log that does not exist yet is polled until it does, then watched: the fallback poll stops', async () => {
    const { tail, text } = startTail({ safetyPollMs: NEVER_MS, intervalMs: PACE });
    const file = path.join(tempDir(), 'stdout.log');
    tail.add('a', 'stdout', file, 0);
    await waitFor(() => tail.stats.checks === 0 && text('a') === '', { what: 'the tail to start' });
    writeFileSync(file, 'late\n');
    await waitFor(() => text('a') === 'late\n', { what: 'the late file to be read' });
    const { checks } = tail.stats;
    appendFileSync(file, 'next\n');
    await waitFor(() => text('a') === 'late\nnext\n', { what: 'the next line, by notification' });
    // One look for the line; no fallback look once watched (it ran every PACE ms before the file existed).
    expect(tail.stats.checks).toBe(checks + 1);
  });

  it('a log renamed away and replaced by a link is refused on its notification; nothing the link points to is read', async () => {
    const { tail, text, changes } = startTail({ safetyPollMs: NEVER_MS, intervalMs: PACE });
    const dir = tempDir();
    const file = path.join(dir, 'stdout.log');
    const secret = path.join(dir, 'secret');
    writeFileSync(secret, 'SECRET\n');
    writeFileSync(file, 'mine\n');
    tail.add('a', 'stdout', file, 0);
    await waitFor(() => text('a') === 'mine\n', { what: 'the first line' });
    renameSync(file, path.join(dir, 'old.log'));
    symlinkSync(secret, file);
    await waitFor(() => changes.some(({ change }) => change.note?.includes('Corral stopped following it')), { what: 'the refusal' });
    appendFileSync(secret, 'MORE\n');
    expect(text('a')).toBe('mine\n');
  });

  it('closing the tail releases every inotify watch it placed', async () => {
    const before = inotifyWatches();
    const { tail, text } = startTail({ safetyPollMs: NEVER_MS, intervalMs: PACE_MS });
    const dir = tempDir();
    for (let i = 0; i < 5; i++) {
      const file = path.join(dir, `${i}.log`);
      writeFileSync(file, `${i}\n`);
      tail.add(`a${i}`, 'stdout', file, 0);
    }
    await waitFor(() => Array.from({ length: 5 }, (_, i) => text(`a${i}`) === `${i}\n`).every(Boolean), { what: 'every first line' });
    expect(inotifyWatches()).toBe(before + 5);
    await tail.close();
    expect(inotifyWatches()).toBe(before);
  });
});
