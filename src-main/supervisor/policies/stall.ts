/**
 * Stall detection: a live agent that has written nothing for `quietMs` while
 * its tree's mean CPU over that time stayed under the threshold is probably
 * waiting for input or hung; a silent agent that computes is busy, not stalled.
 */
import type { StallPolicy } from '../types';

export interface StallInput {
  nowMs: number;
  /** When it last wrote to stdout or stderr, or started. */
  lastOutputAtMs: number;
  /** The tree's mean CPU over the last `quietMs` (psutil scale); null when nothing was readable. */
  meanCpuPercent: number | null;
  policy: StallPolicy | null;
}

/** Epoch ms when the stall began (quietMs after the last output), or null when not stalled. */
export function stalledSince({ nowMs, lastOutputAtMs, meanCpuPercent, policy }: StallInput): number | null {
  if (policy === null || nowMs - lastOutputAtMs < policy.quietMs) return null;
  // No reading (unreadable tree): say nothing rather than guess.
  if (meanCpuPercent === null) return null;
  return meanCpuPercent < policy.cpuBelowPercent ? lastOutputAtMs + policy.quietMs : null;
}
