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
import { buildTable, identityKey, identityOf, isDeadState, type ProcEntry, type ProcessIdentity, type ProcessReader, type ProcessTable, type TreeAnchor, type TreeSeeds } from '../process-table';
import { toMb, type TreeSample } from '../tree-sample';
import { parsePids, type AgentCgroup } from './agent-cgroup';
import { readCpuUsage, type CpuUsageReading, type CpuUsages } from './cpu-usage';
import { PressureReader } from './pressure';

/** One agent to read: where its tree hangs, and the zombies seen in it last time (no cgroup lists them). */
export interface CgroupTreeTarget {
  anchor: TreeAnchor;
  cgroup: AgentCgroup;
  zombies: readonly ProcessIdentity[];
}

/**
 * How long a quiet agent's members may go unread (see `QuietTrees`). Its `cgroup.procs` and `cpu.stat`
 * show every change a member makes itself, not what the kernel does to it unasked: reclaim lowering its
 * RSS, or a change that shows in neither file. A full read this often keeps the figures honest.
 */
export const MEMBER_REREAD_MS = 10_000;

/** The members of an agent's tree as last read, and what its cgroup's two files said then. */
interface LastRead {
  usageUsec: number;
  /** Every member was live and listed in `cgroup.procs` then. */
  members: readonly ProcEntry[];
  keys: ReadonlySet<string>;
  readAtMs: number;
}

/**
 * Which agents' trees cannot have changed since their members were last read. A process that does not
 * run cannot change its CPU time, RSS, threads, state or children, nor end, fork or write a file; and
 * any member that runs moves its cgroup's `usage_usec` (a signal delivered makes it run, and so does
 * ending). So when `usage_usec` reads as at the last full read of a tree whose members were all live
 * and all listed in `cgroup.procs` (no zombie, whose reaper may be outside the cgroup; no member moved
 * out, which runs unseen), that read stands and `cgroup.procs` is not read either: its per-process CPU
 * is 0 % over the real interval (the reader's CPU history keeps the last CPU time with the time it was
 * last known true), its RSS, threads and states as read. Only a process from outside the tree (root
 * moving a process in) changes the cgroup unseen; the full read every MEMBER_REREAD_MS finds that.
 */
export class QuietTrees {
  private readonly last = new WeakMap<AgentCgroup, LastRead>();
  private rereadsLeft = 0;

  /**
   * Starts a tick over `count` trees. At most a tenth of them are read again for their age alone in one
   * tick (up to twice MEMBER_REREAD_MS old): 100 agents started together would otherwise all be read
   * again on the same tick, a spike of ~800 files every 10 s, and stay in step for good.
   */
  beginTick(count: number): void {
    this.rereadsLeft = Math.max(1, Math.ceil(count / 10));
  }

  /** The members last read, when `target`'s tree is known unchanged since; null when it must be read. */
  unchanged(target: CgroupTreeTarget, usage: CpuUsageReading | null): readonly ProcEntry[] | null {
    const last = this.last.get(target.cgroup);
    if (!last || !usage || usage.usageUsec !== last.usageUsec) return null;
    const age = usage.atMs - last.readAtMs;
    if (age >= MEMBER_REREAD_MS && (this.rereadsLeft-- > 0 || age >= 2 * MEMBER_REREAD_MS)) return null;
    const { root, knownMembers } = target.anchor;
    // Everything the tree would be read from is among its members (a new run, or a member found elsewhere, is not).
    const identities = [...(root ? [root] : []), ...knownMembers, ...target.zombies];
    return identities.every((identity) => last.keys.has(identityKey(identity))) ? last.members : null;
  }

  /** Notes a full read of `cgroup`'s members; a tree with a zombie or an unlisted member is never reused. */
  remember(cgroup: AgentCgroup, pids: string, usage: CpuUsageReading | null, members: readonly ProcEntry[]): void {
    const listed = members.every((entry) => !isDeadState(entry.stateCode)) && sortedPids(members.map((entry) => entry.pid)) === pids;
    if (usage && listed) {
      this.last.set(cgroup, { usageUsec: usage.usageUsec, members, keys: new Set(members.map(identityKey)), readAtMs: usage.atMs });
    } else this.last.delete(cgroup);
  }
}

/**
 * Every target's members, read by `reader.readTrees` from its cgroup's list, its root, its members seen
 * before and its known zombies, in one table of those processes alone (what `usage` and
 * `summariseTree` take) — or, for a quiet agent (`QuietTrees`), as last read, with neither its
 * `cgroup.procs` nor a per-process file read (`quiet` says which). Session members that left the cgroup are not looked for here: the periodic full snapshot finds
 * them, and from then on they are members seen before. Each `cgroup.procs` is read through `files`
 * (held open, owned by the cgroup's folder), the CPU counts through `usages` (one read of their
 * parent's while none of them ran); the counts are returned for `CgroupFigures.apply`, which would
 * otherwise read them again.
 */
export async function readCgroupTrees(
  reader: Required<Pick<ProcessReader, 'readTrees'>>,
  targets: readonly CgroupTreeTarget[],
  files: HeldFiles,
  quiet: QuietTrees,
  usages: CpuUsages,
): Promise<{ table: ProcessTable; members: ProcEntry[][]; usage: (CpuUsageReading | null)[]; quiet: boolean[] }> {
  const takenAtMs = Date.now();
  // The CPU count, then (if it moved) the list and the members: whatever runs after a file is read shows in the next tick's count.
  const readings = usages.read(targets.map(({ cgroup }) => cgroup));
  quiet.beginTick(targets.length);
  const seeds = targets.map((target, i): TreeSeeds & { usage: CpuUsageReading | null } => {
    const usage = readings[i]!;
    const unchanged = quiet.unchanged(target, usage);
    if (unchanged) return { pids: [], identities: [], unchanged, usage };
    const { anchor, zombies } = target;
    return { pids: cgroupPids(files, target.cgroup), identities: [...(anchor.root ? [anchor.root] : []), ...anchor.knownMembers, ...zombies], usage };
  });
  const members = await reader.readTrees(seeds);
  targets.forEach(({ cgroup }, i) => {
    const { pids, unchanged, usage } = seeds[i]!;
    if (!unchanged) quiet.remember(cgroup, sortedPids(pids), usage, members[i]!);
  });
  return { table: buildTable(members.flat(), takenAtMs), members, usage: seeds.map(({ usage }) => usage), quiet: seeds.map(({ unchanged }) => unchanged !== undefined) };
}

/** The zombies among `members`, to look for again next tick. */
export function zombiesOf(members: readonly ProcEntry[]): ProcessIdentity[] {
  return members.filter((entry) => isDeadState(entry.stateCode)).map(identityOf);
}

function cgroupPids(files: HeldFiles, cgroup: AgentCgroup): number[] {
  const text = files.read(cgroup.file('cgroup.procs'), cgroup.dir);
  return text === null ? [] : parsePids(text.toString('latin1'));
}

function sortedPids(pids: readonly number[]): string {
  return [...pids].sort((a, b) => a - b).join(' ');
}

/** Process states in which a process waits for nothing a stall counts: asleep (not on I/O), stopped, idle. */
const RESTING = new Set(['sleeping', 'stopped', 'tracing-stop', 'idle']);

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
    this.pressure = new PressureReader(undefined, files, MEMBER_REREAD_MS);
  }

  /** `usage`: this tick's reading of the cgroup's `cpu.stat` where `readCgroupTrees` took one (read here if not). */
  apply(sample: TreeSample, cgroup: AgentCgroup, usage?: CpuUsageReading | null): TreeSample {
    const nowMs = performance.now();
    const reading = usage === undefined ? readCpuUsage(this.files, cgroup) : usage;
    const cpuPercent = reading === null ? null : this.cpuPercent(cgroup, sample.root ? identityKey(sample.root) : null, reading);
    const memoryBytes = this.memoryBytes(cgroup, nowMs);
    const live = sample.liveMembers.length > 0;
    // The whole is never shown below a part: /proc counts CPU in 10 ms clock ticks, the cgroup in
    // microseconds, so over one interval a member's figure can come out a point or two above the truth.
    const largestMember = Math.max(0, ...sample.processes.map((process) => process.cpuPercent ?? 0));
    return {
      ...sample,
      treeCpuPercent: live && cpuPercent !== null ? Math.max(cpuPercent, largestMember) : sample.treeCpuPercent,
      treeMemoryMb: live && memoryBytes !== null ? toMb(memoryBytes) : sample.treeMemoryMb,
      pressure: live ? this.pressure.read(cgroup, nowMs, sample.quiet === true && sample.processes.every((one) => RESTING.has(one.status))) : null,
    };
  }

  private cpuPercent(cgroup: AgentCgroup, root: string | null, { usageUsec, atMs: nowMs }: CpuUsageReading): number | null {
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
