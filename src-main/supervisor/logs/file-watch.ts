/**
 * When the log tail looks at which file, so quiet agents cost no reads: a file
 * is looked at when the kernel says it changed (at once after a quiet spell,
 * then at most once per pace while it keeps changing, as the tail's old poll
 * did), a slow safety poll looks at every file for notifications that never
 * came, and a file that cannot be watched is polled at that pace.
 *
 * The watch is on the file the tail holds open, not on its name: on Linux it
 * is placed through `/proc/self/fd/<fd>`, which the kernel resolves to that
 * very file, so a name the agent gives to a link meanwhile cannot redirect it
 * (and a watch reads nothing anyway: it only says "look again"). A rotation
 * cuts that same file (copy + truncate), so the watch carries on; when the tail
 * has to open the name anew, it watches the new file.
 */
import { watch, type FSWatcher } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { errnoOf, messageOf } from '../errors';

/** Every file is looked at this often even without a notification: NFS and FUSE send none, a watch can fail silently. Only a net, so slow. */
export const SAFETY_POLL_MS = 2000;

/**
 * The tail's pace, its poll period before notifications: how often a file that cannot be watched (inotify
 * watches ran out, not opened yet) is polled, and the least time between two looks at a file that keeps
 * changing, so a chatty agent costs no more than it did (a notification per write would be a look per write).
 */
export const PACE_MS = 100;

/** Why a file could not be watched. */
export interface WatchFailure {
  message: string;
  /** The system's inotify watches ran out (ENOSPC). */
  isLimit: boolean;
}

/** What the schedule keeps on each of the tail's files. */
export interface Watched {
  /** Null: polled at the fallback pace. */
  watcher: FSWatcher | null;
  /** A notification (or bytes left unread) asks for a look on the next turn. */
  isDirty: boolean;
  /** When the schedule last had it looked at (`performance.now()`). */
  lookedAt: number;
}

export interface TailScheduleOptions<F extends Watched> {
  /** Period of the pass over every file (SAFETY_POLL_MS by default). */
  safetyPollMs?: number;
  /** The tail's pace (PACE_MS by default). */
  paceMs?: number;
  files: () => Iterable<F>;
  /** One look at each file `include` picks. */
  look: (include: (file: F) => boolean) => void;
  /** `file` is polled instead of watched, and why. */
  onUnwatched: (file: F, failure: WatchFailure) => void;
}

/** Owns the tail's timers and watches: `stop` and `unwatch` release them. */
export class TailSchedule<F extends Watched> {
  private safetyTimer: NodeJS.Timeout | null = null;
  private fallbackTimer: NodeJS.Timeout | null = null;
  private again: NodeJS.Immediate | null = null;
  private paced: NodeJS.Timeout | null = null;

  constructor(private readonly options: TailScheduleOptions<F>) {}

  get paceMs(): number {
    return this.options.paceMs ?? PACE_MS;
  }

  /** Watches the file `file` holds open at `fd` (named `name`); one that cannot be watched is polled. */
  watch(file: F, fd: number, name: string): void {
    this.unwatch(file);
    const target = process.platform === 'linux' ? `/proc/self/fd/${fd}` : name;
    let watcher: FSWatcher;
    try {
      // Not persistent: a tail never keeps the host alive.
      watcher = watch(target, { persistent: false }, () => this.notified(file));
    } catch (error) {
      this.unwatched(file, error);
      return;
    }
    watcher.on('error', (error: unknown) => {
      watcher.close();
      if (file.watcher !== watcher) return; // an earlier file's watch
      file.watcher = null;
      this.unwatched(file, error);
    });
    file.watcher = watcher;
  }

  unwatch(file: F): void {
    file.watcher?.close();
    file.watcher = null;
  }

  /** Looks at `file` (or at the files already marked) on the next turn: many notifications in one turn cost one look. */
  soon(file?: F): void {
    if (file) file.isDirty = true;
    if (this.again) return;
    // Not unref'd: an unref'd immediate lets the loop sleep in its poll phase until some other timer fires.
    this.again = setImmediate(() => {
      this.again = null;
      this.look((each) => each.isDirty);
    });
  }

  /** A look on the next turn, or, for a file looked at less than a pace ago, once a pace has passed. */
  private notified(file: F): void {
    file.isDirty = true;
    const waitMs = file.lookedAt + this.paceMs - performance.now();
    if (waitMs <= 0) return this.soon();
    if (this.paced) return; // due within a pace: it looks at every dirty file
    this.paced = setTimeout(() => {
      this.paced = null;
      this.soon();
    }, waitMs);
    this.paced.unref();
  }

  private look(include: (file: F) => boolean): void {
    const now = performance.now();
    this.options.look((file) => {
      if (!include(file)) return false;
      file.lookedAt = now;
      return true;
    });
  }

  /** The safety poll while there are files; the fallback poll only while one of them has no watch. */
  ensure(): void {
    if (!this.safetyTimer) {
      this.safetyTimer = setInterval(() => this.look(() => true), this.options.safetyPollMs ?? SAFETY_POLL_MS);
      this.safetyTimer.unref();
    }
    if (this.fallbackTimer || !this.anyUnwatched()) return;
    this.fallbackTimer = setInterval(() => {
      if (this.anyUnwatched()) return this.look(isUnwatched);
      clearInterval(this.fallbackTimer!);
      this.fallbackTimer = null;
    }, this.paceMs);
    this.fallbackTimer.unref();
  }

  stop(): void {
    if (this.safetyTimer) clearInterval(this.safetyTimer);
    if (this.fallbackTimer) clearInterval(this.fallbackTimer);
    if (this.paced) clearTimeout(this.paced);
    this.safetyTimer = this.fallbackTimer = this.paced = null;
    if (this.again) clearImmediate(this.again);
    this.again = null;
  }

  private unwatched(file: F, error: unknown): void {
    this.ensure();
    const isLimit = errnoOf(error) === 'ENOSPC';
    this.options.onUnwatched(file, { isLimit, message: isLimit ? 'the system ran out of file watches: raise fs.inotify.max_user_watches' : messageOf(error) });
  }

  private anyUnwatched(): boolean {
    for (const file of this.options.files()) if (isUnwatched(file)) return true;
    return false;
  }
}

function isUnwatched(file: Watched): boolean {
  return file.watcher === null;
}
