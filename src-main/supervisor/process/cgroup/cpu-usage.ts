/**
 * The agents' cgroups' `cpu.stat` `usage_usec`, one tick at a time. They share a parent
 * (`corral-…/`), whose `usage_usec` counts all of theirs, the ended ones' included: when it reads as
 * at the last tick, read before each of theirs then, none of them ran since, and each last reading
 * stands (timed now). One read then serves every quiet agent instead of one read each.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { HeldFiles } from '../held-files';
import type { AgentCgroup } from './agent-cgroup';

/** An agent's `cpu.stat` `usage_usec`, and when it was true (`performance.now()`). */
export interface CpuUsageReading {
  usageUsec: number;
  atMs: number;
}

export class CpuUsages {
  /** Each parent's `usage_usec` when every child's was read after it; absent when one could not be. */
  private readonly parents = new Map<string, number>();
  private readonly last = new WeakMap<AgentCgroup, number>();

  constructor(private readonly files: HeldFiles) {}

  /** Every cgroup's usage now, in their order; null where its `cpu.stat` cannot be read. */
  read(cgroups: readonly AgentCgroup[]): (CpuUsageReading | null)[] {
    const byParent = new Map<string, number[]>();
    cgroups.forEach((cgroup, i) => {
      const parent = path.dirname(cgroup.dir);
      const members = byParent.get(parent);
      if (members) members.push(i);
      else byParent.set(parent, [i]);
    });
    const readings: (CpuUsageReading | null)[] = cgroups.map(() => null);
    for (const [parent, members] of byParent) {
      // The parent first: whatever runs after this read shows in its next one.
      const parentUsec = readUsageUsec(this.files, path.join(parent, 'cpu.stat'), parent);
      const still = parentUsec !== null && this.parents.get(parent) === parentUsec;
      let complete = parentUsec !== null;
      for (const i of members) {
        const cgroup = cgroups[i]!;
        const usageUsec = (still ? this.last.get(cgroup) : undefined) ?? readUsageUsec(this.files, cgroup.file('cpu.stat'), cgroup.dir);
        if (usageUsec === null) {
          this.last.delete(cgroup);
          complete = false;
          continue;
        }
        this.last.set(cgroup, usageUsec);
        readings[i] = { usageUsec, atMs: performance.now() };
      }
      if (complete) this.parents.set(parent, parentUsec!);
      else this.parents.delete(parent);
    }
    return readings;
  }
}

/** `cgroup`'s usage now, read on its own; null when its `cpu.stat` cannot be read. */
export function readCpuUsage(files: HeldFiles, cgroup: AgentCgroup): CpuUsageReading | null {
  const usageUsec = readUsageUsec(files, cgroup.file('cpu.stat'), cgroup.dir);
  return usageUsec === null ? null : { usageUsec, atMs: performance.now() };
}

function readUsageUsec(files: HeldFiles, file: string, owner: string): number | null {
  const text = files.read(file, owner);
  const match = text === null ? null : /^usage_usec (\d+)$/m.exec(text.toString('latin1'));
  return match ? Number(match[1]) : null;
}
