/**
 * What one tick's sample means for an agent: its figures and history, its
 * run's peaks, its progress file, and its watchdogs (stall detection and
 * resource guards). Only the agent's runner calls these, on its own record;
 * what needs a transition (an adopted root gone, a guard that stops) is
 * returned for the runner to act on.
 */
import { policiesOf } from '../policies/policies';
import type { GuardAlert } from '../types';
import { stalledSince } from '../policies/stall';
import { isDeadState } from '../process/process-table';
import type { TreeSample } from '../process/tree-sample';
import { addNote, isLive, type AgentRun } from './agent-record';
import { notePeaks } from './run-history';

/** Records the sample; `rootGone` when the root is no longer in the table (or is a zombie). */
export function observeSample(run: AgentRun, sample: TreeSample): { rootGone: boolean } {
  run.latest = sample;
  run.knownMembers = sample.liveMembers;
  run.history.push({
    at: sample.at,
    cpuPercent: sample.rootUsage?.cpuPercent ?? null,
    memoryMb: sample.rootUsage?.rssBytes == null ? null : sample.rootUsage.rssBytes / 1048576,
    treeCpuPercent: sample.treeCpuPercent,
    treeMemoryMb: sample.treeMemoryMb,
  });
  if (run.record && isLive(run)) notePeaks(run.record, sample.treeCpuPercent, sample.treeMemoryMb);
  // A quiet tree ran nothing that could have written its progress file since the last look.
  if (isLive(run) && !sample.quiet) {
    const progress = run.progress.read();
    run.progressValue = progress.progress;
    run.progressMessage = progress.message;
    if (progress.problem) addNote(run, progress.problem);
  }
  return { rootGone: sample.root === null || isDeadState(sample.root.stateCode) };
}

/** Stall detection and resource guards, once per tick while it runs; returns a guard alert that has just fired (noted on the agent). */
export function watchTick(run: AgentRun): GuardAlert | null {
  const sample = run.latest;
  if (run.state !== 'running' || sample === null) {
    run.stalledSinceMs = null;
    return null;
  }
  const policies = policiesOf(run.request);
  // Time spent paused is not silence: the clock starts over at a resume.
  const lastOutputAtMs = Math.max(run.lastOutputAtMs ?? run.startedAtMs ?? sample.at, run.resumedAtMs ?? 0);
  const meanCpuPercent = policies.stall ? run.history.meanTreeCpuSince(sample.at - policies.stall.quietMs) : null;
  run.stalledSinceMs = stalledSince({ nowMs: sample.at, lastOutputAtMs, meanCpuPercent, policy: policies.stall });
  const fired = run.guard.observe({ atMs: sample.at, treeCpuPercent: sample.treeCpuPercent, treeMemoryMb: sample.treeMemoryMb }, policies.guard);
  if (!fired) return null;
  const alert = run.guard.current!;
  const unit = alert.metric === 'memory' ? ' MB' : ' % CPU';
  const heldS = Math.round((sample.at - Date.parse(alert.since)) / 1000);
  addNote(run, `Resource guard: ${alert.metric} at ${Math.round(alert.value * 10) / 10}${unit}, over its limit of ${alert.limit}${unit} for ${heldS} s; action: ${alert.action}.`);
  return alert;
}
