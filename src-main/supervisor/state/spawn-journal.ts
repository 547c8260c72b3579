/**
 * The spawn journal (`<dataDir>/journal/`): one small file per agent whose
 * record state.json has not caught up with yet, so a spawn's record is on disk
 * before its process exists, and its pid + start time before anyone is told it
 * runs, for the price of one agent's record instead of the whole state file
 * (whose write grows with every agent on record). The state store is its only
 * writer: every write of state.json removes the entries it covers, so the
 * journal is empty after a normal close.
 *
 * An entry is written whole to a temporary file, renamed to a name never used
 * before (`<agentId>.<write number>.json`), and only then is the agent's
 * previous entry removed: a Corral killed at any moment leaves the old entry,
 * the new one or both (the higher number wins), never part of one, and what it
 * wrote is in the page cache, which outlives the process. (A fresh name rather
 * than a rename over the old entry: ext4 writes out the data of a file renamed
 * over another at once, which made a write 2.5–4× slower on average under load.)
 * There is no fsync: it would only guard against a power loss or a kernel
 * crash, after which no agent process survives either, so a record lost then
 * cannot leave an orphan behind; and state.json, fsynced, catches up within a
 * flush delay anyway.
 *
 * The folder is Corral's (0700), not an agent's, but anything running as the
 * user could write there, so it is read as warily as an agent's folder: no
 * link followed, nothing but a regular file opened, nothing read past a cap,
 * and an entry that fails a check is set aside with a warning, never a crash.
 */
import { closeSync, readdirSync, readSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { messageOf } from '../errors';
import { createExclusive, describeKind, ensurePrivateDir, identityAt, openChecked, UnsafeFileError } from '../logs/safe-file';
import { renameAside, unlinkQuietly } from './set-aside';

export const JOURNAL_DIR_NAME = 'journal';

/** An entry larger than this is not journaled (the caller writes state.json instead), and one found on disk is refused unread. */
export const MAX_ENTRY_BYTES = 8 * 1024 * 1024;

/** `<agentId>.<write number>.json`; longer numbers than a double holds exactly are not names Corral gives. */
const ENTRY_NAME = /^(.+)\.(\d{1,15})\.json$/;
const TEMP_SUFFIX = '.tmp';

/** Checks an entry's content; `reason` completes "set aside because …". */
export type ParseEntry<T> = (json: unknown, agentId: string) => { ok: true; value: T } | { ok: false; reason: string };

/** Why an entry was not written: too large to journal, or the file system refused. */
export interface JournalWriteFailure {
  kind: 'too-large' | 'io';
  message: string;
}

export class SpawnJournal {
  /** The last write's number; it goes on from the highest found on disk, so a newer entry always has a higher one. */
  private seq = 0;
  /** Each agent's entry on disk: the number of the write that put it there. */
  private readonly entries = new Map<string, number>();

  private constructor(readonly dir: string) {}

  /**
   * Opens the journal folder, making it a private folder of Corral's, and reads
   * what a previous Corral left in it. The journal is null when the folder cannot
   * be made usable (then every write-ahead goes to state.json).
   */
  static open<T>(dataDir: string, parse: ParseEntry<T>, warn: (message: string) => void): { journal: SpawnJournal | null; found: Map<string, T> } {
    const dir = path.join(dataDir, JOURNAL_DIR_NAME);
    const found = new Map<string, T>();
    let names: string[];
    try {
      const at = identityAt(dir);
      if (at !== null && at.kind !== 'directory') {
        // A link or a file where the folder should be: moved out of the way (never followed), a folder made.
        const kept = renameAside(dir);
        warn(`The spawn journal folder ${dir} was ${at.kind === null ? 'a file' : describeKind(at.kind)}; it is kept as ${kept} and a new folder was made.`);
      }
      ensurePrivateDir(dir);
      names = readdirSync(dir);
    } catch (error) {
      warn(`The spawn journal folder ${dir} cannot be used (${messageOf(error)}); each spawn will write the whole state file instead, which is slower.`);
      return { journal: null, found };
    }
    const journal = new SpawnJournal(dir);
    for (const name of names) {
      const file = path.join(dir, name);
      if (name.endsWith(TEMP_SUFFIX)) {
        unlinkQuietly(file); // a write cut short before its rename: the entry before it is still whole
        continue;
      }
      const match = ENTRY_NAME.exec(name);
      if (!match) continue; // set-aside entries and anything else: not ours to read or remove
      const [, agentId = '', number = ''] = match;
      const seq = Number(number);
      journal.seq = Math.max(journal.seq, seq);
      const read = readEntry(file);
      const parsed = read.ok ? parse(read.json, agentId) : read;
      if (parsed.ok) {
        // Two entries of one agent: Corral stopped between a write and the removal of the entry before it.
        const other = journal.entries.get(agentId);
        if (other !== undefined && other > seq) {
          unlinkQuietly(file);
          continue;
        }
        if (other !== undefined) unlinkQuietly(journal.entryPath(agentId, other));
        found.set(agentId, parsed.value);
        journal.entries.set(agentId, seq);
        continue;
      }
      try {
        warn(`The spawn journal entry ${file} was set aside because ${parsed.reason}. It is kept as ${renameAside(file)}; Corral goes on with what else it has on record for "${agentId}", if anything.`);
      } catch (error) {
        warn(`The spawn journal entry ${file} is unusable because ${parsed.reason}, and could not be set aside (${messageOf(error)}); it is ignored.`);
      }
    }
    return { journal, found };
  }

  /** Replaces the entry of `agentId` with `text`, whole or not at all; null once it is on disk. */
  write(agentId: string, text: string): JournalWriteFailure | null {
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_ENTRY_BYTES) return { kind: 'too-large', message: `the record is ${bytes} bytes, over the journal's ${MAX_ENTRY_BYTES}` };
    const seq = this.seq + 1;
    const file = this.entryPath(agentId, seq);
    const temp = `${file}${TEMP_SUFFIX}`;
    try {
      // Exclusive, never through a link (a leftover at that name is removed first); given its name once whole.
      const { fd } = createExclusive(temp);
      try {
        writeFileSync(fd, text);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, file);
    } catch (error) {
      unlinkQuietly(temp);
      return { kind: 'io', message: messageOf(error) };
    }
    this.seq = seq;
    const previous = this.entries.get(agentId);
    this.entries.set(agentId, seq);
    if (previous !== undefined) unlinkQuietly(this.entryPath(agentId, previous));
    return null;
  }

  /** The last write so far: what a write of state.json that collects its records now will cover. */
  mark(): number {
    return this.seq;
  }

  /**
   * Removes the entries written up to `mark`, once state.json holds their
   * records. An entry rewritten since (a later write) stays: state.json has not
   * seen it. One that cannot be removed stays too; the next start finds
   * state.json's record newer and keeps that one.
   */
  clearThrough(mark: number): void {
    for (const [agentId, seq] of this.entries) {
      if (seq > mark) continue;
      unlinkQuietly(this.entryPath(agentId, seq));
      this.entries.delete(agentId);
    }
  }

  private entryPath(agentId: string, seq: number): string {
    return path.join(this.dir, `${agentId}.${seq}.json`);
  }
}

/** The entry's JSON, read from a regular file with one name and no more than the cap; or why it is unusable. */
function readEntry(file: string): { ok: true; json: unknown } | { ok: false; reason: string } {
  let opened: ReturnType<typeof openChecked>;
  try {
    opened = openChecked(file, 'read');
  } catch (error) {
    if (error instanceof UnsafeFileError) return { ok: false, reason: `it is ${describeKind(error.kind)}, not a regular file` };
    return { ok: false, reason: `it could not be opened (${messageOf(error)})` };
  }
  const { fd, stats } = opened;
  try {
    if (stats.size > MAX_ENTRY_BYTES) return { ok: false, reason: `it is ${stats.size} bytes, over the journal's ${MAX_ENTRY_BYTES}` };
    // One byte more than it claims: a file that grew since the fstat is seen as such, never read on without bound.
    const buffer = Buffer.alloc(stats.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const got = readSync(fd, buffer, length, buffer.length - length, length);
      if (got === 0) break;
      length += got;
    }
    if (length > stats.size) return { ok: false, reason: 'it grew while it was read' };
    return { ok: true, json: JSON.parse(buffer.toString('utf8', 0, length)) as unknown };
  } catch (error) {
    return { ok: false, reason: error instanceof SyntaxError ? `it is not valid JSON (${error.message})` : `it could not be read (${messageOf(error)})` };
  } finally {
    closeSync(fd);
  }
}

