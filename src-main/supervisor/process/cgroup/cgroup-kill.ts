/**
 * The SIGKILL stage where the agent has a cgroup: freeze it (nothing in it runs
 * or forks any more), then `cgroup.kill` (the kernel SIGKILLs every process in
 * it and below, forks in flight included), then wait for `populated 0` as a
 * change notification. No scan-then-signal race is left to lose.
 */
import type { AgentCgroup } from './agent-cgroup';

/**
 * Freezes and kills everything in `cgroup`; resolves true once it is empty, false when `deadline` (`Date.now()` ms) passed first.
 * `beforeKill` gets the members listed once the freeze was asked for (the stop counts them: what the kernel kills is reported too).
 */
export async function freezeAndKillCgroup(cgroup: AgentCgroup, deadline: number, beforeKill?: (pids: number[]) => Promise<void>): Promise<boolean> {
  cgroup.freeze(true);
  try {
    await beforeKill?.(cgroup.pids());
  } catch {
    // Counting is a courtesy to the report: the kill goes ahead regardless.
  }
  const killed = cgroup.kill();
  try {
    return killed ? await cgroup.whenEmpty(deadline) : !cgroup.populated();
  } finally {
    // Thawed again whatever happened: the next run is born in this cgroup and must not start frozen.
    cgroup.freeze(false);
  }
}
