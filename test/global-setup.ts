/**
 * Vitest's global setup: notes the `corral-*` cgroups that exist before the suite, and after it fails
 * the run, listing them, when cgroups it left are still there (issue 14: an agent's cgroup goes when
 * the agent is removed or its engine closes). Agents of the last test file may still be closing, so it
 * waits up to LEFTOVER_GRACE_MS for them to empty and go. It only looks (test/helpers/cgroup-leftovers.ts).
 */
import { corralCgroupPaths, describeCgroup, findLeftovers, formatLeftover } from './helpers/cgroup-leftovers';

const LEFTOVER_GRACE_MS = 5_000;
const LOOK_EVERY_MS = 100;

export default function setup(): () => Promise<void> {
  const before = new Set(corralCgroupPaths());
  return async function checkNoCgroupLeft(): Promise<void> {
    const deadline = Date.now() + LEFTOVER_GRACE_MS;
    let left = findLeftovers(before);
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS));
      left = findLeftovers(before);
    }
    if (left.length === 0) return;
    // Vitest prints a teardown's error ("error during close") but keeps the exit code of the tests: this is what fails the run.
    process.exitCode = 1;
    const list = left.map((dir) => `  ${formatLeftover(describeCgroup(dir))}`).join('\n');
    throw new Error(
      `The test run left ${left.length} corral-* cgroup${left.length === 1 ? '' : 's'} behind (issue 14), still there ${LEFTOVER_GRACE_MS / 1000} s after the last test:\n${list}\n` +
        'An agent\'s cgroup goes when the agent is removed and when its engine closes; a test that kills a host outright must stop its agents and close an engine on its data folder. ' +
        'Nothing was removed: kill the processes listed by pid, then rmdir the empty cgroups (agents first).',
    );
  };
}
