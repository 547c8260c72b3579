/**
 * Files read every tick, kept open between reads. Opening a /proc or cgroup
 * file is what a tick spends its time on (measured under load: 400 opens and
 * reads of `/proc/<pid>/stat` 18–87 ms, 400 reads at offset 0 on descriptors
 * held open 1.3–1.7 ms); a read at offset 0 makes the kernel generate the file
 * anew, so a held descriptor reads fresh figures every time. A descriptor on
 * `/proc/<pid>/…` is bound to that very process: once it has gone, reads fail
 * (ESRCH), so a recycled pid never answers through it.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Descriptors held open by this process at most, all holders together. Node raises the soft
 * RLIMIT_NOFILE to the hard one at start (20000 on the usual machines, 1024 on some): holding
 * stays well below it, so logs, sockets and spawns never run out. Beyond it files are opened,
 * read and closed as before.
 */
export const MAX_HELD_FILES = 4096;

/** Who a held file belongs to (a pid, a cgroup's folder): files are let go by owner. */
export type FileOwner = number | string;

let heldTotal = 0;
let opens = 0;

/** How many files this module has opened since it loaded (held or not): how the tests prove a tick reopens nothing. */
export function heldFileOpens(): number {
  return opens;
}

/** Reads through any holder, by file name (`cgroup.procs`, `cpu.stat`…): how the tests prove what a quiet tick skips. */
const readsByName = new Map<string, number>();

/** How many times a file named `name` was read through a holder since this module loaded. */
export function heldFileReads(name: string): number {
  return readsByName.get(name) ?? 0;
}

/** How many descriptors every holder keeps open now. */
export function heldFileCount(): number {
  return heldTotal;
}

/** Below this, a read that returned less than asked has read the whole file (see `readWhole`). */
const WHOLE_BELOW_BYTES = 3072;

/** One scratch buffer for every read (all synchronous): grown when a file does not fit. */
let scratch = Buffer.allocUnsafe(16 * 1024);

/**
 * The whole of the file behind `fd` from offset 0, as a view of the scratch buffer valid until the
 * next read. Throws what the read throws (ESRCH once a process has gone, ENODEV once a cgroup has).
 */
export function readWhole(fd: number): Buffer {
  let length = 0;
  for (;;) {
    // Reading on from `length` continues the kernel's own rendering (seq_file): one consistent text.
    const read = readSync(fd, scratch, length, scratch.length - length, length);
    if (read === 0) return scratch.subarray(0, length);
    length += read;
    // A seq_file read stops short of the space given only at the end of the file, or when its next
    // record (a line of a few bytes here) would overflow its buffer of a page or more: a short read
    // well under a page is the whole file (procps ends on a short read too). Saves a read per file.
    if (length < WHOLE_BELOW_BYTES && length < scratch.length) return scratch.subarray(0, length);
    if (length === scratch.length) {
      const grown = Buffer.allocUnsafe(scratch.length * 2);
      scratch.copy(grown, 0, 0, length);
      scratch = grown;
    }
  }
}

/** Opens `path` read-only, counted in `heldFileOpens()`; null when it cannot be opened (gone, or not ours). */
function openCounted(path: string): number | null {
  opens++;
  try {
    return openSync(path, 'r');
  } catch {
    return null;
  }
}

/** Opens, reads whole and closes `path`; null when it cannot be read (gone, or not ours). */
export function readOnce(path: string): Buffer | null {
  const fd = openCounted(path);
  if (fd === null) return null;
  try {
    return readWhole(fd);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Read-only descriptors kept open per path, each with its owner. The holder lets go of an owner's
 * files when it is gone (`keepOnly`) and of all of them at `close()`; a read that fails closes
 * its descriptor and opens the path once more (a new cgroup made at the same place, a pid now
 * another process's), as a plain open would.
 */
export class HeldFiles {
  private readonly files = new Map<string, { fd: number; owner: FileOwner }>();

  constructor(private readonly maxHeld = MAX_HELD_FILES) {}

  /** The whole of `path` now (a view valid until the next read), or null when it cannot be read. */
  read(path: string, owner: FileOwner): Buffer | null {
    const name = path.slice(path.lastIndexOf('/') + 1);
    readsByName.set(name, (readsByName.get(name) ?? 0) + 1);
    const held = this.files.get(path);
    if (held) {
      try {
        return readWhole(held.fd);
      } catch {
        this.drop(path, held.fd);
      }
    }
    if (heldTotal >= MAX_HELD_FILES || this.files.size >= this.maxHeld) return readOnce(path);
    const fd = openCounted(path);
    if (fd === null) return null;
    try {
      const text = readWhole(fd);
      this.files.set(path, { fd, owner });
      heldTotal++;
      return text;
    } catch {
      closeSync(fd);
      return null;
    }
  }

  /** Closes the files of every owner not in `owners` (a process no longer in any tree, a cgroup no longer sampled). */
  keepOnly(owners: ReadonlySet<FileOwner>): void {
    for (const [path, { fd, owner }] of this.files) if (!owners.has(owner)) this.drop(path, fd);
  }

  /** How many files this holder keeps open. */
  get size(): number {
    return this.files.size;
  }

  /** Closes every held file. */
  close(): void {
    for (const [path, { fd }] of this.files) this.drop(path, fd);
  }

  private drop(path: string, fd: number): void {
    this.files.delete(path);
    heldTotal--;
    try {
      closeSync(fd);
    } catch {
      // already closed: nothing to let go
    }
  }
}
