/**
 * Watches free space on the filesystem of the data dir, where every agent's
 * logs live: a full disk stops log rotation and, soon after, the agents' own
 * writes. Checked once per sampling tick (statfs costs microseconds).
 */
import { statfsSync } from 'node:fs';
import { messageOf } from '../errors';

export const DEFAULT_LOW_DISK_FREE_BYTES = 256 * 1024 * 1024;

export interface DiskSpaceReport {
  /** For every live agent's notes (stable text, so it is kept once). */
  note: string | null;
  /** Raised once when space runs low (or cannot be checked), not every tick. */
  warning: string | null;
}

export class DiskSpaceWatch {
  private wasLow = false;
  private wasUnreadable = false;

  constructor(
    private readonly dir: string,
    private readonly lowFreeBytes: number,
  ) {}

  check(): DiskSpaceReport {
    let freeBytes: number;
    try {
      const stats = statfsSync(this.dir);
      freeBytes = stats.bavail * stats.bsize;
      this.wasUnreadable = false;
    } catch (error) {
      const warning = this.wasUnreadable ? null : `Could not check free disk space of ${this.dir}: ${messageOf(error)}.`;
      this.wasUnreadable = true;
      return { note: null, warning };
    }
    const isLow = freeBytes < this.lowFreeBytes;
    const becameLow = isLow && !this.wasLow;
    this.wasLow = isLow;
    if (!isLow) return { note: null, warning: null };
    const limit = `${Math.round(this.lowFreeBytes / 1048576)} MiB`;
    const note = `Low disk space: under ${limit} free where its logs are kept (${this.dir}); log rotation and the agent's own writes may fail. Free some space.`;
    return { note, warning: becameLow ? `Low disk space: ${(freeBytes / 1048576).toFixed(1)} MiB free in ${this.dir}; agents' logs may stop being written.` : null };
  }
}
