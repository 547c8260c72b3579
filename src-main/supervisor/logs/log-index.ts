/**
 * When each part of a log was seen: a small index beside each log file
 * (`stdout.log` → `stdout.idx`), so the two streams can be merged in the
 * order they were written, also on a later read (a reload, paging back).
 * The files have no timestamps of their own and the streams are separate
 * files, so without this the combined view could only show one after the other.
 *
 * Format: fixed 16-byte records, appended by the tail when a poll finds new
 * bytes: (logical offset of the first new byte, time in ms since the epoch),
 * both little-endian float64. A record holds from its offset until the next
 * record's. Offsets are logical (log-rotation.ts), so they keep growing across
 * rotations and one file serves every retained part.
 *
 * Bounded: past MAX_INDEX_BYTES the file is rewritten without the records of
 * bytes no longer retained (rotated out), and with every other record of its
 * older half dropped (old times get coarser, recent ones stay exact).
 *
 * The file is in the agent's folder, so the agent may have replaced or
 * written it: it is opened without following a link (safe-file.ts), a planted
 * name is removed (never followed) and the index started afresh, and reads are
 * bounded and skip records that make no sense. A forged record can only
 * misplace the agent's own lines.
 */
import { closeSync, fstatSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { errnoOf, messageOf } from '../errors';
import type { SeenMark } from '../types';
import { createExclusive, openChecked, openForAppend, UnsafeFileError } from './safe-file';


const RECORD_BYTES = 16;
/** Cap of one index file: 32 768 records, about an hour of a stream printing every poll before old times get coarser. */
export const MAX_INDEX_BYTES = 512 * 1024;
/** Most marks handed out with one slice; more are thinned evenly (a 1 MiB slice of short lines printed slowly). */
export const MAX_MARKS_PER_READ = 4096;
const READ_BLOCK_RECORDS = 256;

/** `…/stdout.log` → `…/stdout.idx`. */
export function indexPathOf(logFile: string): string {
  const base = path.basename(logFile).replace(/\.log$/, '');
  return path.join(path.dirname(logFile), `${base}.idx`);
}

/** Appends marks to one stream's index; owned by the tail, one per tailed file. */
export class LogIndexWriter {
  private fd: number | null = null;
  private size = 0;
  /** Gave up (could not open it twice): the stream is merged by arrival only, said once. */
  private failed = false;
  private readonly record = Buffer.alloc(RECORD_BYTES);

  constructor(readonly file: string) {}

  /**
   * Records that bytes from logical `offset` on were seen at `at`.
   * `oldestRetained`: the first logical offset still in a log file (older records can go).
   * Returns a note when indexing stops working (once); null otherwise.
   */
  append(offset: number, at: number, oldestRetained: number): string | null {
    if (this.failed) return null;
    try {
      if (this.fd === null) this.open();
      if (this.size + RECORD_BYTES > MAX_INDEX_BYTES) this.compact(oldestRetained);
      this.record.writeDoubleLE(offset, 0);
      this.record.writeDoubleLE(at, 8);
      writeSync(this.fd!, this.record, 0, RECORD_BYTES, this.size);
      this.size += RECORD_BYTES;
      return null;
    } catch (error) {
      this.failed = true;
      this.close();
      return `Could not write ${path.basename(this.file)} (${messageOf(error)}); the combined log view orders this stream's newer lines by arrival only.`;
    }
  }

  close(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // Nothing is buffered: every record was written with its own call.
    }
    this.fd = null;
  }

  /** Opens (creating) the index without following a link; a planted name is removed, not followed. */
  private open(): void {
    let fd: number;
    try {
      fd = openForAppend(this.file);
    } catch (error) {
      if (!(error instanceof UnsafeFileError)) throw error;
      unlinkSync(this.file); // the name only, never what a link points to
      fd = openForAppend(this.file); // planted again at once: give up (the caller says so)
    }
    this.fd = fd;
    const size = fstatSync(fd).size;
    this.size = size - (size % RECORD_BYTES);
  }

  /** Rewrites the index within half its cap: records of bytes rotated out go, then every other older one. */
  private compact(oldestRetained: number): void {
    const records = readRecords(this.file, this.size);
    const count = records.length / 2;
    // The last record at or before the oldest retained byte still covers it; those before it cover nothing kept.
    let first = 0;
    while (first + 1 < count && records[(first + 1) * 2]! <= oldestRetained) first++;
    const limit = Math.floor(MAX_INDEX_BYTES / RECORD_BYTES / 2);
    // Over the limit: drop every other record of the oldest 2 × excess, one pass (old times coarser, recent ones exact).
    const excess = Math.max(0, count - first - limit);
    const out = new Float64Array(2 * Math.min(limit, count - first));
    let kept = 0;
    for (let i = first; i < count; i++) {
      if (i - first < 2 * excess && (i - first) % 2 === 1) continue;
      out[kept * 2] = records[i * 2]!;
      out[kept * 2 + 1] = records[i * 2 + 1]!;
      kept++;
    }
    const bytes = Buffer.from(out.buffer, 0, kept * RECORD_BYTES);
    const temporary = `${this.file}.compact`;
    const { fd } = createExclusive(temporary);
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, written);
      renameSync(temporary, this.file);
    } catch (error) {
      closeSync(fd);
      try {
        unlinkSync(temporary);
      } catch {
        // Already gone: nothing left behind.
      }
      throw error;
    }
    this.close();
    this.fd = fd;
    this.size = bytes.length;
  }
}

/**
 * The marks covering logical [from, to) of a stream: the last one at or before
 * `from`, then every one inside. Empty when there is no index (an agent started
 * before indexes existed) or it cannot be read safely (then the view merges by
 * arrival). Never follows a link; reads O(log n) records to find `from`.
 */
export function readSeenMarks(indexFile: string, from: number, to: number): SeenMark[] {
  let opened;
  try {
    opened = openChecked(indexFile, 'read');
  } catch (error) {
    if (error instanceof UnsafeFileError || errnoOf(error) === 'ENOENT') return [];
    throw error;
  }
  const { fd, stats } = opened;
  try {
    const count = Math.floor(stats.size / RECORD_BYTES);
    const record = Buffer.alloc(RECORD_BYTES);
    const offsetAt = (i: number): number => (readSync(fd, record, 0, RECORD_BYTES, i * RECORD_BYTES) === RECORD_BYTES ? record.readDoubleLE(0) : Number.POSITIVE_INFINITY);
    // Last record whose offset is ≤ from (records are in offset order unless forged: then the order is just wrong).
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (offsetAt(mid) <= from) lo = mid + 1;
      else hi = mid;
    }
    const marks: SeenMark[] = [];
    const block = Buffer.alloc(READ_BLOCK_RECORDS * RECORD_BYTES);
    // Bounded however big the agent made the file: at most twice what the writer ever keeps is scanned.
    const scanEnd = Math.min(count, Math.max(0, lo - 1) + (2 * MAX_INDEX_BYTES) / RECORD_BYTES);
    for (let i = Math.max(0, lo - 1); i < scanEnd; i += READ_BLOCK_RECORDS) {
      const got = readSync(fd, block, 0, Math.min(READ_BLOCK_RECORDS, scanEnd - i) * RECORD_BYTES, i * RECORD_BYTES);
      let done = false;
      for (let at = 0; at + RECORD_BYTES <= got; at += RECORD_BYTES) {
        const mark = { offset: block.readDoubleLE(at), at: block.readDoubleLE(at + 8) };
        if (mark.offset >= to) {
          done = true;
          break;
        }
        const previous = marks[marks.length - 1];
        if (!Number.isFinite(mark.offset) || !Number.isFinite(mark.at) || mark.offset < 0) continue;
        if (previous !== undefined && mark.offset <= previous.offset) continue;
        marks.push(mark);
      }
      if (done || got === 0) break;
    }
    return thin(marks, MAX_MARKS_PER_READ);
  } finally {
    closeSync(fd);
  }
}

/** At most `max` marks, evenly chosen, always keeping the first (it covers the slice's start). */
function thin(marks: SeenMark[], max: number): SeenMark[] {
  if (marks.length <= max) return marks;
  const step = marks.length / max;
  const kept: SeenMark[] = [];
  for (let i = 0; i < max; i++) kept.push(marks[Math.floor(i * step)]!);
  return kept;
}

/**
 * The first `size` bytes as (offset, time) pairs, read through a checked
 * descriptor of its own (the append one is write-only). Float64Array is
 * little-endian on every platform Node ships for, like the records.
 */
function readRecords(file: string, size: number): Float64Array {
  const data = new Float64Array(Math.floor(size / RECORD_BYTES) * 2);
  const view = Buffer.from(data.buffer);
  const { fd } = openChecked(file, 'read');
  let read = 0;
  try {
    while (read < view.length) {
      const n = readSync(fd, view, read, view.length - read, read);
      if (n === 0) break;
      read += n;
    }
  } finally {
    closeSync(fd);
  }
  return data.subarray(0, Math.floor(read / RECORD_BYTES) * 2);
}
