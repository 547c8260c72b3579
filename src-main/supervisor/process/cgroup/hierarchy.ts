/**
 * Where the cgroup v2 hierarchy is, read from the kernel's own account: the
 * mount table (`/proc/self/mountinfo`, fstype `cgroup2`) and this process's
 * place in it (`/proc/self/cgroup`, the `0::` line). Never a hard-coded path:
 * a hybrid layout mounts cgroup2 below the v1 controllers
 * (`/sys/fs/cgroup/unified`), a unified one at `/sys/fs/cgroup`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The mount point of the first cgroup2 file system in `mountinfo` text, or null when there is none. */
export function cgroup2MountIn(mountinfo: string): string | null {
  for (const line of mountinfo.split('\n')) {
    // "<id> <parent> <major:minor> <root> <mount point> <options> [optional…] - <fstype> <source> <super options>"
    const separator = line.indexOf(' - ');
    if (separator < 0) continue;
    const fstype = line.slice(separator + 3).split(' ')[0];
    if (fstype !== 'cgroup2') continue;
    const fields = line.slice(0, separator).split(' ');
    if (fields[3] !== '/') continue; // a bind mount of a subtree: its paths do not match /proc/self/cgroup's
    return unescapeMount(fields[4] ?? '');
  }
  return null;
}

/** The cgroup v2 path (relative to the mount, starting with "/") in `/proc/<pid>/cgroup` text, or null. */
export function cgroup2PathIn(procCgroup: string): string | null {
  const line = procCgroup.split('\n').find((entry) => entry.startsWith('0::'));
  return line ? line.slice(3).trim() || '/' : null;
}

/** The cgroup2 mount point of this machine, or null (no cgroup v2, or not Linux). */
export function findCgroup2Mount(): string | null {
  return cgroup2MountIn(readOr('/proc/self/mountinfo'));
}

/** The directory of this process's own cgroup under `mount`, read afresh (something else may have moved it). */
export function ownCgroupDir(mount: string): string | null {
  const relative = cgroup2PathIn(readOr('/proc/self/cgroup'));
  // "(deleted)" or an unreachable path: a cgroup namespace can show "/.." paths.
  if (relative === null || relative.includes('..') || relative.endsWith(' (deleted)')) return null;
  return path.join(mount, relative);
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
