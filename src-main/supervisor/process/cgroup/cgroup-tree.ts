/**
 * An agent's tree read from its cgroup, not from the machine: the members are
 * the kernel's list (`cgroup.procs`) plus the zombies their children lists name
 * (a cgroup lists no exited process), and the tree's figures are the cgroup's
 * own — CPU from `cpu.stat`, memory from `memory.current` where the memory
 * controller is on, pressure from its PSI files. What a tick reads grows with
 * the agents' processes, never with the other processes on the machine.
 */
import { performance } from 'node:perf_hooks';
import { HeldFiles } from '../held-files';
import { buildTable, identityKey, identityOf, isDeadState, type ProcEntry, type ProcessIdentity, type ProcessReader, type ProcessTable, type TreeAnchor } from '../process-table';
import { toMb, type TreeSample } from '../tree-sample';
import { parsePids, type AgentCgroup } from './agent-cgroup';
import { PressureReader } from './pressure';

/** One agent to read: where its tree hangs, and the zombies seen in it last time (no cgroup lists them). */
export interface CgroupTreeTarget {
  anchor: TreeAnchor;
  cgroup: AgentCgroup;
  zombies: readonly ProcessIdentity[];
}

/**
 * Every target's members, read by `reader.readTrees` from its cgroup's list, its root, its members seen
 * before and its known zombies, in one table of those processes alone (what `usage` and
 * `summariseTree` take). Session members that left the cgroup are not looked for here: the periodic
 * full snapshot finds them, and from then on they are members seen before. Each `cgroup.procs` is
 * read through `files` (held open, owned by the cgroup's folder).
 */
export async function readCgroupTrees(
  reader: Required<Pick<ProcessReader, 'readTrees'>>,
  targets: readonly CgroupTreeTarget[],
  files: HeldFiles,
): Promise<{ table: ProcessTable; members: ProcEntry[][] }> {
  const takenAtMs = Date.now();
  const members = await reader.readTrees(
    targets.map(({ anchor, cgroup, zombies }) => ({
      pids: cgroupPids(files, cgroup),
      identities: [...(anchor.root ? [anchor.root] : []), ...anchor.knownMembers, ...zombies],
    })),
  );
  return { table: buildTable(members.flat(), takenAtMs), members };
}

/** The zombies among `members`, to look for again next tick. */
export function zombiesOf(members: readonly ProcEntry[]): ProcessIdentity[] {
  return members.filter((entry) => isDeadState(entry.stateCode)).map(identityOf);
}

function cgroupPids(files: HeldFiles, cgroup: AgentCgroup): number[] {
  const text = files.read(cgroup.file('cgroup.procs'), cgroup.dir);
  return text === null ? [] : parsePids(text.toString('latin1'));
}

/** Below this, a CPU-time delta is too short to mean anything (as `cpu-tracker.ts`). */
const MIN_CPU_WINDOW_MS = 100;
/** How long a missing `memory.current` is believed missing (the memory controller is rarely turned on later). */
const ABSENT_RECHECK_MS = 30_000;

/**
 * Replaces a tree's CPU and memory with its cgroup's figures, and adds its pressure. CPU is the
 * `usage_usec` delta since the last tick (it counts processes that ended between ticks, which no
 * per-process sum sees); the first tick of a cgroup keeps the members' sum (each one's average since it
 * started), so a busy agent shows busy at once. Its files are read through `files` (held open, owned
 * by the cgroup's folder).
 */
export class CgroupFigures {
  private readonly cpu = new WeakMap<AgentCgroup, { usageUsec: number; atMs: number; percent: number | null; root: string | null }>();
  private readonly memoryAbsentUntil = new WeakMap<AgentCgroup, number>();
  private readonly pressure: PressureReader;

  constructor(private readonly files: HeldFiles) {
    this.pressure = new PressureReader(undefined, files);
  }

  apply(sample: TreeSample, cgroup: AgentCgroup): TreeSample {
    const nowMs = performance.now();
    const cpuPercent = this.cpuPercent(cgroup, sample.root ? identityKey(sample.root) : null, nowMs);
    const memoryBytes = this.memoryBytes(cgroup, nowMs);
    const live = sample.liveMembers.length > 0;
    // The whole is never shown below a part: /proc counts CPU in 10 ms clock ticks, the cgroup in
    // microseconds, so over one interval a member's figure can come out a point or two above the truth.
    const largestMember = Math.max(0, ...sample.processes.map((process) => process.cpuPercent ?? 0));
    return {
      ...sample,
      treeCpuPercent: live && cpuPercent !== null ? Math.max(cpuPercent, largestMember) : sample.treeCpuPercent,
      treeMemoryMb: live && memoryBytes !== null ? toMb(memoryBytes) : sample.treeMemoryMb,
      pressure: live ? this.pressure.read(cgroup, nowMs) : null,
    };
  }

  private cpuPercent(cgroup: AgentCgroup, root: string | null, nowMs: number): number | null {
    const text = this.files.read(cgroup.file('cpu.stat'), cgroup.dir);
    const match = text === null ? null : /^usage_usec (\d+)$/m.exec(text.toString('latin1'));
    if (!match) return null;
    const usageUsec = Number(match[1]);
    // A new run (another root: the last reading may be from a run that ended long ago) or a cgroup made
    // anew (its count starts from zero) is a first reading.
    const before = this.cpu.get(cgroup);
    const comparable = before !== undefined && before.root === root && usageUsec >= before.usageUsec;
    if (comparable && nowMs - before.atMs < MIN_CPU_WINDOW_MS) return before.percent;
    const percent = comparable ? round1(((usageUsec - before.usageUsec) / 1000 / (nowMs - before.atMs)) * 100) : null;
    this.cpu.set(cgroup, { usageUsec, atMs: nowMs, percent, root });
    return percent;
  }

  private memoryBytes(cgroup: AgentCgroup, nowMs: number): number | null {
    if ((this.memoryAbsentUntil.get(cgroup) ?? 0) > nowMs) return null;
    const text = this.files.read(cgroup.file('memory.current'), cgroup.dir);
    const bytes = text === null ? NaN : Number(text.toString('latin1').trim());
    if (Number.isFinite(bytes)) return bytes;
    this.memoryAbsentUntil.set(cgroup, nowMs + ABSENT_RECHECK_MS);
    return null;
  }
}

function round1(value: number): number {
  return Math.max(0, Math.round(value * 10) / 10);
}
