/**
 * Scheduling priority (niceness) of an agent's processes. There is no spawn
 * option for it, so it is set on the root right after the spawn and on every
 * member of the tree when changed live; processes started later inherit it.
 */
import os from 'node:os';
import { CorralError, errnoOf, messageOf } from '../errors';

/** Sets `niceness` on every pid; a pid that has gone is skipped. Throws a typed error when none could be set. */
export function applyNiceness(pids: readonly number[], niceness: number): { applied: number; problems: string[] } {
  let applied = 0;
  const problems: string[] = [];
  for (const pid of pids) {
    try {
      os.setPriority(pid, niceness);
      applied++;
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'ESRCH') continue;
      problems.push(
        code === 'EACCES' || code === 'EPERM'
          ? `Not allowed to set niceness ${niceness} on pid ${pid}: raising priority (a lower niceness) needs administrator rights.`
          : `Could not set niceness ${niceness} on pid ${pid}: ${messageOf(error)}`,
      );
    }
  }
  return { applied, problems };
}

/** Like applyNiceness, but a refusal for every pid is an error the caller sees. */
export function requireNiceness(pids: readonly number[], niceness: number): void {
  const { applied, problems } = applyNiceness(pids, niceness);
  if (applied === 0 && problems.length > 0) {
    const denied = problems[0]!.startsWith('Not allowed');
    throw new CorralError(denied ? 'permission-denied' : 'io-error', problems[0]!);
  }
}
