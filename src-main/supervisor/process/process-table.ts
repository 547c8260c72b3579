/**
 * A snapshot of the OS process table, and the pure functions that read agent
 * trees out of it. How the snapshot is taken lives in `proc-reader.ts` (Linux)
 * and `ps-reader.ts` (elsewhere); both return this shape.
 */
import type { AgentCgroup } from './cgroup/agent-cgroup';

/** One process as read from the OS. Fields that could not be read are null. */
export interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** Kernel state letter: R, S, D, T, t, Z, X, I… */
  stateCode: string;
  /** Opaque start-time token. pid + startTime identify a process across pid reuse. */
  startTime: string;
  /** Epoch ms at which the process started, when known. */
  startedAtMs: number | null;
  /** user + system CPU time consumed so far. */
  cpuTimeMs: number | null;
  rssBytes: number | null;
  numThreads: number | null;
  /** Short command name. */
  name: string;
}

/** A process identity that survives pid reuse. */
export interface ProcessIdentity {
  pid: number;
  startTime: string;
}

export interface ProcessTable {
  takenAtMs: number;
  byPid: Map<number, ProcEntry>;
  /** ppid → children, built once per snapshot. */
  childrenOf: Map<number, ProcEntry[]>;
  /** session id and process-group id → members, built once per snapshot. */
  membersOf: Map<number, ProcEntry[]>;
}

/** Per-process resource figures for one tick. */
export interface ProcessUsage {
  cpuPercent: number | null;
  rssBytes: number | null;
  numThreads: number | null;
}

/** What a process's environment says about the agent that started it. */
export interface AgentEnvironment {
  agentId: string;
  /** CORRAL_STATUS_FILE: which Corral (data dir) started it. Null when absent. */
  statusFile: string | null;
}

/**
 * Marker reads by identity (`identityKey`): the agent id when the process is one of ours, null when it
 * is not. Kept only by stops, while they run (an environment changes only at an exec, and a stop is
 * short), so their re-scans read the environments of new processes alone.
 */
export type MarkerMemo = Map<string, string | null>;

/** How the engine reads processes. One implementation per platform family. */
export interface ProcessReader {
  readonly kind: 'proc' | 'ps+pidusage' | 'pidusage';
  /** All processes (or, where the OS cannot list them cheaply, at least `hintPids`). */
  snapshot(hintPids?: readonly number[]): Promise<ProcessTable>;
  /** CPU %, RSS and threads of `pids` in `table`. */
  usage(table: ProcessTable, pids: readonly number[]): Promise<Map<number, ProcessUsage>>;
  /** One process, or null when it does not exist. */
  read(pid: number): Promise<ProcEntry | null>;
  /**
   * pid → CORRAL_AGENT_ID of processes that carry it and whose CORRAL_STATUS_FILE lies under `dataDir` (Linux); empty where unsupported.
   * With `memo`, an identity already in it is not read again, and each conclusive read is added to it.
   */
  agentMarkers(table: ProcessTable, skip: ReadonlySet<number>, dataDir: string, memo?: MarkerMemo): Promise<Map<number, string>>;
  /** Full command lines of `pids`, for display; a pid that cannot be read is left out. */
  commandLines(pids: readonly number[]): Promise<Map<number, string>>;
  /**
   * Per tree, its processes read on their own (never the whole table, so the cost grows with these
   * processes alone): each seed's `identities` while still the process they name (root first), its
   * `pids` as they are (a cgroup's list), and the children of every live one, zombies included.
   * Absent where the OS keeps no children lists to read (the tick then takes a full snapshot).
   * The reader may hold the members' files open until a call whose trees no longer hold them (a
   * call with no seeds lets go of all) or `close()`.
   */
  readTrees?(seeds: readonly TreeSeeds[]): Promise<ProcEntry[][]>;
  close(): void;
}

/** Where `readTrees` starts one tree. */
export interface TreeSeeds {
  /** Members as listed (an agent's `cgroup.procs`). */
  pids: readonly number[];
  /** Members known by identity (its root first, members seen before): a recycled pid is left out. */
  identities: readonly ProcessIdentity[];
  /** The tree as last read, known unchanged since (a quiet cgroup): returned as it is, its files kept open, nothing read. */
  unchanged?: readonly ProcEntry[];
  /**
   * Read the children of every thread, not only the main one's: for a tree with no cgroup, whose live
   * members no kernel list names, so a child forked by another thread is found at once.
   */
  everyThread?: boolean;
}

export function buildTable(entries: Iterable<ProcEntry>, takenAtMs: number): ProcessTable {
  const byPid = new Map<number, ProcEntry>();
  const childrenOf = new Map<number, ProcEntry[]>();
  const membersOf = new Map<number, ProcEntry[]>();
  for (const entry of entries) {
    byPid.set(entry.pid, entry);
    pushTo(childrenOf, entry.ppid, entry);
    pushTo(membersOf, entry.sid, entry);
    if (entry.pgid !== entry.sid) pushTo(membersOf, entry.pgid, entry);
  }
  return { takenAtMs, byPid, childrenOf, membersOf };
}

function pushTo(index: Map<number, ProcEntry[]>, key: number, entry: ProcEntry): void {
  const list = index.get(key);
  if (list) list.push(entry);
  else index.set(key, [entry]);
}

export function identityKey(identity: ProcessIdentity): string {
  return `${identity.pid}@${identity.startTime}`;
}

export function identityOf(entry: ProcEntry): ProcessIdentity {
  return { pid: entry.pid, startTime: entry.startTime };
}

/** The entry for `identity`, or null when that pid is gone or now belongs to another process. */
export function findIdentity(table: ProcessTable, identity: ProcessIdentity): ProcEntry | null {
  const entry = table.byPid.get(identity.pid);
  return entry && entry.startTime === identity.startTime ? entry : null;
}

/** True when `entry` is still the process `identity` names (not a recycled pid) and has not ended. */
export function isLiveAs(entry: ProcEntry | null | undefined, identity: ProcessIdentity): entry is ProcEntry {
  return entry != null && entry.startTime === identity.startTime && !isDeadState(entry.stateCode);
}

/** A zombie or dead process counts as gone: it can no longer do anything. */
export function isDeadState(stateCode: string): boolean {
  return stateCode === 'Z' || stateCode === 'X' || stateCode === 'x';
}

/** psutil's status names. */
export function statusName(stateCode: string): string {
  switch (stateCode) {
    case 'R':
      return 'running';
    case 'S':
      return 'sleeping';
    case 'D':
      return 'disk-sleep';
    case 'T':
      return 'stopped';
    case 't':
      return 'tracing-stop';
    case 'Z':
      return 'zombie';
    case 'X':
    case 'x':
      return 'dead';
    case 'I':
      return 'idle';
    case 'W':
      return 'waking';
    case 'P':
      return 'parked';
    default:
      return 'unknown';
  }
}

/** Where an agent's tree is anchored. */
export interface TreeAnchor {
  /** The agent's root process, while it is known. */
  root: ProcessIdentity | null;
  /** The session/process-group id the agent leads (its root pid). */
  sessionId: number | null;
  /** Processes seen in the tree on earlier ticks: they stay the agent's after their parent dies. */
  knownMembers: Iterable<ProcessIdentity>;
  /** The agent's cgroup (kernel containment): every process listed in it is a member, whatever its session or environment. */
  cgroup?: AgentCgroup | null;
}

/**
 * Every live process of one agent: its root, the root's session (which holds
 * its process group), known members from earlier ticks, the members of its
 * cgroup when it has one, and all descendants of those by the ppid walk (which
 * also brings the zombies a cgroup no longer lists). Root first when alive.
 * The one membership function: the tick, the stop and the orphan view use it.
 *
 * Session membership is safe against pid reuse while a verified member is in
 * the session: Linux never hands out a pid still in use as a session or group id.
 */
export function collectTree(table: ProcessTable, anchor: TreeAnchor): ProcEntry[] {
  const found = new Map<number, ProcEntry>();
  const queue: ProcEntry[] = [];
  const add = (entry: ProcEntry | null | undefined): void => {
    if (!entry || found.has(entry.pid)) return;
    found.set(entry.pid, entry);
    queue.push(entry);
  };

  if (anchor.root) add(findIdentity(table, anchor.root));
  for (const member of anchor.knownMembers) add(findIdentity(table, member));
  // The kernel's list, read now (a few microseconds, from kernel memory): what the snapshot holds
  // of it. A process forked after the snapshot is found by the next look, as any other.
  if (anchor.cgroup) for (const pid of anchor.cgroup.pids()) add(table.byPid.get(pid));
  // The session counts only while a verified member is still in it: once all are
  // gone, the kernel may hand its number to an unrelated process (even another agent).
  const sessionId = anchor.sessionId;
  if (sessionId !== null && queue.some((entry) => entry.sid === sessionId || entry.pgid === sessionId)) {
    for (const entry of table.membersOf.get(sessionId) ?? []) add(entry);
  }
  for (let i = 0; i < queue.length; i++) {
    const children = table.childrenOf.get(queue[i]!.pid);
    if (children) for (const child of children) add(child);
  }
  return [...found.values()];
}
