/**
 * Reading a data folder's lock file, shared by the engine (which owns the lock,
 * `supervisor/state/data-dir-lock.ts`) and the client (which only names its
 * holder, `client/lock-holder.ts`): the layers may not import each other, and
 * two copies of this read drifted once (the client followed a planted link).
 *
 * Plain Node, no zod: the `corral` command loads it on every run, and zod
 * would cost several times Node's own start. Each side checks the content
 * with its own rules (the engine with its schema).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';

/** The lock's name inside the data folder. */
export const LOCK_FILE_NAME = 'corral.lock';

/** A lock is a few hundred bytes: anything larger is not one, and is never read whole. */
export const MAX_LOCK_BYTES = 4096;

/** What sits at a lock's name. */
export interface LockEntry {
  /** The entry's own inode (a link's, never its target's): names this instance when its content does not. */
  ino: number;
  /** The parsed JSON content; `undefined` when the entry is not a lock file (a link, a FIFO, a folder, too large, not JSON). */
  content: unknown;
}

/**
 * What sits at `file`, or null when nothing does. Read from a checked descriptor — never through a link,
 * never blocking on a FIFO, never more than MAX_LOCK_BYTES — because the data folder is writable by
 * anything the user runs, agents included. Throws the system error for anything but a missing file or a link.
 */
export function readLockEntry(file: string): LockEntry | null {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code !== 'ELOOP' && code !== 'EMLINK') throw error;
    // A link planted at the name (O_NOFOLLOW refuses it): not a lock; its own inode keys it.
    try {
      return { ino: lstatSync(file).ino, content: undefined };
    } catch {
      return null;
    }
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > MAX_LOCK_BYTES) return { ino: stats.ino, content: undefined };
    const buffer = Buffer.alloc(MAX_LOCK_BYTES);
    const length = readSync(fd, buffer, 0, MAX_LOCK_BYTES, 0);
    try {
      return { ino: stats.ino, content: JSON.parse(buffer.toString('utf8', 0, length)) as unknown };
    } catch {
      return { ino: stats.ino, content: undefined };
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * True when a process `pid` exists; another user's counts (it answers EPERM). A pid no process can have
 * (Node refuses it as an argument) is gone, like one that answers "no such process".
 */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds a data folder, as its lock file says (for messages, and for `corral shutdown`, which signals the holder). */
export interface LockHolderInfo {
  pid: number;
  kind: string;
  since: string;
}

/**
 * The lock's holder as written, or null when there is no readable lock. Read-only and best
 * effort: the engine's `state/data-dir-lock.ts` owns the lock and decides staleness.
 */
export function readLockHolder(dataDir: string): LockHolderInfo | null {
  let content: unknown;
  try {
    content = readLockEntry(path.join(dataDir, LOCK_FILE_NAME))?.content;
  } catch {
    return null;
  }
  if (typeof content !== 'object' || content === null) return null;
  const { pid, kind, since } = content as Partial<Record<keyof LockHolderInfo, unknown>>;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return null;
  return { pid, kind: typeof kind === 'string' ? kind : 'host', since: typeof since === 'string' ? since : '' };
}
