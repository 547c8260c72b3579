/**
 * An agent's cgroup as the tests read it themselves: its folder, and its `cpu.stat` CPU count, which
 * a tick compares to decide whether a quiet agent's members need reading (`QuietTrees`); and what one
 * tick of the cgroup path costs, in per-process /proc files and full snapshots.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Supervisor } from '../../src-main/supervisor/index';
import { cgroup2PathIn, findCgroup2Mount } from '../../src-main/supervisor/process/cgroup/hierarchy';
import { createProcReader, procFilesRead } from '../../src-main/supervisor/process/proc-reader';
import type { ProcessReader } from '../../src-main/supervisor/process/process-table';
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

/** The engine's Linux reader, counting the full snapshots it is asked for (each reads every process's stat). */
export function countingSnapshots(): { reader: ProcessReader; snapshots: () => number } {
  const inner = createProcReader();
  let snapshots = 0;
  const reader: ProcessReader = {
    ...inner,
    snapshot(hintPids) {
      snapshots++;
      return inner.snapshot(hintPids);
    },
  };
  return { reader, snapshots: () => snapshots };
}

/** One tick, and what it cost in per-process /proc files and full snapshots. */
export async function measuredTick(supervisor: Supervisor, snapshots: () => number): Promise<{ files: number; snapshots: number }> {
  const files = procFilesRead();
  const taken = snapshots();
  await supervisor.sampleNow();
  return { files: procFilesRead() - files, snapshots: snapshots() - taken };
}
