/**
 * What the Stop progress group shows, computed from the engine's
 * StopProgressView and the clock. Pure so the stage logic is unit-tested.
 */
import type { StopProgressView, StopStage } from '../../src-preload/contract';

export const STOP_STAGES: readonly { stage: StopStage; label: string; signal: string }[] = [
  { stage: 'term1', label: 'SIGTERM', signal: 'SIGTERM' },
  { stage: 'term2', label: 'SIGTERM again', signal: 'SIGTERM' },
  { stage: 'kill', label: 'SIGKILL', signal: 'SIGKILL' },
];

export type StageStatus = 'done' | 'current' | 'pending' | 'skipped';

export function stageIndex(stage: StopStage): number {
  return STOP_STAGES.findIndex((entry) => entry.stage === stage);
}

/** A forced stop goes straight to SIGKILL: the graceful stages are skipped, not done. */
export function stageStatus(progress: StopProgressView | null, stage: StopStage): StageStatus {
  const target = stageIndex(stage);
  if (progress === null) return target === 0 ? 'current' : 'pending';
  const current = stageIndex(progress.stage);
  if (target === current) return 'current';
  if (target > current) return 'pending';
  return progress.forced ? 'skipped' : 'done';
}

/** Milliseconds until the current stage gives up (0 once past the deadline). */
export function msLeft(progress: StopProgressView, nowMs: number): number {
  return Math.max(0, progress.deadline - nowMs);
}

/** How far through the current stage we are, 0..1, for a progress bar. */
export function stageFraction(progress: StopProgressView, nowMs: number): number {
  const length = progress.stageMs[progress.stage];
  if (!(length > 0)) return 1;
  return Math.min(1, Math.max(0, 1 - msLeft(progress, nowMs) / length));
}
