/**
 * Whether an ended agent is started again, and when: one pure function,
 * `shouldRestart`, so the rule can be read and tested on its own.
 */
import { isFailure } from './exit-classification';
import type { ExitClassification, RestartPolicy, RunRecord } from '../types';

export type RestartDecision =
  | { restart: true; delayMs: number; /** 1-based: this will be the n-th restart in a row. */ attempt: number }
  | { restart: false; reason: NoRestartReason; crashLooping: boolean };

export type NoRestartReason = 'policy' | 'stopped' | 'succeeded' | 'spawn-failed' | 'exit-unknown' | 'limit-reached';

/**
 * `history` is the agent's runs, oldest first, ending with the run that just ended.
 * Restarts in a row are the latest runs started by a restart, back to a run that
 * lasted `resetAfterMs` (stable) or was started by hand; the n-th waits
 * `initialDelayMs · 2^(n-1)`, capped at `maxDelayMs`. `guardAsksRestart`: a resource guard
 * with the `restart` action stopped it.
 */
export function shouldRestart(exit: ExitClassification, policy: RestartPolicy, history: readonly RunRecord[], guardAsksRestart = false): RestartDecision {
  const no = (reason: NoRestartReason, crashLooping = false): RestartDecision => ({ restart: false, reason, crashLooping });
  // A guard whose action is `restart` stopped it to start it again: whatever the mode, within the same limit and backoff.
  if (exit.kind === 'stopped' && exit.stoppedBy === 'guard' && guardAsksRestart) return next(policy, history);
  if (policy.mode === 'no') return no('policy');
  // A stop is an order, never a crash.
  if (exit.kind === 'stopped') return no('stopped');
  // A program that could not be found or executed will not start by retrying.
  if (exit.kind === 'spawn-failed') return no('spawn-failed');
  // Restarting work that may have finished could repeat it: only `always` takes that risk.
  if (exit.kind === 'unknown' && policy.mode !== 'always') return no('exit-unknown');
  if (policy.mode === 'on-failure' && !isFailure(exit) && exit.kind !== 'unknown') return no('succeeded');
  return next(policy, history);
}

function next(policy: RestartPolicy, history: readonly RunRecord[]): RestartDecision {
  const done = restartsInARow(history, policy);
  if (done >= policy.maxRestarts) return { restart: false, reason: 'limit-reached', crashLooping: true };
  const attempt = done + 1;
  return { restart: true, attempt, delayMs: Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1)) };
}

/** The line a restart or a crash loop writes to the agent's log (and, for a crash loop, its error). */
export function describeDecision(decision: RestartDecision, exit: ExitClassification, policy: RestartPolicy): string | null {
  if (decision.restart) return `${exit.summary} Restarting in ${formatDelay(decision.delayMs)} (restart ${decision.attempt} of ${policy.maxRestarts}).`;
  if (!decision.crashLooping) return null;
  return `Crash-looping: ${policy.maxRestarts} restart${policy.maxRestarts === 1 ? '' : 's'} in a row did not keep it running. Last run: ${exit.summary}`;
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** Restarts in a row behind the latest run, which is included when it was itself a restart (0 once a run was stable). */
export function restartsInARow(history: readonly RunRecord[], policy: Pick<RestartPolicy, 'resetAfterMs'>): number {
  let count = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const run = history[i]!;
    if (run.durationMs !== null && run.durationMs >= policy.resetAfterMs) break;
    if (run.trigger === 'user') break;
    count++;
  }
  return count;
}
