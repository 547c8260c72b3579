/**
 * Who holds a data folder, read from its lock file for messages and for
 * `corral shutdown` (which signals the holder). Read-only and best effort:
 * the engine's `state/data-dir-lock.ts` owns the lock (and decides staleness);
 * a client only reports what the file says.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The engine's `LOCK_FILE_NAME` (the client may not import the engine; a test keeps the two equal). */
export const LOCK_FILE_NAME = 'corral.lock';

export interface LockHolderInfo {
  pid: number;
  kind: string;
  since: string;
}

/** The lock's holder as written, or null when there is no readable lock. */
export function readLockHolder(dataDir: string): LockHolderInfo | null {
  try {
    const text = readFileSync(path.join(dataDir, LOCK_FILE_NAME), { encoding: 'utf8', flag: 'r' });
    if (text.length > 4096) return null;
    const { pid, kind, since } = JSON.parse(text) as Partial<LockHolderInfo>;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return null;
    return { pid, kind: typeof kind === 'string' ? kind : 'host', since: typeof since === 'string' ? since : '' };
  } catch {
    return null;
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
