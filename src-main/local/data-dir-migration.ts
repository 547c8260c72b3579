/**
 * The desktop app's data folder moves, once, to the shared default.
 *
 * Until issue 12 the desktop kept its state in Electron's userData folder
 * (`~/.config/Corral/data` on Linux); now every host shares `defaultDataDir()`
 * (`~/.local/state/corral` on Linux; on macOS and Windows the two are the same
 * folder, so nothing moves there). When the old folder holds state and the new
 * one holds none, the old folder is renamed to the new path — one rename, so
 * never half moved — and a symbolic link is left at the old path pointing to
 * the new one: agents still running from before write their status files and
 * logs under the old path, and those paths keep resolving.
 *
 * It moves only when no live host holds the old folder's lock (a running old
 * desktop, or a host started on it by hand). On EXDEV (the two paths on
 * different file systems: a copy would not be atomic and would break the
 * running agents' open log files) or any other failure, the old folder stays
 * in use and the reason is returned for the log.
 *
 * Plain Node; the desktop calls it before opening its engine.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmdirSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { isPidAlive as isProcessAlive, LOCK_FILE_NAME, readLockHolder } from '../shared/lock-file';
import { currentPlatform, defaultDataDir, type PlatformFacts } from './data-dir';
import { SOCKET_FILE_NAME } from './socket-path';

export interface MigrationResult {
  /** The folder to use now. */
  dataDir: string;
  /** What happened, for the log; null when there was nothing to do. */
  note: string | null;
}

/** Entries that say nothing about agents: a folder holding only these holds no state. */
const NOT_STATE = new Set([LOCK_FILE_NAME, SOCKET_FILE_NAME]);

/** True when `dir` is a folder with something in it besides a lock and a socket. */
export function holdsState(dir: string): boolean {
  try {
    return readdirSync(dir).some((name) => !NOT_STATE.has(name));
  } catch {
    return false;
  }
}

/**
 * Moves `oldDir` to `newDir` when it should (see above) and says which folder to use.
 * Both paths absolute. Never throws.
 */
export function migrateDataDir(oldDir: string, newDir: string): MigrationResult {
  const keepNew = (note: string | null): MigrationResult => ({ dataDir: newDir, note });
  const keepOld = (why: string): MigrationResult => ({
    dataDir: oldDir,
    note: `Kept the data folder ${oldDir} (not moved to the shared default ${newDir}): ${why}`,
  });
  if (path.resolve(oldDir) === path.resolve(newDir)) return keepNew(null);
  let old;
  try {
    old = lstatSync(oldDir);
  } catch {
    return keepNew(null); // never had one
  }
  if (old.isSymbolicLink() || !old.isDirectory()) return keepNew(null); // moved before (or not ours)
  if (isSameFolder(oldDir, newDir)) return keepNew(null); // one folder under two names (a case-insensitive file system)
  if (!holdsState(oldDir)) return keepNew(null);
  if (holdsState(newDir)) {
    return keepNew(`Both ${oldDir} (the desktop's folder before) and ${newDir} hold agents; using ${newDir}. To see the others, start Corral with CORRAL_DATA_DIR=${oldDir}.`);
  }
  const holder = readLockHolder(oldDir);
  if (holder !== null && isProcessAlive(holder.pid)) return keepOld(`a Corral ${holder.kind} (pid ${holder.pid}) is using it; quit it, then start Corral again to move it.`);

  try {
    mkdirSync(path.dirname(newDir), { recursive: true, mode: 0o700 });
    // An empty folder at the new path (a host started there once) is replaced; rename() takes an empty target anyway.
    if (existsSync(newDir)) rmdirSync(newDir);
    renameSync(oldDir, newDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return keepOld(code === 'EXDEV' ? 'it is on another file system, and a copy would break the running agents’ open log files.' : `moving it failed (${(error as Error).message}).`);
  }
  try {
    symlinkSync(newDir, oldDir, 'dir');
  } catch (error) {
    // Without the link, running agents' paths would dangle: put the folder back where it was.
    try {
      renameSync(newDir, oldDir);
      return keepOld(`the link at the old path could not be made (${(error as Error).message}), so the folder was put back.`);
    } catch {
      return keepNew(`Moved ${oldDir} to ${newDir}, but neither the link at the old path nor moving it back worked (${(error as Error).message}); agents started before may not find their status files.`);
    }
  }
  return keepNew(`Moved the desktop's data folder ${oldDir} to the shared default ${newDir} (a link is left at the old path).`);
}

function isSameFolder(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/**
 * The desktop's data folder: `CORRAL_DATA_DIR` when set (never moved), else the shared default, moving
 * `previousDir` (Electron's `userData/data`) there first when it should.
 */
export function resolveDesktopDataDir(previousDir: string, facts: PlatformFacts = currentPlatform()): MigrationResult {
  if (facts.env.CORRAL_DATA_DIR) return { dataDir: path.resolve(facts.env.CORRAL_DATA_DIR), note: null };
  return migrateDataDir(previousDir, defaultDataDir(facts));
}
