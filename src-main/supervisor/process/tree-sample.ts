import {
  identityOf,
  isDeadState,
  statusName,
  type ProcEntry,
  type ProcessIdentity,
  type ProcessTable,
  type ProcessUsage,
  type TreeAnchor,
} from './process-table';
import type { ProcessInfo } from '../types';
import { tooYoungToMeasure } from './cpu-tracker';
import type { PressureFigures } from './cgroup/pressure';

/** One agent's tree as seen on one tick. */
export interface TreeSample {
  at: number;
  /** The root's entry when the root is still in the table (possibly a zombie). */
  root: ProcEntry | null;
  rootUsage: ProcessUsage | null;
  processes: ProcessInfo[];
  /** Live (non-zombie) members, to keep following them after their parent dies. */
  liveMembers: ProcessIdentity[];
  descendantCount: number;
  zombieDescendants: number;
  treeCpuPercent: number | null;
  treeMemoryMb: number | null;
  treeNumThreads: number | null;
  /** Its cgroup's pressure (cgroup/pressure.ts); null without a cgroup or with no live member. */
  pressure: PressureFigures | null;
  /** No member ran since the tree was last read (a quiet cgroup): nothing the agent writes can have changed either. */
  quiet?: boolean;
}

const MB = 1024 * 1024;

export function toMb(bytes: number | null): number | null {
  return bytes === null ? null : Math.round((bytes / MB) * 100) / 100;
}

/**
 * Sums one agent's tree. A total is null when any live member's figure could
 * not be read: a partial sum shown as the whole would be a lie. A member too
 * young for a CPU figure (cpu-tracker.ts) has used at most a few clock ticks:
 * it adds 0 to the tree's CPU instead of blanking it, or an agent that runs a
 * short command every second would show no CPU at all.
 */
export function summariseTree(
  table: ProcessTable,
  anchor: TreeAnchor,
  members: ProcEntry[],
  usage: Map<number, ProcessUsage>,
): TreeSample {
  const rootPid = anchor.root?.pid ?? null;
  const root = members.find((entry) => entry.pid === rootPid) ?? null;
  let cpu: number | null = 0;
  let rss: number | null = 0;
  let threads: number | null = 0;
  let zombies = 0;
  const processes: ProcessInfo[] = [];
  const liveMembers: ProcessIdentity[] = [];
  for (const entry of members) {
    const dead = isDeadState(entry.stateCode);
    const figures = usage.get(entry.pid) ?? null;
    if (dead) {
      if (entry !== root) zombies++;
    } else {
      liveMembers.push(identityOf(entry));
      cpu = add(cpu, figures?.cpuPercent ?? (figures && tooYoungToMeasure(entry, table.takenAtMs) ? 0 : null));
      rss = add(rss, figures?.rssBytes ?? null);
      threads = add(threads, figures?.numThreads ?? null);
    }
    processes.push({
      pid: entry.pid,
      ppid: entry.ppid,
      pgid: entry.pgid,
      status: statusName(entry.stateCode),
      cpuPercent: dead ? 0 : (figures?.cpuPercent ?? null),
      memoryMb: dead ? 0 : toMb(figures?.rssBytes ?? null),
      numThreads: dead ? 0 : (figures?.numThreads ?? null),
      name: entry.name,
      command: null,
    });
  }
  const anyLive = liveMembers.length > 0;
  return {
    at: table.takenAtMs,
    root,
    rootUsage: root ? (usage.get(root.pid) ?? null) : null,
    processes,
    liveMembers,
    descendantCount: members.length - (root ? 1 : 0),
    zombieDescendants: zombies,
    treeCpuPercent: anyLive && cpu !== null ? Math.round(cpu * 10) / 10 : anyLive ? null : 0,
    treeMemoryMb: anyLive ? toMb(rss) : 0,
    treeNumThreads: anyLive ? threads : 0,
    pressure: null,
  };
}

function add(total: number | null, value: number | null): number | null {
  return total === null || value === null ? null : total + value;
}
