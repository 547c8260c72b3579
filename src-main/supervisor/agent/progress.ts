import { closeSync, lstatSync, readSync } from 'node:fs';
import path from 'node:path';
import { errnoOf, messageOf } from '../errors';
import { describeKind, openChecked, UnsafeFileError } from '../logs/safe-file';

/** What an agent last wrote to its CORRAL_STATUS_FILE. */
export interface Progress {
  progress: number | null;
  message: string | null;
  /** Set when the file exists but could not be used; the caller shows it once. */
  problem: string | null;
}

/** A status file over this is ignored: `{"progress": 42, "message": "…"}` needs a few hundred bytes. */
export const MAX_STATUS_FILE_BYTES = 64 * 1024;

/**
 * Reads the agent's progress file when it changed since `previous`.
 * `{"progress": 0-100, "message": "..."}`; anything else is ignored with a
 * note, never thrown.
 *
 * The file is the agent's, so it may be anything (safe-file.ts): it is read
 * only while it is a regular file of at most MAX_STATUS_FILE_BYTES, from a
 * descriptor opened without following a link and without blocking. A link, a
 * FIFO, a directory, a device or a huge file is ignored with a note, never
 * opened for reading whole or waited on.
 */
export class ProgressReader {
  private lastStamp = '';
  private last: Progress = { progress: null, message: null, problem: null };

  constructor(private readonly path: string) {}

  read(): Progress {
    let stamp: string;
    try {
      // lstat: one system call per tick, as before, and it never follows the agent's link.
      const stat = lstatSync(this.path);
      stamp = `${stat.dev}:${stat.ino}:${stat.mode}:${stat.mtimeMs}:${stat.size}`;
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') this.last = { ...this.last, problem: `Progress file unreadable: ${messageOf(error)}` };
      return this.last;
    }
    if (stamp === this.lastStamp) return this.last;
    this.lastStamp = stamp;
    const text = readBounded(this.path);
    this.last = typeof text === 'string' ? parseProgress(text, this.last) : { ...this.last, problem: text.problem };
    return this.last;
  }
}

/** The file's text, read from a checked descriptor, or why it was not read. */
function readBounded(file: string): string | { problem: string } {
  const name = path.basename(file);
  let opened: { fd: number; stats: { size: number } };
  try {
    opened = openChecked(file, 'read');
  } catch (error) {
    if (error instanceof UnsafeFileError) return { problem: `Progress file ignored: ${name} is ${describeKind(error.kind)}, not a regular file; Corral does not follow or read it.` };
    return { problem: `Progress file unreadable: ${messageOf(error)}` };
  }
  const { fd, stats } = opened;
  try {
    if (stats.size > MAX_STATUS_FILE_BYTES) return tooLarge(name);
    // One byte more than the cap: a file that grew since the fstat is caught, never read further.
    const buffer = Buffer.allocUnsafe(MAX_STATUS_FILE_BYTES + 1);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    if (read > MAX_STATUS_FILE_BYTES) return tooLarge(name);
    return buffer.toString('utf8', 0, read);
  } catch (error) {
    return { problem: `Progress file unreadable: ${messageOf(error)}` };
  } finally {
    closeSync(fd);
  }
}

/** Stable text (no size in it): a growing file is noted once, not once per size. */
function tooLarge(name: string): { problem: string } {
  return { problem: `Progress file ignored: ${name} is larger than the ${MAX_STATUS_FILE_BYTES / 1024} KiB a status file may have; write only {"progress": …, "message": …} to it.` };
}

function parseProgress(raw: string, previous: Progress): Progress {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    return { ...previous, problem: `Progress file ignored: not valid JSON (${messageOf(error)})` };
  }
  if (typeof json !== 'object' || json === null) return { ...previous, problem: 'Progress file ignored: expected a JSON object' };
  const { progress, message } = json as { progress?: unknown; message?: unknown };
  const value = typeof progress === 'number' && Number.isFinite(progress) ? Math.min(100, Math.max(0, progress)) : null;
  const text = typeof message === 'string' ? message.slice(0, 500) : null;
  if (value === null && progress !== undefined) {
    return { progress: previous.progress, message: text ?? previous.message, problem: 'Progress file ignored: "progress" must be a number 0–100' };
  }
  return { progress: value, message: text, problem: null };
}
