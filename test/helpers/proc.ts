/**
 * Independent checks on /proc for tests and the bench. Deliberately not the
 * engine's reader: a bug there must not hide a leaked process here.
 */
import { readdirSync, readFileSync } from 'node:fs';

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
