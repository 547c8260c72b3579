import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reads up to `maxBytes` ending at `before` (default: the end of the file).
 * A missing file is an empty log: an agent that never wrote has none yet.
 */
export function readSlice(file: string, before: number | undefined, maxBytes: number): { offset: number; data: Uint8Array; size: number } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { offset: 0, data: new Uint8Array(0), size: 0 };
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    const end = Math.min(before ?? size, size);
    const offset = Math.max(0, end - Math.max(0, maxBytes));
    const data = Buffer.alloc(end - offset);
    let read = 0;
    while (read < data.length) {
      const n = readSync(fd, data, read, data.length - read, offset + read);
      if (n === 0) break;
      read += n;
    }
    return { offset, data: data.subarray(0, read), size };
  } finally {
    closeSync(fd);
  }
}
