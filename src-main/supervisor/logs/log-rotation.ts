/**
 * Size-based rotation of an agent's log files, and the map from logical log
 * offsets (monotonic for the agent's whole life, across rotations) to the file
 * that holds them.
 *
 * The agent writes through its own O_APPEND descriptor (DESIGN.md decision 5),
 * so the live file can never be renamed away: the agent would go on writing
 * into the renamed file. Rotation is therefore copy + truncate: copy the live
 * file to `<name>.rotating` (off the event loop), copy again whatever was
 * appended meanwhile until the size stops moving (the last, small part
 * synchronously), then `ftruncate(0)` at once; the agent's next write
 * lands at the new end, i.e. at byte 0. Only then are the rotated files
 * shifted (`.1` → `.2` …, the oldest beyond `maxFiles` dropped) and the copy
 * becomes `.1`.
 *
 * The residual window, honestly: truncation cuts everything, so bytes the
 * agent appends between the last size check and the `ftruncate` are lost.
 * (a) If the copy loop gives up while the file is still growing (the agent
 *     writes faster than we copy), the bytes between the copied length and the
 *     last size seen are lost *and counted* (`lostBytes`, a note on the agent,
 *     a gap in the logical offsets).
 * (b) Not counted: a write of the agent that starts between the last `fstat`
 *     (which found nothing new) and the `ftruncate` (two back-to-back system
 *     calls, microseconds apart), or that was still in flight at that `fstat`
 *     (the size grows page by page during one write(); the truncate waits for
 *     the write to end, then cuts its tail). Such bytes vanish and nobody can
 *     see them: the offsets stay contiguous across them. At most the writes in
 *     flight in those microseconds, per rotation. Only an atomic "remove the
 *     first N bytes" (Linux FALLOC_FL_COLLAPSE_RANGE, not exposed by Node and
 *     not on every filesystem) or pausing the agent would close it.
 *
 * Every name here is in the agent's folder, so the agent may have replaced
 * it (safe-file.ts): the live file is opened once, without following a link,
 * checked on its descriptor, and that descriptor is the one copied from and
 * truncated; `.rotating` is created exclusively (whatever the agent left there
 * is removed, never written through); rotated names that are not plain files
 * of ours are removed, not shifted; the copy becomes `.1` only if
 * `.rotating` is still the file we wrote.
 */
import { closeSync, fstatSync, ftruncateSync, lstatSync, read, readSync, renameSync, unlinkSync, write, writeSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { errnoOf, messageOf } from '../errors';
import type { LogEvent } from '../types';
import { createExclusive, identityAt, identityOf, isSameFile, openChecked, UnsafeFileError, type FileIdentity } from './safe-file';

const readAsync = promisify(read);
const writeAsync = promisify(write);

export type LogStream = LogEvent['stream'];

/** One rotated file, in logical offsets: `<name>.1` is `parts[0]`. */
export interface LogPart {
  /** Logical offset of the file's first byte. */
  start: number;
  bytes: number;
}

/** Where one stream's bytes live. Logical offset = `rotatedBytes` + offset in the live file. */
export interface StreamLog {
  /** Bytes moved out of the live file so far (copied, lost or cut by someone else). */
  rotatedBytes: number;
  /** Retained rotated files, newest first. */
  parts: LogPart[];
  /** Bytes counted as lost by rotations (window (a) above), in total. */
  lostBytes: number;
}

export interface AgentLogs {
  stdout: StreamLog;
  stderr: StreamLog;
}

export interface RotationPolicy {
  /** A live file over this size is rotated. */
  maxBytes: number;
  /** Rotated files kept (`.1` … `.maxFiles`); at least 1. */
  maxFiles: number;
}

export const DEFAULT_LOG_MAX_BYTES = 256 * 1024 * 1024;
export const DEFAULT_LOG_MAX_FILES = 3;
/** Rounds of "copy what was appended meanwhile", per phase. */
const MAX_CATCH_UP_PASSES = 16;
/** The asynchronous phase hands over once at most this much is left to copy. */
const SYNC_FINISH_BYTES = 1024 * 1024;
/**
 * The synchronous phase stops catching up after this long and truncates
 * anyway: an agent writing faster than the disk takes copies would otherwise
 * hold the event loop. What it had not copied is counted as lost (window (a)).
 */
const SYNC_FINISH_MS = 25;

export function emptyStreamLog(): StreamLog {
  return { rotatedBytes: 0, parts: [], lostBytes: 0 };
}

export function emptyLogs(): AgentLogs {
  return { stdout: emptyStreamLog(), stderr: emptyStreamLog() };
}

/** The policy for the supervisor's options, or null when rotation is off (`logMaxFiles` 0). */
export function rotationPolicy(maxBytes: number | undefined, maxFiles: number | undefined): RotationPolicy | null {
  const files = Math.floor(maxFiles ?? DEFAULT_LOG_MAX_FILES);
  if (!(files > 0)) return null;
  return { maxBytes: Math.max(1, Math.floor(maxBytes ?? DEFAULT_LOG_MAX_BYTES)), maxFiles: files };
}

export function rotatedFile(file: string, n: number): string {
  return `${file}.${n}`;
}

export type RotationOutcome =
  | {
      ok: true;
      /** Logical offset where the rotated part (now `.1`) starts: `rotatedBytes` before this rotation. */
      partStart: number;
      /** Bytes now in `.1`. */
      copiedBytes: number;
      /** Bytes cut by the truncate that are not in `.1` (window (a)). */
      lostBytes: number;
      /** Copy passes after the first (how hard the agent was writing). */
      catchUpPasses: number;
      /** Where the copy is now: `.1`, `.rotating` when shifting failed, null when the agent swapped the copy away. */
      copyPath: string | null;
      /** Set when the copy is safe but shifting the rotated files failed (the bytes stay in `.rotating`), or the copy was swapped. */
      problem: string | null;
      /** Things the agent had planted at names Corral uses, removed without being followed. */
      notices: string[];
    }
  | RotationFailure;

/** Nothing was cut. `unsafe`: the live file is not a regular file of the agent's own any more (stop following it). */
export type RotationFailure = { ok: false; message: string; unsafe?: UnsafeFileError };

/** The copy made off the event loop, waiting for `finishRotation`; it holds the checked descriptors. */
export type PreparedRotation =
  | { ok: true; pending: string; copied: number; live: number; copy: number; copyIdentity: FileIdentity; notices: string[] }
  | RotationFailure;

/**
 * Phase 1, asynchronous (libuv's thread pool, so the event loop stays free even
 * when the disk throttles writers): copy the live file to `<name>.rotating`,
 * then what was appended meanwhile, until what is left is small. Touches
 * nothing the agent or the tail uses; the live file is not cut here.
 */
export async function prepareRotation(file: string): Promise<PreparedRotation> {
  const pending = `${file}.rotating`;
  let live: number | null = null;
  let copy: number | null = null;
  try {
    // O_RDWR for the ftruncate of phase 2; we never write through it, so O_APPEND does not matter here.
    live = openChecked(file, 'read-write').fd;
    const created = createExclusive(pending);
    copy = created.fd;
    const notices = created.removed ? [`${path.basename(pending)} was already there (${created.removed}), not Corral's; it was removed without being followed.`] : [];
    const copyIdentity = identityOf(fstatSync(copy));
    let copied = 0;
    // The first pass copies everything there is, however little: the synchronous phase only catches up.
    for (let pass = 0; pass < MAX_CATCH_UP_PASSES; pass++) {
      const size = fstatSync(live).size;
      if (size - copied <= (pass === 0 ? 0 : SYNC_FINISH_BYTES)) break;
      copied += await copyRangeAsync(live, copy, copied, size);
    }
    return { ok: true, pending, copied, live, copy, copyIdentity, notices };
  } catch (error) {
    if (live !== null) closeQuietly(live);
    if (copy !== null) closeQuietly(copy);
    const kept = copy === null ? null : removeQuietly(pending); // not ours to remove unless we created it
    if (error instanceof UnsafeFileError) return { ok: false, message: `${error.replacedBy}; Corral did not rotate it and stopped following it.`, unsafe: error };
    return { ok: false, message: describeFailure(path.basename(file), error, kept) };
  }
}

/** Gives up a prepared rotation (the agent was removed meanwhile): the live file stays as it is. */
export function abandonRotation(prepared: PreparedRotation): void {
  if (!prepared.ok) return;
  closeQuietly(prepared.live);
  closeQuietly(prepared.copy);
  removeQuietly(prepared.pending);
}

/**
 * Phase 2, synchronous and short: copy the last appended bytes until the size
 * stops moving (or SYNC_FINISH_MS passes), truncate at once, then shift the
 * rotated files and update `log`. Never throws: a failure before the truncate
 * leaves the live file untouched and is returned as a message the user can act on.
 */
export function finishRotation(file: string, log: StreamLog, policy: RotationPolicy, prepared: PreparedRotation): RotationOutcome {
  if (!prepared.ok) return prepared;
  const name = path.basename(file);
  const { pending, live, copy } = prepared;
  let copied = prepared.copied;
  let lastSize = 0;
  let passes = 0;
  const deadline = performance.now() + SYNC_FINISH_MS;
  try {
    lastSize = fstatSync(live).size;
    if (lastSize < copied) throw new Error(`${name} shrank while it was being rotated (something else cut it)`);
    while (lastSize > copied && passes < MAX_CATCH_UP_PASSES && performance.now() < deadline) {
      copied += copyRange(live, copy, copied, lastSize, deadline);
      passes++;
      lastSize = fstatSync(live).size;
    }
    // Nothing between the size check above and this call: it is the whole residual window (b).
    ftruncateSync(live, 0);
  } catch (error) {
    const kept = removeQuietly(pending);
    return { ok: false, message: describeFailure(name, error, kept) };
  } finally {
    closeQuietly(live);
    closeQuietly(copy);
  }

  const partStart = log.rotatedBytes;
  // The offsets the tail already handed out stay valid: the next live byte comes after everything cut.
  const cut = Math.max(lastSize, copied);
  const lostBytes = cut - copied;
  log.rotatedBytes += cut;
  log.lostBytes += lostBytes;
  let problem: string | null = null;
  let copyPath: string | null = rotatedFile(file, 1);
  const notices = [...prepared.notices];
  try {
    for (let n = policy.maxFiles; n >= 1; n--) {
      const removed = removeIfPlanted(rotatedFile(file, n));
      if (removed) notices.push(removed);
    }
    const current = identityAt(pending);
    if (!current || current.kind !== null || !isSameFile(current.identity, prepared.copyIdentity)) {
      // The agent swapped our copy for something else: never hand that out as its rotated log.
      log.parts = [];
      copyPath = null;
      problem = `${path.basename(pending)} was replaced while ${name} was being rotated; the rotated bytes are lost and nothing it points to was read.`;
    } else {
      for (let n = policy.maxFiles - 1; n >= 1; n--) renameIfExists(rotatedFile(file, n), rotatedFile(file, n + 1));
      renameSync(pending, copyPath);
      log.parts = [{ start: partStart, bytes: copied }, ...log.parts].slice(0, policy.maxFiles);
    }
  } catch (error) {
    // The live file is already truncated; the copy is safe in `.rotating`, but the parts no longer match the names.
    log.parts = [];
    copyPath = pending;
    problem = `Rotated ${name} but could not rename the rotated files (${messageOf(error)}); the newest copy is kept as ${path.basename(pending)}.`;
  }
  return { ok: true, partStart, copiedBytes: copied, lostBytes, catchUpPasses: passes, copyPath, problem, notices };
}

/** Turns a failed rotation into words: disk full is the common case and says what to do. */
function describeFailure(name: string, error: unknown, removed: string | null): string {
  const leftover = removed ? ` (and could not remove its partial copy: ${removed})` : '';
  if (errnoOf(error) === 'ENOSPC') {
    return `Disk full: could not rotate ${name} (${messageOf(error)}). Nothing was cut; it keeps growing until space is freed${leftover}.`;
  }
  return `Could not rotate ${name}: ${messageOf(error)}. Nothing was cut; it keeps growing${leftover}.`;
}

/** Same as copyRange, on the thread pool (the descriptors, not the names: those are the agent's to change). */
async function copyRangeAsync(source: number, target: number, from: number, to: number): Promise<number> {
  const buffer = Buffer.allocUnsafe(Math.min(4 * 1024 * 1024, to - from));
  let at = from;
  while (at < to) {
    const { bytesRead } = await readAsync(source, buffer, 0, Math.min(buffer.length, to - at), at);
    if (bytesRead <= 0) break;
    let written = 0;
    while (written < bytesRead) written += (await writeAsync(target, buffer, written, bytesRead - written, at + written)).bytesWritten;
    at += bytesRead;
  }
  return at - from;
}

let copyBuffer: Buffer | null = null;

/** Copies [from, to) of `source` to the end of `target` (positioned writes), stopping at `deadline`; returns the bytes copied. */
function copyRange(source: number, target: number, from: number, to: number, deadline: number): number {
  copyBuffer ??= Buffer.allocUnsafe(1024 * 1024);
  let at = from;
  while (at < to && performance.now() < deadline) {
    const got = readSync(source, copyBuffer, 0, Math.min(copyBuffer.length, to - at), at);
    if (got <= 0) break;
    let written = 0;
    while (written < got) written += writeSync(target, copyBuffer, written, got - written, at + written);
    at += got;
  }
  return at - from;
}

/**
 * A rotated name holding anything but a plain file (a link, a FIFO, a second
 * name of another file) was planted by the agent: remove the name itself,
 * never what it points to, and say so. Null when there is nothing to remove.
 */
function removeIfPlanted(file: string): string | null {
  let stats;
  try {
    stats = lstatSync(file);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw error;
  }
  if (stats.isFile() && stats.nlink === 1) return null;
  if (stats.isDirectory()) return null; // not ours to remove: the rename over it fails and says so
  const what = stats.isSymbolicLink() ? 'a symbolic link' : stats.isFile() ? 'a second name (hard link) of another file' : 'not a regular file';
  unlinkSync(file);
  return `${path.basename(file)} was ${what}, not Corral's; it was removed without being followed.`;
}

function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error;
  }
}

/** Removes a partial copy; returns why it could not, or null. */
function removeQuietly(file: string): string | null {
  try {
    unlinkSync(file);
    return null;
  } catch (error) {
    // Something else in the way (e.g. a directory of that name) is not ours to delete: say so instead.
    return errnoOf(error) === 'ENOENT' ? null : `${path.basename(file)}: ${messageOf(error)}`;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Closing a descriptor we opened for reading and truncating cannot lose data.
  }
}
