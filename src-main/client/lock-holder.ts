/**
 * Who holds a data folder, read from its lock file for messages and for
 * `corral shutdown` (which signals the holder). Read-only and best effort:
 * the engine's `state/data-dir-lock.ts` owns the lock (and decides staleness);
 * a client only reports what the file says.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';

/** The engine's `LOCK_FILE_NAME` (the client may not import the engine; a test keeps the two equal). */
export const LOCK_FILE_NAME = 'corral.lock';
/** The engine's cap: a lock is a few hundred bytes, and anything larger is not one. */
const MAX_LOCK_BYTES = 4096;

export interface LockHolderInfo {
  pid: number;
  kind: string;
  since: string;
}

/** The lock's holder as written, or null when there is no readable lock. */
export function readLockHolder(dataDir: string): LockHolderInfo | null {
  try {
    const text = readSmallFile(path.join(dataDir, LOCK_FILE_NAME));
    if (text === null) return null;
    const { pid, kind, since } = JSON.parse(text) as Partial<LockHolderInfo>;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return null;
    return { pid, kind: typeof kind === 'string' ? kind : 'host', since: typeof since === 'string' ? since : '' };
  } catch {
    return null;
  }
}

/**
 * The file's text when it is a regular file of at most MAX_LOCK_BYTES, read as the engine reads it: never
 * through a link, never blocking on a FIFO, never more than the cap (the folder is writable by anything the
 * user runs, agents included).
 */
function readSmallFile(file: string): string | null {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > MAX_LOCK_BYTES) return null;
    const buffer = Buffer.alloc(MAX_LOCK_BYTES);
    return buffer.toString('utf8', 0, readSync(fd, buffer, 0, MAX_LOCK_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

/** True when `pid` exists (another user's counts: it answers EPERM). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
