/**
 * Who holds a data folder, read from its lock file for messages and for
 * `corral shutdown` (which signals the holder). Read-only and best effort:
 * the engine's `state/data-dir-lock.ts` owns the lock (and decides staleness);
 * a client only reports what the file says. Both read it with shared/lock-file.ts.
 */
import path from 'node:path';
import { isPidAlive, LOCK_FILE_NAME, readLockEntry } from '../shared/lock-file';

export { LOCK_FILE_NAME };

export interface LockHolderInfo {
  pid: number;
  kind: string;
  since: string;
}

/** The lock's holder as written, or null when there is no readable lock. */
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

/** True when `pid` exists (another user's counts: it answers EPERM). */
export const isProcessAlive: (pid: number) => boolean = isPidAlive;
