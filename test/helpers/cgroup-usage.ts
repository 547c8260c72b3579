/**
 * An agent's cgroup as the tests read it themselves: its folder, and its `cpu.stat` CPU count, which
 * a tick compares to decide whether a quiet agent's members need reading (`QuietTrees`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cgroup2PathIn, findCgroup2Mount } from '../../src-main/supervisor/process/cgroup/hierarchy';
import { waitFor } from './wait';

/** The folder of the cgroup `pid` is in. */
export function cgroupDirOf(pid: number): string {
  return path.join(findCgroup2Mount()!, cgroup2PathIn(readFileSync(`/proc/${pid}/cgroup`, 'latin1'))!);
}

/** `usage_usec` of the cgroup in `dir`. */
export function usageUsecOf(dir: string): number {
  return Number(/^usage_usec (\d+)$/m.exec(readFileSync(path.join(dir, 'cpu.stat'), 'latin1'))![1]);
}

/**
 * Resolves once something in each of the cgroups in `dirs` has run since this call: the next tick then
 * reads their members in full (a tick that follows nothing run reads none).
 */
export async function untilEachRan(dirs: readonly string[]): Promise<void> {
  const before = dirs.map(usageUsecOf);
  await waitFor(() => dirs.every((dir, i) => usageUsecOf(dir) !== before[i]), { what: 'every agent to run', timeoutMs: 15_000 });
}
