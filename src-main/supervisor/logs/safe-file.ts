/**
 * Opening files under an agent's folder, which the agent can change at will:
 * it may put a symbolic link, a FIFO, a directory or a second name of a file of
 * the user's (a hard link) where Corral expects its log or status file. So no
 * such path is trusted: every open refuses to follow a link (`O_NOFOLLOW`),
 * never blocks (`O_NONBLOCK`: a FIFO without a writer would hold the event
 * loop), and then checks the descriptor itself (`fstat`), never the path
 * again, so nothing can be swapped in between check and use. Files Corral
 * creates there are created exclusively (`O_CREAT|O_EXCL`), so nothing is
 * ever written through a name the agent planted.
 *
 * Where the platform has no `O_NOFOLLOW` (Windows), the same guarantee comes
 * from `lstat` before the open and `fstat` after it: same device and inode, or
 * the file was swapped and is refused.
 */
import { closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, unlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { assertNever, errnoOf } from '../errors';

/** What was found instead of a regular file of Corral's own. */
export type UnsafeFileKind = 'symlink' | 'fifo' | 'directory' | 'device' | 'socket' | 'hard-link' | 'swapped';

/** A path under an agent's folder that is not a regular file with one name: refused, never followed. */
export class UnsafeFileError extends Error {
  override readonly name = 'UnsafeFileError';

  constructor(
    readonly kind: UnsafeFileKind,
    /** The path that was refused. */
    readonly file: string,
  ) {
    super(`${path.basename(file)} is ${describeKind(kind)}, not a regular file`);
  }

  /** The file's base name and what it is, for a note: "stdout.log was replaced by a symbolic link". */
  get replacedBy(): string {
    return `${path.basename(this.file)} was replaced by ${describeKind(this.kind)}`;
  }
}

/** Device and inode: what identifies a file across its names. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
const NON_BLOCK = constants.O_NONBLOCK ?? 0;

/**
 * Opens an existing file for reading (or reading and truncating) without
 * following a link and without blocking, and returns it only if the descriptor
 * is a regular file with a single name. Throws UnsafeFileError otherwise, or
 * the system error (ENOENT…) when it cannot be opened at all.
 */
export function openChecked(file: string, access: 'read' | 'read-write'): { fd: number; stats: Stats } {
  const flags = (access === 'read' ? constants.O_RDONLY : constants.O_RDWR) | NON_BLOCK;
  const fd = openNoFollow(file, flags);
  try {
    const stats = fstatSync(fd);
    const kind = unsafeKindOf(stats);
    if (kind) throw new UnsafeFileError(kind, file);
    return { fd, stats };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * Opens for appending, creating it if missing (mode 0600), the way the agent's
 * log descriptors are made: never through a link, never a FIFO (no reader:
 * ENXIO at once instead of blocking), only a regular file with one name.
 */
export function openForAppend(file: string): number {
  let fd: number;
  try {
    fd = openNoFollow(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | NON_BLOCK, 0o600);
  } catch (error) {
    if (errnoOf(error) === 'ENXIO') throw new UnsafeFileError('fifo', file); // a FIFO nobody reads
    throw error;
  }
  try {
    const kind = unsafeKindOf(fstatSync(fd));
    if (kind) throw new UnsafeFileError(kind, file);
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * Creates `file` for reading and writing, exclusively (mode 0600). Whatever
 * the agent left at that name (a link, a file, a FIFO) is removed first, the
 * name itself and never what it points to; a directory is not ours to remove
 * and fails (EISDIR). Returns what was removed, for a note.
 */
export function createExclusive(file: string): { fd: number; removed: string | null } {
  const flags = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW;
  let removed: string | null = null;
  for (let attempt = 0; ; attempt++) {
    try {
      return { fd: openSync(file, flags, 0o600), removed };
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST' || attempt > 0) throw error;
    }
    const found = lstatOrNull(file);
    if (found?.isDirectory()) {
      throw Object.assign(new Error(`EISDIR: ${path.basename(file)} is a directory; Corral does not remove what it did not create`), { code: 'EISDIR' });
    }
    const kind = found ? unsafeKindOf(found) : null;
    removed = found ? (kind ? describeKind(kind) : 'a file') : null;
    unlinkIfExists(file); // unlink removes the name, never the target of a link
  }
}

/** The identity of what is at `file` now, without following a link; null when nothing is there. */
export function identityAt(file: string): { identity: FileIdentity; kind: UnsafeFileKind | null } | null {
  const stats = lstatOrNull(file);
  return stats ? { identity: identityOf(stats), kind: stats.isSymbolicLink() ? 'symlink' : unsafeKindOf(stats, false) } : null;
}

export function identityOf(stats: Stats): FileIdentity {
  return { dev: stats.dev, ino: stats.ino };
}

export function isSameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/**
 * Creates the agent's folder if needed and makes it private (0700), through
 * a descriptor of the folder itself: a link planted in its place is refused,
 * never chmod-ed through.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (constants.O_DIRECTORY === undefined) {
    const stats = lstatSync(dir);
    if (!stats.isDirectory()) throw new UnsafeFileError(stats.isSymbolicLink() ? 'symlink' : 'swapped', dir);
    return; // Windows: the mode is not what guards the folder there
  }
  const fd = openNoFollow(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fchmodSync(fd, 0o700);
  } finally {
    closeSync(fd);
  }
}

/** Opens without following a link in the last component; ELOOP (a link) becomes UnsafeFileError. */
function openNoFollow(file: string, flags: number, mode?: number): number {
  if (NO_FOLLOW === 0) return openComparing(file, flags, mode);
  try {
    return openSync(file, flags | NO_FOLLOW, mode);
  } catch (error) {
    // Linux and macOS say ELOOP for a link under O_NOFOLLOW; the BSDs say EMLINK.
    const code = errnoOf(error);
    if (code === 'ELOOP' || code === 'EMLINK') throw new UnsafeFileError('symlink', file);
    throw error;
  }
}

/** The fallback without O_NOFOLLOW: lstat before, fstat after, the same file or refused. */
function openComparing(file: string, flags: number, mode?: number): number {
  const before = lstatOrNull(file);
  if (before?.isSymbolicLink()) throw new UnsafeFileError('symlink', file);
  const fd = openSync(file, flags, mode);
  // Created by this open (nothing was there before): nothing to compare with.
  if (before && !isSameFile(identityOf(before), identityOf(fstatSync(fd)))) {
    closeSync(fd);
    throw new UnsafeFileError('swapped', file);
  }
  return fd;
}

function unsafeKindOf(stats: Stats, checkLinks = true): UnsafeFileKind | null {
  if (stats.isFile()) return checkLinks && stats.nlink > 1 ? 'hard-link' : null;
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSocket()) return 'socket';
  return 'device';
}

/** "a symbolic link", "a FIFO (named pipe)"…, for notes. */
export function describeKind(kind: UnsafeFileKind): string {
  switch (kind) {
    case 'symlink':
      return 'a symbolic link';
    case 'fifo':
      return 'a FIFO (named pipe)';
    case 'directory':
      return 'a directory';
    case 'device':
      return 'a device';
    case 'socket':
      return 'a socket';
    case 'hard-link':
      return 'a second name (hard link) of another file';
    case 'swapped':
      return 'a different file while it was being opened';
    default:
      return assertNever(kind);
  }
}

function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw error;
  }
}

function unlinkIfExists(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error;
  }
}
