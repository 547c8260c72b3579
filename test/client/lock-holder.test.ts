/**
 * The client reads the data folder's lock only to name its holder, and reads
 * it as the engine does: a link planted at its name is not followed, a FIFO
 * does not block, nothing past the cap is read.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, LOCK_FILE_NAME, readLockHolder } from '../../src-main/client/lock-holder';
import { NODE, tempDir } from '../helpers/agents';

const holder = JSON.stringify({ pid: 4242, kind: 'web host', since: '2026-12-07T00:00:00.000Z' });

describe('readLockHolder', () => {
  it('names the holder of a well-formed lock', () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, LOCK_FILE_NAME), holder);
    expect(readLockHolder(dir)).toEqual({ pid: 4242, kind: 'web host', since: '2026-12-07T00:00:00.000Z' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('does not follow a link, block on a FIFO, or read an oversized file', () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const lock = path.join(dir, LOCK_FILE_NAME);
    const elsewhere = path.join(dir, 'elsewhere.json');
    writeFileSync(elsewhere, holder);
    symlinkSync(elsewhere, lock);
    expect(readLockHolder(dir)).toBeNull();
    rmSync(lock);
    execFileSync('mkfifo', [lock]); // no writer: a blocking read would hang this test
    expect(readLockHolder(dir)).toBeNull();
    rmSync(lock);
    writeFileSync(lock, `${holder}${' '.repeat(8192)}`);
    expect(readLockHolder(dir)).toBeNull();
    rmSync(dir, { recursive: true, force: true });
  });
});

// One liveness test for the client and the engine's lock (shared/lock-file.ts `isPidAlive`).
describe('isProcessAlive', () => {
  it('is true for a live process, false for one that ended and for a pid no process can have', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const ended = spawnSync(NODE, ['-e', '']).pid;
    expect(isProcessAlive(ended)).toBe(false);
    // A planted lock naming such a pid must not pass for a live holder (Node refuses it as an argument).
    expect(isProcessAlive(2 ** 31)).toBe(false);
  });
});
