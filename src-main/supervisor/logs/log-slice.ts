/**
 * Reading a stream back by logical offset, across the live file and the
 * retained rotated files (log-rotation.ts keeps the map). Every file is opened
 * through safe-file.ts: the agent may have replaced any of them.
 */
import { closeSync, readSync } from 'node:fs';
import { errnoOf } from '../errors';
import { rotatedFile, type StreamLog } from './log-rotation';
import { openChecked } from './safe-file';

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

function readRange(file: string, from: number, to: number): Buffer {
  let fd: number;
  try {
    fd = openChecked(file, 'read').fd;
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
  try {
    const { fd, stats } = openChecked(file, 'read');
    closeSync(fd);
    return stats.size;
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return 0;
    throw error;
  }
}
