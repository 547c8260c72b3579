/**
 * Zombie descendants: processes that exited but whose parent never waited for
 * them. Only the parent can reap a zombie; we can only remind it (SIGCHLD) and
 * report the ones that stay. Node reaps the agents' roots itself.
 */
import { isDeadState, type ProcEntry, type ProcessReader, type ProcessTable } from './process-table';
import { signalProcess } from './signals';

export interface ZombieReport {
  /** Agents whose zombies' parents were nudged. */
  actedOn: string[];
  /** agentId → zombies still there after the nudge, with why. */
  remaining: Map<string, string[]>;
}

export async function nudgeZombieParents(
  table: ProcessTable,
  trees: { agentId: string; members: ProcEntry[] }[],
  reader: ProcessReader,
  settleMs = 200,
): Promise<ZombieReport> {
  const actedOn: string[] = [];
  const watched: { agentId: string; zombie: ProcEntry; parentCanReap: boolean }[] = [];
  for (const { agentId, members } of trees) {
    const ours = new Set(members.map((entry) => entry.pid));
    let acted = false;
    for (const zombie of members) {
      if (zombie.stateCode !== 'Z' || zombie.ppid === process.pid) continue; // our own child: libuv reaps it
      const parent = table.byPid.get(zombie.ppid);
      // Only a parent inside the agent's verified tree is signalled; init or strangers are left alone.
      const parentCanReap = parent !== undefined && ours.has(parent.pid) && !isDeadState(parent.stateCode);
      if (parentCanReap) {
        signalProcess(parent.pid, 'SIGCHLD');
        acted = true;
      }
      watched.push({ agentId, zombie, parentCanReap });
    }
    if (acted || watched.some((w) => w.agentId === agentId)) actedOn.push(agentId);
  }

  const deadline = Date.now() + settleMs;
  let left = watched;
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const next: typeof left = [];
    for (const w of left) {
      const now = await reader.read(w.zombie.pid);
      if (now && now.startTime === w.zombie.startTime && now.stateCode === 'Z') next.push(w);
    }
    left = next;
  }

  const remaining = new Map<string, string[]>();
  for (const { agentId, zombie, parentCanReap } of left) {
    const why = parentCanReap ? `its parent (pid ${zombie.ppid}) does not reap it` : `its parent (pid ${zombie.ppid}) is outside the agent and was not signalled`;
    const list = remaining.get(agentId) ?? [];
    list.push(`zombie pid ${zombie.pid} (${zombie.name}) remains: ${why}`);
    remaining.set(agentId, list);
  }
  return { actedOn, remaining };
}
