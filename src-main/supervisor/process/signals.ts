/**
 * The one place that sends signals. Callers verify identities first
 * (`terminate.ts`, `zombies.ts`); this module only delivers and reports.
 */
import treeKill from 'tree-kill';
import { errnoOf } from '../errors';

export type SignalName = 'SIGTERM' | 'SIGKILL' | 'SIGCONT' | 'SIGCHLD' | 'SIGSTOP';

/** What happened to one delivery. */
export type Delivery = 'sent' | 'gone' | 'denied';

/** Signal a whole process group (POSIX). */
export function signalGroup(pgid: number, signal: SignalName): Delivery {
  return deliver(-pgid, signal);
}

/** Signal one process. */
export function signalProcess(pid: number, signal: SignalName): Delivery {
  return deliver(pid, signal);
}

/** Windows: the process and its tree via `taskkill /T` (tree-kill). */
export function signalTreeWindows(pid: number, signal: 'SIGTERM' | 'SIGKILL'): Promise<Delivery> {
  return new Promise((resolve) => {
    treeKill(pid, signal, (error) => resolve(error ? 'gone' : 'sent'));
  });
}

function deliver(target: number, signal: SignalName): Delivery {
  // Never the world, never init, never ourselves or a group we lead.
  if (target === 0 || Math.abs(target) === 1 || Math.abs(target) === process.pid) return 'denied';
  try {
    process.kill(target, signal);
    return 'sent';
  } catch (error) {
    return errnoOf(error) === 'ESRCH' ? 'gone' : 'denied';
  }
}
