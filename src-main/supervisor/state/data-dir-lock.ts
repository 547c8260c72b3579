/**
 * One host per data folder. Two engines (an `npm run serve`, the desktop app,
 * a script) on one folder would each overwrite the other's state.json and see
 * the other's agents as orphans, so the first one holds `<dataDir>/corral.lock`
 * — its pid, start time, boot id, host kind and since when — and every later
 * one fails at once with a `data-dir-locked` error that names it.
 *
 * A lock outlives a holder that was killed (SIGKILL, a crash, a reboot): it is
 * stale when its pid is gone, belongs to a process with another start time
 * (pid reused), or was taken in another boot, and the next start takes it over.
 *
 * Nothing here follows a link: the lock is read with O_NOFOLLOW from a checked
 * descriptor (bounded), drafts are created O_EXCL|O_NOFOLLOW, and anything at
 * the lock's name that is not a well-formed lock (a link, a FIFO, garbage) is
 * renamed aside — rename moves the entry itself, never a link's target.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, constants, fsyncSync, linkSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { CorralError, errnoOf, messageOf } from '../errors';
import { readBootId } from '../process/boot-id';
import type { ProcessReader } from '../process/process-table';
import { isPidAlive, LOCK_FILE_NAME, readLockEntry } from '../../shared/lock-file';
import { unlinkQuietly } from './set-aside';

/** Which kind of host holds a data folder (named in the message a second one gets). */
export const HOST_KINDS = ['engine', 'web host', 'desktop'] as const;
export type HostKind = (typeof HOST_KINDS)[number];

/** The lock's name inside the data folder (read and named in shared/lock-file.ts, which the client shares). */
export { LOCK_FILE_NAME };

const holderSchema = z.object({
  pid: z.number().int().positive(),
  /** The reader's start-time token ('' when it could not be read: then only the pid and boot are compared). */
  startTime: z.string(),
  /** Which reader wrote `startTime`: tokens of different readers are not comparable (the bench's ps reader on Linux). */
  reader: z.string().optional(),
  bootId: z.string(),
  kind: z.enum(HOST_KINDS),
  since: z.string(),
  /** Names this one lock instance (and, in file names, its takeover claims): so only safe characters. */
  token: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
});

/** Who holds a data folder. */
export type LockHolder = z.infer<typeof holderSchema>;

/** How long a start keeps contending for a stale lock that other starts are taking over at the same moment. */
const CONTEND_MS = 2_000;
/** Claimants that died in the middle of a takeover, tolerated before giving up (each leaves one claim file). */
const MAX_CLAIM_GENERATIONS = 16;

/** What sits at the lock's name: its instance key, and its holder when it is a well-formed lock. */
interface Found {
  key: string;
  holder: LockHolder | null;
}

/** The data folder's lock, held until `release()`. */
export class DataDirLock {
  private released = false;

  private constructor(
    private readonly file: string,
    /** This host, as written in the lock. */
    readonly holder: LockHolder,
  ) {}

  /**
   * Creates the data folder (0700) if missing and takes its lock, taking over a stale one.
   * Throws `data-dir-locked` naming the holder when another live host has it, and
   * `invalid-argument` when the path (or a parent) is a file. `reader` is the engine's (start times).
   */
  static async acquire(dataDir: string, reader: ProcessReader, kind: HostKind = 'engine'): Promise<DataDirLock> {
    ensureFolder(dataDir);
    const file = path.join(dataDir, LOCK_FILE_NAME);
    const bootId = readBootId();
    const holder: LockHolder = {
      pid: process.pid,
      startTime: (await reader.read(process.pid))?.startTime ?? '',
      reader: reader.kind,
      bootId,
      kind,
      since: new Date().toISOString(),
      token: randomUUID(),
    };
    const isAlive = (other: LockHolder) => isHolderAlive(other, bootId, reader);
    // The lock is taken by link(): its name appears only once its content is complete and synced, so a
    // contender never reads a half-written lock (with open(O_CREAT|O_EXCL) then write, a reader between the
    // two would find an empty file and could not tell a crashed writer from one still writing). link() fails
    // with EEXIST when anything — a link included — has the name, and never follows the new name.
    const draft = `${file}.${holder.token}.new`;
    writeDraft(draft, holder);
    try {
      const deadline = Date.now() + CONTEND_MS;
      for (;;) {
        if (tryLink(draft, file)) return new DataDirLock(file, holder);
        const found = readLock(file);
        if (found?.holder && (await isAlive(found.holder))) throw lockedError(dataDir, found.holder);
        if (Date.now() > deadline) {
          throw new CorralError('data-dir-locked', `Could not take over the stale lock ${file}: other Corral hosts kept contending for it. Try again.`);
        }
        // Gone since (retry at once), or stale and now ours to remove; else another start is removing it.
        if (found !== null && !(await takeOver(file, found, draft, holder.token, isAlive))) await delay(10);
      }
    } finally {
      unlinkQuietly(draft);
    }
  }

  /** Gives the folder up (idempotent). A lock that is no longer ours is left alone. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (readLock(this.file)?.holder?.token === this.holder.token) unlinkQuietly(this.file);
  }
}

/** The message a second host gets: who holds the folder and what to do. */
function lockedError(dataDir: string, holder: LockHolder): CorralError {
  const who = holder.pid === process.pid ? `this process (pid ${holder.pid})` : `pid ${holder.pid}`;
  return new CorralError(
    'data-dir-locked',
    `The data folder ${dataDir} is in use by another Corral ${holder.kind} (${who}, since ${holder.since}). ` +
      'Stop it, or use another data folder (--data-dir / CORRAL_DATA_DIR).',
  );
}

/**
 * Removes the stale lock `found`, once: of all the starts that judged it stale, only the one that creates
 * the claim `<lock>.takeover-<key>-<generation>` (exclusively) may, and only while the lock is still that
 * instance — else a slow contender could rename aside the fresh lock a faster one just took. A claimant
 * that died mid-takeover leaves its claim; the next generation is claimed instead.
 * True when this start removed it (retry the link), false when another start is taking it over.
 */
async function takeOver(file: string, found: Found, draft: string, token: string, isAlive: (holder: LockHolder) => Promise<boolean>): Promise<boolean> {
  const claimOf = (generation: number) => `${file}.takeover-${found.key}-${generation}`;
  for (let generation = 0; generation < MAX_CLAIM_GENERATIONS; generation++) {
    const claim = claimOf(generation);
    if (!tryLink(draft, claim)) {
      const claimant = readLock(claim)?.holder;
      if (claimant && (await isAlive(claimant))) return false;
      continue; // its claimant died (or has just finished): the next generation
    }
    try {
      if (readLock(file)?.key !== found.key) return false; // already replaced: look again
      const aside = `${file}.stale-${token}`;
      renameSync(file, aside);
      unlinkQuietly(aside); // a directory planted there stays aside: never removed recursively
      // The instance is gone, so its claims are never needed again (a late claimant re-checks the instance first).
      for (let earlier = 0; earlier < generation; earlier++) unlinkQuietly(claimOf(earlier));
      return true;
    } finally {
      unlinkQuietly(claim);
    }
  }
  return false;
}

/** A holder is alive when its boot is this one, its pid exists, and the pid's start time is the one it wrote. */
async function isHolderAlive(holder: LockHolder, bootId: string, reader: ProcessReader): Promise<boolean> {
  // Linux's boot id is exact; elsewhere it is derived from the uptime and could differ by rounding, and the
  // start time (a wall-clock time there) already tells a rebooted machine's pid from the holder.
  if (process.platform === 'linux' && holder.bootId !== bootId) return false;
  if (!isPidAlive(holder.pid)) return false;
  if (holder.startTime === '' || holder.reader !== reader.kind) return true;
  const entry = await reader.read(holder.pid);
  // Unreadable but signalable: alive as far as we can tell (never take over a lock we cannot judge).
  return entry === null || entry.startTime === holder.startTime;
}

/** What sits at `file`: null when nothing does. Read by shared/lock-file.ts: never through a link, a FIFO or past its cap. */
function readLock(file: string): Found | null {
  let entry: ReturnType<typeof readLockEntry>;
  try {
    entry = readLockEntry(file);
  } catch (error) {
    throw new CorralError('io-error', `Could not read the data folder's lock ${file}: ${messageOf(error)}`);
  }
  if (entry === null) return null;
  const parsed = holderSchema.safeParse(entry.content);
  return parsed.success ? { key: parsed.data.token, holder: parsed.data } : { key: `ino-${entry.ino}`, holder: null };
}

/** Writes this host's lock content to a new file of its own, synced, for link() to publish. */
function writeDraft(draft: string, holder: LockHolder): void {
  let fd: number | null = null;
  try {
    fd = openSync(draft, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    writeSync(fd, `${JSON.stringify(holder)}\n`);
    fsyncSync(fd);
  } catch (error) {
    throw new CorralError(errnoOf(error) === 'EACCES' ? 'permission-denied' : 'io-error', `Could not write the data folder's lock ${draft}: ${messageOf(error)}`);
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Publishes `from` under the name `to`: false when the name is taken. */
function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false;
    // E.g. a file system without hard links (FAT): say so rather than lock unsafely.
    throw new CorralError('io-error', `Could not take the data folder's lock ${to}: ${messageOf(error)}. The data folder must be on a file system with hard links.`);
  }
}

/** mkdir -p 0700, with a typed error when the path or one of its parents is a file. */
function ensureFolder(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = errnoOf(error);
    const file = code === 'EEXIST' || code === 'ENOTDIR' ? firstFileOf(dataDir) : null;
    if (file !== null) throw new CorralError('invalid-argument', `${file} is a file, not a folder: choose another data folder (--data-dir / CORRAL_DATA_DIR).`);
    throw new CorralError(code === 'EACCES' || code === 'EPERM' ? 'permission-denied' : 'io-error', `Could not create the data folder ${dataDir}: ${messageOf(error)}`);
  }
}

/** The path itself or the nearest existing parent, when that is not a folder. */
function firstFileOf(dataDir: string): string | null {
  for (let at = path.resolve(dataDir); ; at = path.dirname(at)) {
    try {
      return statSync(at).isDirectory() ? null : at;
    } catch {
      if (path.dirname(at) === at) return null;
    }
  }
}
