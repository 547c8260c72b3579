/**
 * How a run ended, decided once when it ends: the one place that turns exit
 * codes, signals and who sent them into words (ExitView in the contract).
 */
import type { ExitClassification, StopStage } from '../types';

/** What the engine knows when a run ends. */
export interface RunEnd {
  code: number | null;
  signal: string | null;
  /** Corral was stopping it: the stage running when the root ended, and who asked. */
  stop: { stage: StopStage; by: 'user' | 'guard' } | null;
  /** It never started: why, and what was tried. */
  spawnFailure: { message: string; argv: string[]; cwd: string; path: string } | null;
  /** It ended out of Corral's sight (Corral was not running, or it was adopted), so code and signal are unknown. */
  unseen: 'corral-away' | 'adopted' | null;
  /** OOM kills its cgroup's memory.events counted during the run; null or absent: not known (no memory controller, no cgroup). */
  oomKills?: number | null;
  /** The memory limit the kernel held for it (memory.max), in MiB; null or absent: none. */
  memoryLimitMb?: number | null;
}

const STAGE_WORDS: Record<StopStage, string> = { term1: 'SIGTERM', term2: 'the second SIGTERM', kill: 'SIGKILL' };

export function classifyExit(end: RunEnd): ExitClassification {
  const base = { code: end.code, signal: end.signal, stopStage: null, stoppedBy: null, possiblyOutOfMemory: false, spawn: null } as const;
  if (end.spawnFailure) {
    const { message, ...spawn } = end.spawnFailure;
    return { ...base, kind: 'spawn-failed', spawn, summary: `Could not start: ${message}` };
  }
  if (end.stop) {
    const who = end.stop.by === 'guard' ? 'a resource guard' : 'Corral';
    const how = end.code !== null ? `exited with code ${end.code}` : `ended by ${end.signal ?? 'a signal'}`;
    return { ...base, kind: 'stopped', stopStage: end.stop.stage, stoppedBy: end.stop.by, summary: `Stopped by ${who} at ${STAGE_WORDS[end.stop.stage]}; ${how}.` };
  }
  if (end.unseen) {
    const when = end.unseen === 'adopted' ? 'Ended while adopted (Corral was not its parent)' : 'Exited while Corral was not running';
    return { ...base, kind: 'unknown', summary: `${when}; exit code unknown.` };
  }
  const oomKills = end.oomKills ?? 0;
  if (end.code !== null) {
    // The OOM killer ended some of its processes, not the root: the root's code is what happened next.
    const oom = oomKills > 0 ? ` The kernel's OOM killer ended ${oomKills === 1 ? 'one' : oomKills} of its processes${limitWords(end.memoryLimitMb)}.` : '';
    return { ...base, kind: 'exited', ...(oomKills > 0 ? { oomKilled: true } : {}), summary: `Exited with code ${end.code}.${oom}` };
  }
  if (end.signal === 'SIGKILL' && oomKills > 0) {
    const what = end.memoryLimitMb != null ? `memory limit ${humanMb(end.memoryLimitMb)}` : 'out of memory';
    return { ...base, kind: 'signalled', possiblyOutOfMemory: true, oomKilled: true, summary: `Killed by the kernel: ${what} (its OOM killer sent SIGKILL).` };
  }
  const signal = end.signal ?? 'a signal';
  // Corral sends every signal it sends through a stop; a SIGKILL from elsewhere is usually the kernel's OOM killer.
  const possiblyOutOfMemory = end.signal === 'SIGKILL';
  const oom = possiblyOutOfMemory ? ' Possibly out of memory (the kernel OOM killer sends SIGKILL).' : '';
  return { ...base, kind: 'signalled', possiblyOutOfMemory, summary: `Killed by ${signal}, not sent by Corral.${oom}` };
}

/** A size in MiB as people read it: "512 MiB", "2 GiB", "1.5 GiB". */
export function humanMb(mb: number): string {
  if (mb >= 1024 * 1024) return `${trim(mb / (1024 * 1024))} TiB`;
  if (mb >= 1024) return `${trim(mb / 1024)} GiB`;
  return `${trim(mb)} MiB`;
}

function trim(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function limitWords(memoryLimitMb: number | null | undefined): string {
  return memoryLimitMb != null ? ` (memory limit ${humanMb(memoryLimitMb)})` : '';
}

/** A run that ended this way counts as a failure (for on-failure restarts and the failed state). */
export function isFailure(exit: ExitClassification): boolean {
  switch (exit.kind) {
    case 'exited':
      return exit.code !== 0;
    case 'signalled':
    case 'spawn-failed':
      return true;
    case 'stopped':
    case 'unknown':
      return false;
  }
}
