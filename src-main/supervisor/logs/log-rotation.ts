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
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { copyFile, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { errnoOf, messageOf } from '../errors';
import type { LogEvent } from '../types';

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
      /** Where the copy is now: `.1`, or `.rotating` when shifting failed. */
      copyPath: string;
      /** Set when the copy is safe but shifting the rotated files failed (the bytes stay in `.rotating`). */
      problem: string | null;
    }
  | { ok: false; message: string };

/** The copy made off the event loop, waiting for `finishRotation`. */
export type PreparedRotation = { ok: true; pending: string; copied: number } | { ok: false; message: string };

/**
 * Phase 1, asynchronous (libuv's thread pool, so the event loop stays free even
 * when the disk throttles writers): copy the live file to `<name>.rotating`,
 * then what was appended meanwhile, until what is left is small. Touches
 * nothing the agent or the tail uses; the live file is not cut here.
 */
export async function prepareRotation(file: string): Promise<PreparedRotation> {
  const pending = `${file}.rotating`;
  let live: FileHandle | null = null;
  let copy: FileHandle | null = null;
  try {
    await copyFile(file, pending); // the bulk, in the kernel (copy_file_range / sendfile)
    live = await open(file, 'r');
    copy = await open(pending, 'r+');
    let copied = (await copy.stat()).size;
    for (let pass = 0; pass < MAX_CATCH_UP_PASSES; pass++) {
      const size = (await live.stat()).size;
      if (size - copied <= SYNC_FINISH_BYTES) break;
      copied += await copyRangeAsync(live, copy, copied, size);
    }
    return { ok: true, pending, copied };
  } catch (error) {
    return { ok: false, message: describeFailure(path.basename(file), error, removeQuietly(pending)) };
  } finally {
    await live?.close().catch(() => undefined); // read-only: nothing to lose
    await copy?.close().catch(() => undefined);
  }
}

/** Gives up a prepared rotation (the agent was removed meanwhile): the live file stays as it is. */
export function abandonRotation(prepared: PreparedRotation): void {
  if (prepared.ok) removeQuietly(prepared.pending);
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
  const pending = prepared.pending;
  let live: number | null = null;
  let copy: number | null = null;
  let copied = prepared.copied;
  let lastSize = 0;
  let passes = 0;
  const deadline = performance.now() + SYNC_FINISH_MS;
  try {
    // O_RDWR for ftruncate; we never write through it, so O_APPEND does not matter here.
    live = openSync(file, 'r+');
    copy = openSync(pending, 'r+');
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
    if (live !== null) closeQuietly(live);
    if (copy !== null) closeQuietly(copy);
  }

  const partStart = log.rotatedBytes;
  // The offsets the tail already handed out stay valid: the next live byte comes after everything cut.
  const cut = Math.max(lastSize, copied);
  const lostBytes = cut - copied;
  log.rotatedBytes += cut;
  log.lostBytes += lostBytes;
  let problem: string | null = null;
  let copyPath = rotatedFile(file, 1);
  try {
    for (let n = policy.maxFiles - 1; n >= 1; n--) renameIfExists(rotatedFile(file, n), rotatedFile(file, n + 1));
    renameSync(pending, copyPath);
    log.parts = [{ start: partStart, bytes: copied }, ...log.parts].slice(0, policy.maxFiles);
  } catch (error) {
    // The live file is already truncated; the copy is safe in `.rotating`, but the parts no longer match the names.
    log.parts = [];
    copyPath = pending;
    problem = `Rotated ${name} but could not rename the rotated files (${messageOf(error)}); the newest copy is kept as ${path.basename(pending)}.`;
  }
  return { ok: true, partStart, copiedBytes: copied, lostBytes, catchUpPasses: passes, copyPath, problem };
}

/**
 * Up to `maxBytes` of the stream ending at logical offset `before` (default:
 * the end), read across the live file and the retained rotated files as long
 * as they are contiguous. Before the oldest retained byte the answer is an
 * empty slice at the oldest retained offset (the reader stops paging there).
 * `size` is the logical end of the stream.
 */
export function readLogSlice(file: string, log: StreamLog, before: number | undefined, maxBytes: number): { offset: number; data: Uint8Array; size: number } {
  const liveSize = sizeOf(file);
  const segments = [
    { start: log.rotatedBytes, end: log.rotatedBytes + liveSize, file },
    ...log.parts.map((part, i) => ({ start: part.start, end: part.start + part.bytes, file: rotatedFile(file, i + 1) })),
  ];
  const size = log.rotatedBytes + liveSize;
  const oldest = segments[segments.length - 1]!.start;
  let cursor = Math.min(Math.max(0, before ?? size), size);
  if (cursor <= oldest) return { offset: oldest, data: new Uint8Array(0), size };
  let remaining = Math.max(0, Math.floor(maxBytes));
  const chunks: Buffer[] = [];
  for (const segment of segments) {
    if (remaining === 0) break;
    if (segment.start >= cursor) continue;
    if (segment.end < cursor) {
      if (chunks.length > 0) break; // a gap (bytes lost or cut by someone else): the slice ends here
      cursor = segment.end;
    }
    const from = Math.max(segment.start, cursor - remaining);
    const data = readRange(segment.file, from - segment.start, cursor - segment.start);
    if (data.length < cursor - from) {
      // The file is shorter than recorded (removed or cut by hand): keep what is contiguous with the rest.
      if (chunks.length === 0 && data.length > 0 && from === segment.start) return { offset: from, data, size };
      break;
    }
    chunks.unshift(data);
    remaining -= data.length;
    cursor = from;
  }
  return { offset: cursor, data: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), size };
}

/** Turns a failed rotation into words: disk full is the common case and says what to do. */
function describeFailure(name: string, error: unknown, removed: string | null): string {
  const leftover = removed ? ` (and could not remove its partial copy: ${removed})` : '';
  if (errnoOf(error) === 'ENOSPC') {
    return `Disk full: could not rotate ${name} (${messageOf(error)}). Nothing was cut; it keeps growing until space is freed${leftover}.`;
  }
  return `Could not rotate ${name}: ${messageOf(error)}. Nothing was cut; it keeps growing${leftover}.`;
}

/** Same as copyRange, on the thread pool. */
async function copyRangeAsync(source: FileHandle, target: FileHandle, from: number, to: number): Promise<number> {
  const buffer = Buffer.allocUnsafe(Math.min(4 * 1024 * 1024, to - from));
  let at = from;
  while (at < to) {
    const { bytesRead } = await source.read(buffer, 0, Math.min(buffer.length, to - at), at);
    if (bytesRead <= 0) break;
    let written = 0;
    while (written < bytesRead) written += (await target.write(buffer, written, bytesRead - written, at + written)).bytesWritten;
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

function readRange(file: string, from: number, to: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return Buffer.alloc(0);
    throw error;
  }
  try {
    const data = Buffer.alloc(Math.max(0, to - from));
    let read = 0;
    while (read < data.length) {
      const n = readSync(fd, data, read, data.length - read, from + read);
      if (n === 0) break;
      read += n;
    }
    return data.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function sizeOf(file: string): number {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return 0;
    throw error;
  }
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
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
