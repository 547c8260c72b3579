/**
 * Each agent's runs (first start, restarts, runs again), kept in the state
 * file and bounded, with the peaks of each run.
 */
import type { AgentLogs } from '../logs/log-rotation';
import type { ExitClassification, RunRecord } from '../types';

/** Runs kept per agent; older ones are dropped (their logs stay in the files). */
export const MAX_RUNS = 50;

export function beginRun(runs: RunRecord[], trigger: RunRecord['trigger'], startedAtMs: number): RunRecord {
  const record: RunRecord = {
    run: (runs.at(-1)?.run ?? 0) + 1,
    trigger,
    pid: null,
    startedAt: new Date(startedAtMs).toISOString(),
    endedAt: null,
    durationMs: null,
    exit: null,
    peakCpuPercent: null,
    peakMemoryMb: null,
  };
  runs.push(record);
  if (runs.length > MAX_RUNS) runs.splice(0, runs.length - MAX_RUNS);
  return record;
}

export function closeRecord(record: RunRecord, exit: ExitClassification, endedAtMs: number): void {
  if (record.exit !== null) return;
  record.exit = exit;
  record.endedAt = new Date(endedAtMs).toISOString();
  record.durationMs = Math.max(0, endedAtMs - Date.parse(record.startedAt));
}

export function notePeaks(record: RunRecord, treeCpuPercent: number | null, treeMemoryMb: number | null): void {
  if (treeCpuPercent !== null) record.peakCpuPercent = Math.max(record.peakCpuPercent ?? 0, round(treeCpuPercent));
  if (treeMemoryMb !== null) record.peakMemoryMb = Math.max(record.peakMemoryMb ?? 0, round(treeMemoryMb));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * Where the run's output starts, as logical offsets (bytes rotated out of the live file plus the live file's
 * size when the child got it, launch.ts's fstat): what readLog and the log view count in.
 */
export function noteLogStart(record: RunRecord, logs: AgentLogs, liveSizes: { stdoutOffset: number; stderrOffset: number }): void {
  record.logStart = { stdout: logs.stdout.rotatedBytes + liveSizes.stdoutOffset, stderr: logs.stderr.rotatedBytes + liveSizes.stderrOffset };
}
