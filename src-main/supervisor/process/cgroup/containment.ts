/**
 * Kernel containment: every agent in a cgroup of its own, below one cgroup per
 * data folder (`corral-<hash of the data dir>`), so two Corrals never share one.
 *
 * Where: below this process's own cgroup when that is writable (a delegated
 * subtree, or root), else at the root of the cgroup2 mount (root, or a
 * container that owns its hierarchy), else below a transient scope with
 * `Delegate=yes` that the user's systemd manager is asked for and moves this
 * process into (systemd-scope.ts: a systemd desktop). Anywhere else (macOS, Windows, no cgroup2, a locked-down Linux),
 * or with `CORRAL_CONTAINMENT=process-group`, there is no containment object and
 * the heuristic tracker (process group, session, ppid walk, marker) does the work.
 *
 * Placement before the program runs: Node cannot clone3(CLONE_INTO_CGROUP), but
 * its spawn is a synchronous fork+exec on the calling thread and a child is born
 * in its parent's cgroup. So the host moves itself (all its threads: v2 moves
 * whole processes) into the agent's cgroup, spawns, and moves back, with nothing
 * else running in between. The host only ever passes through LEAF cgroups (an
 * agent's, or a probe's), never the data folder's, so the "no internal
 * processes" rule (it binds where controllers are enabled) never stands in the
 * way: limits.ts enables the memory and cpu controllers in the data folder's
 * `subtree_control` where they exist, for the guard's kernel limits.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { messageOf } from '../../errors';
import { AgentCgroup } from './agent-cgroup';
import { findCgroup2Mount, ownCgroupDir } from './hierarchy';
import { moveIntoDelegatedScope } from './systemd-scope';

/** Which tracker an agent's processes are found and stopped by. */
export type ContainmentKind = 'cgroup' | 'process-group';

/** `auto`: a cgroup per agent where a writable cgroup2 hierarchy exists. `process-group`: the heuristic tracker, always. */
export type ContainmentMode = 'auto' | 'process-group';

/** The environment variable that forces the heuristic tracker (`CORRAL_CONTAINMENT=process-group`). */
export const CONTAINMENT_ENV = 'CORRAL_CONTAINMENT';

/** The name of the cgroup that holds the agents of `dataDir`. */
export function baseNameFor(dataDir: string): string {
  return `corral-${createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12)}`;
}

export class Containment {
  private readonly agents = new Map<string, AgentCgroup>();

  private constructor(
    readonly mount: string,
    /** The cgroup holding this data folder's agents. */
    readonly base: string,
  ) {}

  /**
   * The containment for `dataDir`, or null with the reason when the heuristic tracker must do
   * (`mode`, the environment variable, or no writable cgroup2 hierarchy).
   */
  static open(dataDir: string, mode: ContainmentMode = 'auto', options: { systemd?: 'fallback' | 'only' } = {}): { containment: Containment | null; reason: string } {
    if (mode === 'process-group' || process.env[CONTAINMENT_ENV] === 'process-group') return { containment: null, reason: 'process-group tracking was asked for' };
    if (process.platform !== 'linux') return { containment: null, reason: 'cgroups exist only on Linux' };
    const mount = findCgroup2Mount();
    if (mount === null) return { containment: null, reason: 'no cgroup2 hierarchy is mounted' };
    const problems: string[] = [];
    const parents = options.systemd === 'only' ? [] : [ownCgroupDir(mount), mount];
    for (const parent of new Set(parents.filter((dir): dir is string => dir !== null))) {
      const opened = Containment.openIn(parent, mount, dataDir);
      if (typeof opened !== 'string') return { containment: opened, reason: `agents in ${opened.base}` };
      problems.push(`${parent}: ${opened}`);
    }
    // Neither writable: a systemd desktop delegates a subtree to whoever asks its user manager for one.
    const scope = moveIntoDelegatedScope(`${baseNameFor(dataDir)}.scope`, mount);
    if (!scope.ok) return { containment: null, reason: `no writable cgroup2 hierarchy (${[...problems, scope.reason].join('; ')})` };
    const opened = Containment.openIn(scope.dir, mount, dataDir);
    if (typeof opened !== 'string') return { containment: opened, reason: `agents in ${opened.base} (a scope delegated by systemd)` };
    return { containment: null, reason: `no writable cgroup2 hierarchy (${[...problems, `${scope.dir}: ${opened}`].join('; ')})` };
  }

  /** The containment for `dataDir` below `parent`, or why it cannot be there (what was made for it is removed). */
  private static openIn(parent: string, mount: string, dataDir: string): Containment | string {
    const base = path.join(parent, baseNameFor(dataDir));
    try {
      mkdirSync(base, { recursive: true });
      // The features the stop relies on (Linux 5.14+), and a round trip of the host to prove it may move itself.
      if (!existsSync(path.join(base, 'cgroup.kill')) || !existsSync(path.join(base, 'cgroup.freeze'))) throw new Error('no cgroup.kill/cgroup.freeze (Linux 5.14 or later needed)');
      const containment = new Containment(mount, base);
      // Into a leaf below it, not the base itself: a base with controllers enabled (limits.ts) may hold no process.
      const probe = new AgentCgroup(path.join(base, 'probe'));
      const placed = containment.placedWhile(probe, () => undefined).placed;
      probe.remove();
      if (!placed) throw new Error('this process may not move itself into it');
      removeEmptyLeftovers(parent, base);
      return containment;
    } catch (error) {
      try {
        rmdirSync(base);
      } catch {
        // It holds something, or was never made.
      }
      return messageOf(error);
    }
  }

  /** The agent's cgroup (created on first use). */
  agent(agentId: string): AgentCgroup {
    let cgroup = this.agents.get(agentId);
    if (!cgroup) {
      // A prefix: an agent id such as "cpu.max" must never name a control file.
      cgroup = new AgentCgroup(path.join(this.base, `a-${agentId}`));
      this.agents.set(agentId, cgroup);
    }
    return cgroup;
  }

  /**
   * The agent's cgroup found again after Corral restarted, when it still holds `rootPid` (the run's root, its
   * identity checked by the caller): the cgroup path is deterministic, but only its member list proves that
   * this run lives there (a run started by process-group tracking, or a leftover cgroup, does not). Else null.
   */
  reattach(agentId: string, rootPid: number): AgentCgroup | null {
    const cgroup = this.agent(agentId);
    return cgroup.pids().includes(rootPid) ? cgroup : null;
  }

  /** Every agent cgroup under the base by agent id, as the kernel has them: also those of agents this engine never knew (a lost state.json). */
  agentCgroups(): Map<string, AgentCgroup> {
    const found = new Map<string, AgentCgroup>();
    for (const name of subdirs(this.base)) if (name.startsWith('a-')) found.set(name.slice(2), new AgentCgroup(path.join(this.base, name)));
    return found;
  }

  /**
   * Runs `spawn` (a synchronous fork+exec) with this host inside `cgroup`, so the child is born in it
   * before it runs anything; the host is back in its own cgroup when this returns or throws. When the
   * host cannot enter the cgroup, `spawn` runs where the host is and `placed` says so.
   */
  placedWhile<T>(cgroup: AgentCgroup, spawn: () => T): { value: T; placed: boolean } {
    const home = ownCgroupDir(this.mount);
    try {
      if (home === null) throw new Error('this process cannot see its own cgroup');
      cgroup.ensure();
      cgroup.adopt(process.pid);
    } catch {
      return { value: spawn(), placed: false };
    }
    try {
      return { value: spawn(), placed: true };
    } finally {
      new AgentCgroup(home).adopt(process.pid);
    }
  }

  /** Removes the agent's cgroup when nothing lives in it (the agent was removed). */
  removeAgent(agentId: string): void {
    this.agent(agentId).remove();
    this.agents.delete(agentId);
  }

  /**
   * Removes every empty agent cgroup and, when all are gone, the data folder's. A live agent keeps its
   * own (agents outlive the engine), removed when it ends if this process still runs; otherwise by the
   * next engine that starts beside it (`removeEmptyLeftovers`).
   */
  close(): void {
    const base = new AgentCgroup(this.base);
    for (const name of subdirs(this.base)) {
      const cgroup = new AgentCgroup(path.join(this.base, name));
      if (!cgroup.remove()) cgroup.onceEmpty(() => cgroup.remove() && base.remove());
    }
    base.remove();
    this.agents.clear();
  }
}

/**
 * Removes the empty `corral-*` cgroups a host killed outright left beside ours (it never ran
 * `close()`). Only empty ones go (the kernel refuses the rest), and an engine still using one
 * makes it again before its next spawn (`AgentCgroup.ensure`), so nothing of anyone's is lost.
 */
function removeEmptyLeftovers(parent: string, own: string): void {
  for (const base of subdirs(parent).filter((name) => name.startsWith('corral-'))) {
    const dir = path.join(parent, base);
    if (dir === own) continue;
    for (const agent of subdirs(dir)) new AgentCgroup(path.join(dir, agent)).remove();
    new AgentCgroup(dir).remove();
  }
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}
