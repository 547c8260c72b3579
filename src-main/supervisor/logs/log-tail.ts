/**
 * Tails agents' log files and hands new bytes to the supervisor in bounded
 * chunks. The agent writes straight to the file (DESIGN.md decision 5); this
 * only reads, so a slow reader can never block an agent.
 *
 * A file is looked at when the kernel says it changed (file-watch.ts), so quiet
 * agents cost no reads; a slow safety poll catches missed notifications, and a
 * file that cannot be watched is polled at the old fast pace.
 *
 * Offsets handed out are logical (see log-rotation.ts): the bytes rotated out
 * of the live file plus the offset in it, so they keep growing across
 * rotations. Rotation is checked here because each look already stats the file.
 *
 * The file's name is in the agent's folder, so the agent may replace it
 * (safe-file.ts): it is opened without following a link and only as a plain
 * file, and each poll checks (one lstat) that the name still holds that file
 * or a plain file. A log replaced by a link, a FIFO, a device… stops being
 * tailed, with a note and a warning: nothing it points to is ever read.
 */
import { closeSync, fstatSync, readSync } from 'node:fs';
import { messageOf } from '../errors';
import { TailSchedule, type Watched } from './file-watch';
import { indexPathOf, LogIndexWriter } from './log-index';
import { abandonRotation, emptyStreamLog, finishRotation, prepareRotation, type PreparedRotation, type RotationOutcome, type RotationPolicy, type StreamLog } from './log-rotation';
import { identityAt, identityOf, isSameFile, openChecked, UnsafeFileError, type FileIdentity } from './safe-file';
import type { LogEvent, SeenMark } from '../types';

/** After a failed rotation (disk full…), the next attempt waits this long instead of retrying every poll. */
const ROTATION_RETRY_MS = 10_000;

/** Something about an agent's log the supervisor must record: its rotation record changed, maybe with a note. */
export interface LogChange {
  /** For the agent's notes. */
  note?: string;
  /** The note replaces an earlier one starting with this (a running total). */
  replaces?: string;
  /** Also raised as a `warning` event. */
  warning?: string;
}

export interface LogTailOptions {
  /** The pace (file-watch.ts, PACE_MS by default): the poll of a file that cannot be watched, the least gap between looks at a busy one. */
  intervalMs?: number;
  /** Period of the look at every file that catches missed notifications (file-watch.ts, SAFETY_POLL_MS by default). */
  safetyPollMs?: number;
  /** Largest `data` in one event. */
  maxChunkBytes?: number;
  /** Most bytes read from one file per look; a file with more waiting is looked at again right after other work. */
  maxBytesPerPoll?: number;
  /** When nobody listens, files are not read: their offsets just follow the end. */
  isWanted: () => boolean;
  onChunk: (event: LogEvent) => void;
  /** The stream's rotation record (kept on the agent, persisted); a private one when this returns null. */
  logOf?: (agentId: string, stream: LogEvent['stream']) => StreamLog | null;
  /** Null or absent: never rotate. */
  rotation?: RotationPolicy | null;
  onChange: (agentId: string, change: LogChange) => void;
  /** The agent's file changed size since the last poll (it wrote, or it was rotated), read or not. */
  onActivity?: (agentId: string) => void;
}

interface TailedFile extends Watched {
  agentId: string;
  stream: LogEvent['stream'];
  path: string;
  fd: number | null;
  /** What `fd` is, to notice the name being given to something else. */
  identity: FileIdentity | null;
  /** The agent was told once that this file is polled instead of watched. */
  isUnwatchedNoted: boolean;
  /** Physical offset in the live file: what was read (or skipped) so far. */
  offset: number;
  /** Used when the supervisor keeps no record for this agent. */
  ownLog: StreamLog;
  /** Stop after the next poll that finds nothing new. */
  finishing: boolean;
  /** A read failed and was reported; the next success clears it. */
  isFailing: boolean;
  isRotationFailing: boolean;
  retryRotationAt: number;
  /** A rotation's copy is under way (off the event loop); the file is read as usual meanwhile. */
  isRotating: boolean;
  /** Size at the last poll, to notice activity while nobody reads. */
  lastSize: number;
  /** When each part was seen (log-index.ts), for the combined view's order. */
  index: LogIndexWriter;
  /** Physical offset up to which bytes have a mark. */
  indexedEnd: number;
  /** Marks from the read offset on, to stamp the chunks handed out (bounded). */
  recent: SeenMark[];
}

/** Marks kept in memory per file while the tail is behind; past it the oldest go (their chunks get a later time). */
const MAX_RECENT_MARKS = 256;

export class LogTail {
  /** What the tail did since it was made: `checks` looks at a file (an fstat each), `reads` read calls. */
  readonly stats = { checks: 0, reads: 0 };
  private readonly files = new Map<string, TailedFile>();
  private readonly schedule: TailSchedule<TailedFile>;
  private readonly buffer: Buffer;
  /** Rotations whose copy is under way; `close()` waits for them so no `.rotating` copy outlives the tail. */
  private readonly rotations = new Set<Promise<void>>();

  constructor(private readonly options: LogTailOptions) {
    this.buffer = Buffer.allocUnsafe(options.maxChunkBytes ?? 64 * 1024);
    this.schedule = new TailSchedule({
      safetyPollMs: options.safetyPollMs,
      paceMs: options.intervalMs,
      files: () => this.files.values(),
      look: (include) => this.pass(include),
      onUnwatched: (file, failure) => {
        if (file.isUnwatchedNoted) return;
        file.isUnwatchedNoted = true;
        const note = `${file.stream}.log cannot be watched for changes (${failure.message}); Corral looks at it every ${this.schedule.paceMs} ms instead.`;
        this.options.onChange(file.agentId, { note });
      },
    });
  }

  /** Starts tailing `path` from physical `offset` (the file's size before this run wrote to it). */
  add(agentId: string, stream: LogEvent['stream'], path: string, offset: number): void {
    this.remove(agentId, stream);
    this.files.set(`${agentId}\0${stream}`, {
      agentId,
      stream,
      path,
      fd: null,
      identity: null,
      watcher: null,
      isDirty: true, // opened (and watched) on the next turn
      lookedAt: 0,
      isUnwatchedNoted: false,
      offset,
      ownLog: emptyStreamLog(),
      finishing: false,
      isFailing: false,
      isRotationFailing: false,
      retryRotationAt: 0,
      isRotating: false,
      lastSize: offset,
      index: new LogIndexWriter(indexPathOf(path)),
      indexedEnd: offset,
      recent: [],
    });
    this.schedule.ensure();
    this.schedule.soon();
  }

  /** Whether the agent's `stream` is tailed now (added, not yet finished or removed). */
  has(agentId: string, stream: LogEvent['stream']): boolean {
    return this.files.has(`${agentId}\0${stream}`);
  }

  /** Reads what is left of the agent's files, then stops tailing them. */
  finish(agentId: string): void {
    for (const file of this.files.values()) if (file.agentId === agentId) file.finishing = file.isDirty = true;
    this.schedule.soon();
  }

  remove(agentId: string, stream?: LogEvent['stream']): void {
    for (const [key, file] of this.files) {
      if (file.agentId !== agentId || (stream && file.stream !== stream)) continue;
      this.dropFile(key, file);
    }
  }

  /** One look at every tailed file (the safety poll). Never throws: problems become changes on the agent. */
  poll(): void {
    this.pass(() => true);
  }

  /** One look at each file `include` picks; a file left behind (more to read, finishing) is looked at again on the next turn. */
  private pass(include: (file: TailedFile) => boolean): void {
    const limit = this.options.maxBytesPerPoll ?? 1024 * 1024;
    const wanted = this.options.isWanted();
    let isBehind = false;
    for (const [key, file] of this.files) {
      if (!include(file)) continue;
      file.isDirty = false;
      let readNow = 0;
      try {
        if (file.fd === null) {
          const opened = openChecked(file.path, 'read');
          file.fd = opened.fd;
          file.identity = identityOf(opened.stats);
          this.schedule.watch(file, opened.fd, file.path);
        } else this.checkName(file);
        const log = this.options.logOf?.(file.agentId, file.stream) ?? file.ownLog;
        this.stats.checks++;
        const stats = fstatSync(file.fd);
        const size = stats.size;
        if (size !== file.lastSize) {
          file.lastSize = size;
          this.options.onActivity?.(file.agentId);
        }
        if (size < file.offset) this.cutElsewhere(file, log, size);
        if (size > file.indexedEnd) this.markSeen(file, log, size, stats.mtimeMs);
        if (!wanted) file.offset = size;
        while (file.offset < size && readNow < limit) {
          const got = this.emit(file, file.fd, log.rotatedBytes, file.offset, Math.min(size, file.offset + limit - readNow));
          if (got <= 0) break;
          file.offset += got;
          readNow += got;
        }
        if (file.offset < size) isBehind = file.isDirty = true;
        const policy = this.options.rotation;
        if (policy && size > policy.maxBytes && !file.isRotating && Date.now() >= file.retryRotationAt) this.rotate(key, file, policy);
        file.isFailing = false;
      } catch (error) {
        if (error instanceof UnsafeFileError) {
          this.refuse(key, file, error);
          continue;
        }
        if (!file.isFailing) {
          const message = `Could not read ${file.stream}.log: ${messageOf(error)}. Its live view may be missing bytes; the file itself is the agent's.`;
          this.options.onChange(file.agentId, { note: message, warning: `${file.agentId}: ${message}` });
        }
        file.isFailing = true;
        this.closeFile(file); // reopened on the next poll: the path may name a new file by then
      }
      // A rotation under way finishes first: cutting it short would leave the file over its limit and a `.rotating` copy behind.
      if (file.finishing && readNow === 0 && !file.isRotating) this.dropFile(key, file);
      else if (file.finishing && !file.isRotating) isBehind = file.isDirty = true; // until a look finds nothing new
    }
    if (this.files.size === 0) this.schedule.stop();
    else this.schedule.ensure();
    if (isBehind) this.schedule.soon();
  }

  /** Stops tailing; resolves once every rotation under way has been given up and its partial copy removed. */
  async close(): Promise<void> {
    this.schedule.stop();
    for (const [key, file] of this.files) this.dropFile(key, file);
    await Promise.all(this.rotations);
  }

  /** Emits [from, to) of `fd` as events at logical `base + offset`; returns the bytes read. */
  private emit(file: TailedFile, fd: number, base: number, from: number, to: number): number {
    let at = from;
    while (at < to) {
      this.stats.reads++;
      const got = readSync(fd, this.buffer, 0, Math.min(this.buffer.length, to - at), at);
      if (got <= 0) break;
      // Copy out: the shared buffer is reused on the next read.
      const seenAt = seenAtOf(file.recent, base + at);
      this.options.onChunk({ agentId: file.agentId, stream: file.stream, offset: base + at, data: Buffer.from(this.buffer.subarray(0, got)), ...(seenAt === null ? {} : { seenAt }) });
      at += got;
    }
    return at - from;
  }

  /** Copies off the event loop, then, in one synchronous step, catches up, truncates and hands out what we had not read. */
  private rotate(key: string, file: TailedFile, policy: RotationPolicy): void {
    file.isRotating = true;
    const rotation = prepareRotation(file.path).then(
      (prepared) => this.finishRotating(key, file, policy, prepared),
      (error: unknown) => this.finishRotating(key, file, policy, { ok: false, message: `Could not rotate ${file.stream}.log: ${messageOf(error)}` }),
    );
    this.rotations.add(rotation);
    void rotation.finally(() => this.rotations.delete(rotation));
  }

  private finishRotating(key: string, file: TailedFile, policy: RotationPolicy, prepared: PreparedRotation): void {
    file.isRotating = false;
    if (this.files.get(key) !== file) {
      abandonRotation(prepared); // removed or closed meanwhile: not ours to cut any more
      return;
    }
    if (!prepared.ok && prepared.unsafe) {
      this.refuse(key, file, prepared.unsafe);
      return;
    }
    try {
      this.applyRotation(file, policy, prepared);
    } catch (error) {
      // Reading the copy back failed after the cut: the bytes are in the rotated file, only the live view misses them.
      this.options.onChange(file.agentId, { note: `Rotated ${file.stream}.log but could not read it back: ${messageOf(error)}.` });
    }
    this.schedule.soon(file);
  }

  private applyRotation(file: TailedFile, policy: RotationPolicy, prepared: PreparedRotation): void {
    const log = this.options.logOf?.(file.agentId, file.stream) ?? file.ownLog;
    const wanted = this.options.isWanted();
    const outcome = finishRotation(file.path, log, policy, prepared);
    if (!outcome.ok) {
      file.retryRotationAt = Date.now() + ROTATION_RETRY_MS;
      // The note is kept once; the warning only starts a streak of failures, not every retry.
      this.options.onChange(file.agentId, { note: outcome.message, warning: file.isRotationFailing ? undefined : `${file.agentId}: ${outcome.message}` });
      file.isRotationFailing = true;
      return;
    }
    file.isRotationFailing = false;
    const unread = file.offset;
    file.offset = 0;
    file.indexedEnd = 0; // what the agent wrote since the cut is new: the next poll marks it
    this.options.onChange(file.agentId, describeRotation(file.stream, log, outcome));
    for (const notice of outcome.notices) this.options.onChange(file.agentId, { note: notice, warning: `${file.agentId}: ${notice}` });
    // Bytes we had not read yet moved into the copy: hand them out from there, so listeners miss nothing.
    if (wanted && unread < outcome.copiedBytes && outcome.copyPath !== null) this.emitFromCopy(file, unread, outcome.copyPath, outcome);
  }

  private emitFromCopy(file: TailedFile, from: number, copyPath: string, outcome: Extract<RotationOutcome, { ok: true }>): void {
    const { fd } = openChecked(copyPath, 'read'); // renamed a moment ago, but the name is in the agent's folder
    try {
      this.emit(file, fd, outcome.partStart, from, outcome.copiedBytes);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Throws when the log's name now holds something other than a plain file
   * (a link, a FIFO…). Gone, or another plain file, is not a threat: the tail
   * goes on reading the descriptor it has, which is where the agent writes.
   */
  private checkName(file: TailedFile): void {
    const now = identityAt(file.path);
    if (now && now.kind !== null && !(file.identity && isSameFile(now.identity, file.identity))) throw new UnsafeFileError(now.kind, file.path);
  }

  /** Stops tailing a log whose name was given to something that is not a plain file, and says so. */
  private refuse(key: string, file: TailedFile, error: UnsafeFileError): void {
    this.dropFile(key, file);
    const message = `${error.replacedBy}; Corral stopped following it (nothing it points to is read or written). The live view of ${file.stream}.log ends here: remove it and start the agent again to log anew.`;
    this.options.onChange(file.agentId, { note: message, warning: `${file.agentId}: ${message}` });
  }

  /**
   * The file is shorter than what we read: something else cut it (logrotate's
   * copytruncate, `: > stdout.log`). Offsets stay monotonic: what we had read
   * counts as rotated out, and we continue from the new end (its bytes so far
   * are readable through readLog). Bytes written between our last read and the cut are gone.
   */
  private cutElsewhere(file: TailedFile, log: StreamLog, size: number): void {
    const before = file.offset;
    log.rotatedBytes += before;
    file.offset = size;
    file.indexedEnd = size;
    const message = `${file.stream}.log was cut from ${before} to ${size} bytes by something other than Corral; the live view continues from its new end.`;
    this.options.onChange(file.agentId, { note: message, warning: `${file.agentId}: ${message}` });
  }

  /**
   * Records when bytes [indexedEnd, size) were seen: the file's mtime (the
   * last write, at the kernel clock's resolution, a few ms), kept between the
   * previous mark and now, since the agent can set its file's times.
   */
  private markSeen(file: TailedFile, log: StreamLog, size: number, mtimeMs: number): void {
    const previous = file.recent[file.recent.length - 1]?.at ?? 0;
    const at = Math.max(previous, Math.min(Date.now(), mtimeMs));
    const mark = { offset: log.rotatedBytes + file.indexedEnd, at };
    file.indexedEnd = size;
    const oldest = log.parts[log.parts.length - 1]?.start ?? log.rotatedBytes;
    const note = file.index.append(mark.offset, mark.at, oldest);
    if (note) this.options.onChange(file.agentId, { note });
    // Marks before the read offset are only needed for the chunk that starts there.
    const readAt = log.rotatedBytes + file.offset;
    while (file.recent.length > 1 && file.recent[1]!.offset <= readAt) file.recent.shift();
    file.recent.push(mark);
    if (file.recent.length > MAX_RECENT_MARKS) file.recent.shift();
  }

  private dropFile(key: string, file: TailedFile): void {
    this.closeFile(file);
    file.index.close();
    this.files.delete(key);
  }

  private closeFile(file: TailedFile): void {
    this.schedule.unwatch(file);
    if (file.fd === null) return;
    try {
      closeSync(file.fd);
    } catch {
      // A descriptor we only read from: nothing to lose by failing to close it.
    }
    file.fd = null;
    file.identity = null;
  }
}

/** When the byte at logical `offset` was seen: the last mark at or before it. */
function seenAtOf(recent: readonly SeenMark[], offset: number): number | null {
  for (let i = recent.length - 1; i >= 0; i--) if (recent[i]!.offset <= offset) return recent[i]!.at;
  return recent[0]?.at ?? null;
}

/** What a successful rotation means for the agent's notes: nothing, unless bytes were lost or renaming failed. */
function describeRotation(stream: LogEvent['stream'], log: StreamLog, outcome: Extract<RotationOutcome, { ok: true }>): LogChange {
  if (outcome.problem) return { note: outcome.problem, warning: outcome.problem };
  if (outcome.lostBytes === 0) return {};
  const prefix = `Log rotation lost bytes of ${stream}.log:`;
  return {
    note: `${prefix} ${log.lostBytes} in total, the agent wrote them faster than Corral could copy before truncating (a gap in the log's offsets marks each).`,
    replaces: prefix,
  };
}
