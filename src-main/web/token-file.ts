/**
 * The web host's token, kept in the data folder (`<dataDir>/web-token`) so a
 * restarted host accepts the tabs already open on it: they reconnect by
 * themselves instead of needing the new URL. `corral serve --new-token`
 * rotates it.
 *
 * The data folder is the user's, but nothing at a name in it is trusted: the
 * file is read without following a link, from a checked descriptor, at most
 * MAX_TOKEN_FILE_BYTES, and must hold one token of TOKEN_PATTERN. A file that
 * is not that (a link, a folder, junk, another user's, readable by others)
 * is never used: it is set aside as `web-token.corrupt-<time>` and a fresh
 * token written. Writes are atomic (a 0600 draft, synced, renamed over).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import path from 'node:path';
import { errnoOf, messageOf } from '../supervisor/errors';
import { openChecked, UnsafeFileError } from '../supervisor/logs/safe-file';
import { renameAside } from '../supervisor/state/set-aside';
import { createToken, TOKEN_PATTERN } from './auth';

/** The file's name inside the data folder. */
export const TOKEN_FILE_NAME = 'web-token';
/** A token is at most 256 characters plus a newline: anything larger is not one. */
export const MAX_TOKEN_FILE_BYTES = 1024;

const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/** How the token came to be. */
export type TokenOrigin = 'reused' | 'created' | 'rotated';

export type TokenFileResult =
  | {
      ok: true;
      token: string;
      origin: TokenOrigin;
      /** Why an existing file was not used (and where it was kept), for the host's log; null when there was nothing to say. */
      note: string | null;
    }
  | { ok: false; error: { kind: 'io-error' | 'permission-denied'; message: string } };

/** The token file's path in `dataDir`. */
export function tokenFilePath(dataDir: string): string {
  return path.join(dataDir, TOKEN_FILE_NAME);
}

/**
 * The token to serve with: the one kept in `dataDir` when it is sound,
 * else a new one, written there (0600) before it is returned. With `rotate`,
 * always a new one. The data folder must exist (the engine creates it).
 */
export function loadOrCreateToken(dataDir: string, options: { rotate?: boolean } = {}): TokenFileResult {
  const file = tokenFilePath(dataDir);
  let note: string | null = null;
  if (options.rotate !== true) {
    const found = readTokenFile(file);
    if (found.kind === 'token') return { ok: true, token: found.token, origin: 'reused', note: null };
    if (found.kind === 'unusable') {
      try {
        note = `${file} was not used (${found.why}); kept as ${renameAside(file)}, and a new token written.`;
      } catch (error) {
        return { ok: false, error: failure(error, `Could not move the unusable ${file} aside (${found.why})`) };
      }
    }
  }
  const token = createToken();
  try {
    writeAtomically(file, `${token}\n`);
  } catch (error) {
    return { ok: false, error: failure(error, `Could not write the web token to ${file}`) };
  }
  return { ok: true, token, origin: options.rotate === true ? 'rotated' : 'created', note };
}

type Found = { kind: 'token'; token: string } | { kind: 'missing' } | { kind: 'unusable'; why: string };

/** What sits at `file`, read from a checked descriptor, never through a link, never more than MAX_TOKEN_FILE_BYTES. */
export function readTokenFile(file: string): Found {
  let opened: { fd: number; stats: Stats };
  try {
    // No link followed, no FIFO waited on, a regular file with one name: as every file of an agent's folder is opened.
    opened = openChecked(file, 'read');
  } catch (error) {
    if (error instanceof UnsafeFileError) return { kind: 'unusable', why: error.message };
    if (errnoOf(error) === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unusable', why: `it cannot be read: ${messageOf(error)}` };
  }
  const { fd, stats: stat } = opened;
  try {
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return { kind: 'unusable', why: 'another user owns it' };
    if ((stat.mode & 0o077) !== 0) return { kind: 'unusable', why: `others may read or write it (mode ${(stat.mode & 0o777).toString(8)})` };
    if (stat.size > MAX_TOKEN_FILE_BYTES) return { kind: 'unusable', why: `it is ${stat.size} bytes, more than a token` };
    const buffer = Buffer.alloc(MAX_TOKEN_FILE_BYTES + 1);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.toString('utf8', 0, length).replace(/\r?\n$/, '');
    if (!TOKEN_PATTERN.test(text)) return { kind: 'unusable', why: 'it does not hold a token (32–256 characters of A–Z, a–z, 0–9, "_" or "-")' };
    return { kind: 'token', token: text };
  } finally {
    closeSync(fd);
  }
}

/** A 0600 draft of our own (O_EXCL, no link followed), synced, then renamed over `file`: a reader sees the old file or the new, whole. */
function writeAtomically(file: string, content: string): void {
  const draft = `${file}.draft-${process.pid}-${randomBytes(4).toString('hex')}`;
  let fd: number | null = null;
  try {
    fd = openSync(draft, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW, 0o600);
    writeSync(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(draft, file);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(draft);
    } catch {
      // never created, or already renamed
    }
    throw error;
  }
}

function failure(error: unknown, what: string): { kind: 'io-error' | 'permission-denied'; message: string } {
  const code = errnoOf(error);
  const kind = code === 'EACCES' || code === 'EPERM' ? 'permission-denied' : 'io-error';
  return { kind, message: `${what}: ${messageOf(error)}. Check the data folder's permissions, or serve with another --data-dir.` };
}
