/**
 * The resource guard's limits as kernel limits, where the cgroup v2 controllers
 * exist: `memory.max` and `cpu.max` in the agent's cgroup, written the instant
 * after the spawn, once the host has left it (applyLimits says why). A limit
 * the kernel holds is `enforced`; any other is `watched` (the guard samples the
 * tree and acts after `sustainedMs`, as without a cgroup).
 *
 * Controllers come down the tree: a cgroup lists in `cgroup.controllers` what
 * its parent enabled in `cgroup.subtree_control`. So the data folder's cgroup
 * (the base) enables them for the agent cgroups below it, and asks its parent
 * for them first when missing. The base may enable them: the host only ever
 * passes through LEAF agent cgroups, never the base (containment.ts), so the
 * "no internal processes" rule is kept. Where the parent holds the host itself
 * (a delegated subtree), only what was delegated is there to enable.
 *
 * Only a guard that ends the agent (`stop`, `restart`) becomes a kernel limit:
 * a `notify` guard must never kill (memory.max) or slow (cpu.max) anything.
 * The guard has no process-count limit, so `pids.max` is left as it is (no limit).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { messageOf } from '../../errors';
import type { GuardLimitsView, LimitEnforcementView, ResourceGuard } from '../../../../src-preload/contract';
import type { AgentCgroup } from './agent-cgroup';

const CPU_PERIOD_US = 100_000;
/** The kernel refuses a cpu.max quota under 1 ms. */
const MIN_CPU_QUOTA_US = 1000;
const MIB = 1024 * 1024;
const PAGE = 4096;
const NOT_STARTED = 'it has not run in a cgroup of its own';

type Controller = 'memory' | 'cpu';

/** What one run's cgroup can hold and holds (kept on the run; the status compares it with the guard in force). */
export interface KernelLimits {
  /** Null when the kernel can hold a memory limit in this agent's cgroup, else why not ("no memory controller in cgroup v2 here"). */
  memoryProblem: string | null;
  cpuProblem: string | null;
  /** What its `memory.max` holds, in MiB; null: no limit. */
  memoryMb: number | null;
  /** What its `cpu.max` holds, psutil scale; null: no limit. */
  cpuPercent: number | null;
  /** `oom_kill` of the cgroup's memory.events when the run started; null when the cgroup has no memory.events. */
  oomKillsAtStart: number | null;
}

/** `memory.max`'s value for a limit in MiB (whole pages; at least 1 MiB). */
export function memoryMaxLine(memoryMb: number | null): string {
  return memoryMb === null ? 'max' : String(Math.max(MIB, Math.floor((memoryMb * MIB) / PAGE) * PAGE));
}

/** `cpu.max`'s value for a limit on psutil's scale (100 = one core): quota and period in µs. */
export function cpuMaxLine(cpuPercent: number | null): string {
  if (cpuPercent === null) return `max ${CPU_PERIOD_US}`;
  return `${Math.max(MIN_CPU_QUOTA_US, Math.round((cpuPercent / 100) * CPU_PERIOD_US))} ${CPU_PERIOD_US}`;
}

/** The `oom_kill` count in memory.events text, or null when the line is not there. */
export function oomKillsIn(memoryEvents: string | null): number | null {
  const match = /^oom_kill (\d+)$/m.exec(memoryEvents ?? '');
  return match ? Number(match[1]) : null;
}

/** The OOM kills `cgroup` has counted (memory.events), or null where there is no memory controller. */
export function oomKillsOf(cgroup: AgentCgroup): number | null {
  return oomKillsIn(readOr(path.join(cgroup.dir, 'memory.events')));
}

/** No kernel limit at all, for `why` (no cgroup of its own). */
export function noKernelLimits(why: string): KernelLimits {
  return { memoryProblem: why, cpuProblem: why, memoryMb: null, cpuPercent: null, oomKillsAtStart: null };
}

/** Per controller: null when the agent's cgroup can take its limit, else why not. */
export type ControllerProblems = Record<Controller, string | null>;

/**
 * Before the spawn: the controllers enabled for the agent cgroups below `base` (the data folder's cgroup), and
 * no limit left in the agent's `cgroup` by its previous run — the host passes through it for the spawn, and must
 * never run under an agent's limit. Never throws: what cannot be done is said per controller.
 */
export function prepareLimits(base: string, cgroup: AgentCgroup): ControllerProblems {
  const missing = enableControllers(base);
  return {
    memory: missing.memory ?? writeLimit(cgroup, 'memory.max', memoryMaxLine(null)),
    cpu: missing.cpu ?? writeLimit(cgroup, 'cpu.max', cpuMaxLine(null)),
  };
}

/**
 * Right after the spawn, once the host has left the cgroup: `guard`'s limits written. Not before: a memory.max
 * below what the fork charges would have the kernel's OOM killer choose among the cgroup's processes, the host
 * among them, and a small cpu.max would stall the host's spawn. Written now, they bind the agent from its first
 * milliseconds (a cgroup already over a new memory.max is reclaimed or OOM-killed at the write).
 */
export function applyLimits(cgroup: AgentCgroup, guard: ResourceGuard | null, problems: ControllerProblems): KernelLimits {
  const memoryMb = kernelHolds(guard) ? guard.memoryMb : null;
  const cpuPercent = kernelHolds(guard) ? guard.cpuPercent : null;
  const memoryProblem = problems.memory ?? (memoryMb === null ? null : writeLimit(cgroup, 'memory.max', memoryMaxLine(memoryMb)));
  const cpuProblem = problems.cpu ?? (cpuPercent === null ? null : writeLimit(cgroup, 'cpu.max', cpuMaxLine(cpuPercent)));
  return {
    memoryProblem,
    cpuProblem,
    memoryMb: memoryProblem === null ? memoryMb : null,
    cpuPercent: cpuProblem === null ? cpuPercent : null,
    oomKillsAtStart: problems.memory === null ? oomKillsOf(cgroup) : null,
  };
}

/**
 * What a cgroup found again after Corral restarted holds now (read back, never written: the run goes on as it was).
 * Its OOM kills count from now: the count when the run started was not kept (an adopted run's end is unknown anyway).
 */
export function limitsFound(cgroup: AgentCgroup): KernelLimits {
  const memory = readOr(path.join(cgroup.dir, 'memory.max'))?.trim() ?? null;
  const cpu = readOr(path.join(cgroup.dir, 'cpu.max'))?.trim().split(' ') ?? null;
  const quota = cpu === null || cpu[0] === 'max' ? null : Number(cpu[0]);
  return {
    memoryProblem: memory === null ? 'no memory controller for its cgroup here' : null,
    cpuProblem: cpu === null ? 'no cpu controller for its cgroup here' : null,
    memoryMb: memory === null || memory === 'max' ? null : Number(memory) / MIB,
    cpuPercent: quota === null || cpu === null ? null : (quota / Number(cpu[1] ?? CPU_PERIOD_US)) * 100,
    oomKillsAtStart: oomKillsOf(cgroup),
  };
}

/**
 * The status's view of `guard` (the one in force now) against what the run's cgroup can hold and holds
 * (`limits`; null: it has not run in a cgroup). A limit changed while it runs reaches the kernel at its next run.
 */
export function guardLimitsOf(guard: ResourceGuard | null, limits: KernelLimits | null): GuardLimitsView {
  const view = (file: string, set: number | null, problem: string | null, held: number | null): LimitEnforcementView | null => {
    if (set === null) return null;
    if (limits === null) return { by: 'watched', why: NOT_STARTED };
    if (problem !== null) return { by: 'watched', why: problem };
    if (!kernelHolds(guard)) return { by: 'watched', why: 'a notify-only guard: the kernel would kill or slow it at the limit' };
    // Within 1%: memory.max is whole pages, cpu.max whole microseconds.
    if (held !== null && Math.abs(held - set) <= set / 100) return { by: 'enforced', why: `${file} of its cgroup` };
    return { by: 'watched', why: 'set after its run started: the kernel holds it from its next run' };
  };
  return {
    memory: view('memory.max', guard?.memoryMb ?? null, limits?.memoryProblem ?? null, limits?.memoryMb ?? null),
    cpu: view('cpu.max', guard?.cpuPercent ?? null, limits?.cpuProblem ?? null, limits?.cpuPercent ?? null),
  };
}

/** Whether `guard`'s limits go to the kernel: only a guard that ends the agent's run anyway. */
function kernelHolds(guard: ResourceGuard | null): guard is ResourceGuard {
  return guard !== null && guard.action !== 'notify';
}

/** Writes one limit file (a reset to no limit included); null when the kernel took it, else why not. */
function writeLimit(cgroup: AgentCgroup, file: string, line: string): string | null {
  try {
    writeFileSync(path.join(cgroup.dir, file), line);
    return null;
  } catch (error) {
    return `could not write ${file}: ${messageOf(error)}`;
  }
}

/**
 * Makes the memory and cpu controllers available to the agent cgroups below `base`: per controller, null when
 * it is, else why not. Each control file is read once (a cgroupfs read costs ~0.1 ms on a busy machine).
 */
function enableControllers(base: string): Record<Controller, string | null> {
  const enabled = words(path.join(base, 'cgroup.subtree_control'));
  const offered = words(path.join(base, 'cgroup.controllers'));
  let parentOffers: string[] | null = null;
  const enable = (controller: Controller): string | null => {
    if (enabled.includes(controller)) return null;
    if (!offered.includes(controller)) {
      const parent = path.dirname(base);
      parentOffers ??= words(path.join(parent, 'cgroup.controllers'));
      if (!parentOffers.includes(controller)) return `no ${controller} controller in cgroup v2 here`;
      try {
        writeFileSync(path.join(parent, 'cgroup.subtree_control'), `+${controller}`);
      } catch (error) {
        return `the ${controller} controller is not passed down to Corral's cgroup (${messageOf(error)})`;
      }
    }
    try {
      writeFileSync(path.join(base, 'cgroup.subtree_control'), `+${controller}`);
      return null;
    } catch (error) {
      return `could not enable the ${controller} controller for agents (${messageOf(error)})`;
    }
  };
  return { memory: enable('memory'), cpu: enable('cpu') };
}

function words(file: string): string[] {
  return (readOr(file) ?? '').split(/\s+/).filter((word) => word !== '');
}

function readOr(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
