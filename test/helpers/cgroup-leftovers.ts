/**
 * Issue 14's check at the end of the suite: which `corral-*` cgroups a test run left behind. It only
 * reads (the cgroup tree, `cgroup.procs`, directory names); it never removes or kills anything.
 *
 * A run's leftovers are the `corral-*` cgroups that were not there when it began and are still there
 * after a grace. Other runs may share the machine (engineers running test files side by side): a
 * cgroup is named for its data folder (`baseNameFor`), so one whose folder still exists belongs to an
 * engine still at work — another run's, or a Corral in use — and is not counted. This run's tests
 * remove their data folders, so a cgroup of theirs that stays is counted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultDataDir } from '../../src-main/local/data-dir';
import { baseNameFor } from '../../src-main/supervisor/process/cgroup/containment';
import { findCgroup2Mount } from '../../src-main/supervisor/process/cgroup/hierarchy';

/** Deep enough for a systemd user session's delegated subtree; the tree is small, and corral-* dirs are not entered. */
const MAX_DEPTH = 12;

/** A `corral-*` cgroup: its path, its agent cgroups, and the processes in it (pids, all levels). */
export interface CorralCgroup {
  path: string;
  agents: string[];
  pids: number[];
}

/** Every `corral-*` cgroup under the cgroup2 mount (none where there is no cgroup2: nothing to leave). */
export function corralCgroupPaths(mount: string | null = findCgroup2Mount()): string[] {
  if (mount === null) return [];
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const name of subdirs(dir)) {
      const child = path.join(dir, name);
      if (name.startsWith('corral-')) found.push(child);
      else if (depth < MAX_DEPTH) walk(child, depth + 1);
    }
  };
  walk(mount, 0);
  return found;
}

/** What is in the cgroup at `dir` now. */
export function describeCgroup(dir: string): CorralCgroup {
  const agents = subdirs(dir);
  const pids = [dir, ...agents.map((agent) => path.join(dir, agent))].flatMap(procsOf);
  return { path: dir, agents, pids };
}

/**
 * The `corral-*` cgroup names whose data folder exists now (candidates: what lies up to two levels
 * below the temp folder and /dev/shm, where tests make their data folders, and the default one).
 */
export function namesOfExistingDataDirs(): Set<string> {
  const names = new Set<string>();
  const add = (dir: string) => names.add(baseNameFor(dir));
  add(defaultDataDir());
  for (const root of [os.tmpdir(), '/dev/shm']) {
    for (const first of subdirs(root)) {
      const dir = path.join(root, first);
      add(dir);
      for (const second of subdirs(dir)) add(path.join(dir, second));
    }
  }
  return names;
}

/** The cgroups in `now` that were not in `before` and whose data folder is gone. */
export function leftoversOf(before: ReadonlySet<string>, now: readonly string[], inUse: ReadonlySet<string>): string[] {
  return now.filter((dir) => !before.has(dir) && !inUse.has(path.basename(dir)));
}

/** This run's leftovers now; the data folders (a few hundred ms of directory reads) are looked for only when something is new. */
export function findLeftovers(before: ReadonlySet<string>): string[] {
  const fresh = corralCgroupPaths().filter((dir) => !before.has(dir));
  return fresh.length === 0 ? [] : leftoversOf(before, fresh, namesOfExistingDataDirs());
}

/** "/sys/fs/cgroup/unified/corral-ab12 (agents a-x, a-y; processes 123, 456)" */
export function formatLeftover(cgroup: CorralCgroup): string {
  const agents = cgroup.agents.length === 0 ? 'no agent cgroups' : `agents ${cgroup.agents.join(', ')}`;
  const pids = cgroup.pids.length === 0 ? 'empty' : `processes ${cgroup.pids.join(', ')}`;
  return `${cgroup.path} (${agents}; ${pids})`;
}

function procsOf(dir: string): number[] {
  try {
    return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}
