/**
 * Independent checks on /proc for tests and the bench. Deliberately not the
 * engine's reader: a bug there must not hide a leaked process here.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { waitFor } from './wait';

/** True when `pid` exists and is neither a zombie nor dead. */
export function isPidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Live pids (not this process) whose command line or environment holds `needle`: the test's own /proc scan, not the engine's. */
export function liveWith(needle: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const text = readFileSync(`/proc/${name}/cmdline`, 'latin1') + readFileSync(`/proc/${name}/environ`, 'latin1');
      if (text.includes(needle) && isPidAlive(Number(name))) found.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The parent pid of `pid`; null when it is gone. */
export function ppidOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** Live processes whose environment carries a CORRAL_AGENT_ID starting with `prefix`. */
export function liveAgentProcesses(prefix: string): { pid: number; agentId: string; cmdline: string }[] {
  const found: { pid: number; agentId: string; cmdline: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const marker = readFileSync(`/proc/${name}/environ`, 'latin1')
        .split('\0')
        .find((entry) => entry.startsWith('CORRAL_AGENT_ID='));
      const agentId = marker?.slice('CORRAL_AGENT_ID='.length);
      if (agentId === undefined || !agentId.startsWith(prefix) || !isPidAlive(Number(name))) continue;
      found.push({ pid: Number(name), agentId, cmdline: readFileSync(`/proc/${name}/cmdline`, 'latin1').replace(/\0/g, ' ').trim() });
    } catch {
      // gone meanwhile, or another user's
    }
  }
  return found;
}

/**
 * Ends whatever of a fork storm (fixtures/fork-storm.mjs) outlived a test: writes its brake file so
 * the chains stop forking, then SIGKILLs what `findLive` lists, by pid, until five scans in a row
 * find nothing. Returns every pid it had to kill (none, when the stop under test did its job).
 */
export async function brakeAndKillStorm(brake: string, findLive: () => number[], what: string): Promise<number[]> {
  writeFileSync(brake, '');
  const killed = new Set<number>();
  let quiet = 0;
  await waitFor(
    () => {
      const left = findLive();
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
          killed.add(pid);
        } catch {
          // gone meanwhile
        }
      }
      quiet = left.length === 0 ? quiet + 1 : 0;
      return quiet >= 5;
    },
    { what, timeoutMs: 20_000 },
  );
  return [...killed];
}

/** The kernel's state letter of `pid` (R, S, T, Z…), read by the test itself; null when it is gone. */
export function stateOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  } catch {
    return null;
  }
}

/** utime + stime of `pid`, in clock ticks, read by the test itself. */
export function cpuTicksOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
