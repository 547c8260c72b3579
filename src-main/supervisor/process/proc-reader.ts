/**
 * Linux process reader: one pass over /proc per snapshot, in a worker thread
 * (proc-scan-worker.ts), or only the agents' own processes and their children
 * (`readTrees`: an agent's cgroup, or the members it is known by).
 * Measured cheaper than pidusage (see `npm run bench`), reports state and
 * threads, and keys CPU history by pid + start time so a recycled pid never
 * inherits another process's figures.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { CpuTracker } from './cpu-tracker';
import { isUnder } from './data-dir-scope';
import { HeldFiles, readOnce, type FileOwner } from './held-files';
import { ProcScanWorker, type ProcScan } from './proc-scan-worker';
import { quoteForDisplay } from './quote';
import { parseChildren, ThreadChildren } from './thread-children';
import {
  buildTable,
  identityKey,
  isDeadState,
  type AgentEnvironment,
  type MarkerMemo,
  type ProcEntry,
  type ProcessIdentity,
  type ProcessReader,
  type ProcessTable,
  type ProcessUsage,
} from './process-table';

const MARKER = Buffer.from('CORRAL_AGENT_ID=');
const STATUS_FILE_MARKER = Buffer.from('CORRAL_STATUS_FILE=');
/** The owner of the held /proc/uptime among the trees' files (every other owner is a pid). */
const UPTIME = 'uptime';
/** Trees `readTrees` reads before it lets the event loop run (≈ 1–2 ms of reads for trees of a few processes). */
const TREES_PER_SLICE = 20;

/** Per-process /proc files (stat, children) read so far by this module: how the tests prove what a tick touches. */
let processFilesRead = 0;

/** How many per-process /proc files this module has read since it loaded (a full snapshot reads one per process on the machine). */
export function procFilesRead(): number {
  return processFilesRead;
}

export function createProcReader(): ProcessReader {
  const clockTicksPerSecond = readConf('CLK_TCK', 100);
  const pageSizeBytes = readConf('PAGESIZE', 4096);
  // Boot time from /proc/uptime (10 ms resolution), not /proc/stat's btime (whole
  // seconds: up to a second of error, which skews every young process's CPU %).
  let bootTimeMs = readBootTimeMs();
  const cpu = new CpuTracker();

  const parse = (pid: number, text: string): ProcEntry | null => {
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    if (open < 0 || close < open) return null;
    // Fields after the command name; index i holds field i + 3 of proc(5).
    const f = text.slice(close + 2).split(' ');
    if (f.length < 22) return null;
    const startTicks = Number(f[19]);
    return {
      pid,
      ppid: Number(f[1]),
      pgid: Number(f[2]),
      sid: Number(f[3]),
      stateCode: f[0]!,
      startTime: f[19]!,
      startedAtMs: bootTimeMs === null ? null : bootTimeMs + (startTicks * 1000) / clockTicksPerSecond,
      cpuTimeMs: ((Number(f[11]) + Number(f[12])) * 1000) / clockTicksPerSecond,
      rssBytes: Number(f[21]) * pageSizeBytes,
      numThreads: Number(f[17]),
      name: text.slice(open + 1, close),
    };
  };

  const readOne = (pid: number): ProcEntry | null => {
    // Gone between listing and reading, or not ours to read: either way, not in the table.
    processFilesRead++;
    const stat = readProcFile(`/proc/${pid}/stat`);
    return stat === null ? null : parse(pid, stat.toString('latin1'));
  };
  // The trees' files (each member's stat and children list, and /proc/uptime), held open from tick to
  // tick: a tick opens only the files of processes new to the trees. A full snapshot opens its own, once.
  const treeFiles = new HeldFiles();
  const threadChildren = new ThreadChildren((path, owner) => {
    processFilesRead++;
    return treeFiles.read(path, owner);
  });
  const readMember = (pid: number): ProcEntry | null => {
    processFilesRead++;
    const stat = treeFiles.read(`/proc/${pid}/stat`, pid);
    return stat === null ? null : parse(pid, stat.toString('latin1'));
  };

  const scans = new ProcScanWorker();

  const reader: ProcessReader = {
    kind: 'proc',
    async snapshot() {
      bootTimeMs = readBootTimeMs() ?? bootTimeMs;
      // A worker that cannot start or fails leaves the scan to the main thread, as it was before the worker.
      const scan = await scans.scan().catch((): ProcScan | null => null);
      if (scan === null) return buildTable(scanHere(readOne), Date.now());
      processFilesRead += scan.files;
      const entries: ProcEntry[] = [];
      for (const text of scan.stats) {
        const entry = parse(Number.parseInt(text, 10), text);
        if (entry) entries.push(entry);
      }
      return buildTable(entries, scan.atMs);
    },
    async usage(table: ProcessTable, pids: readonly number[]) {
      const result = new Map<number, ProcessUsage>();
      for (const pid of pids) {
        const entry = table.byPid.get(pid);
        if (!entry) continue;
        result.set(pid, {
          cpuPercent: cpu.percent(entry, table.takenAtMs),
          rssBytes: entry.rssBytes,
          numThreads: entry.numThreads,
        });
      }
      cpu.forgetMissing(table);
      return result;
    },
    async read(pid: number) {
      return readOne(pid);
    },
    async agentMarkers(table: ProcessTable, skip: ReadonlySet<number>, dataDir: string, memo?: MarkerMemo) {
      const markers = new Map<number, string>();
      for (const entry of table.byPid.values()) {
        if (skip.has(entry.pid)) continue;
        const key = memo ? identityKey(entry) : '';
        let agentId = memo?.get(key);
        if (agentId === undefined) {
          const read = readAgentEnvironment(entry.pid);
          // Another Corral's agent may carry the same id: only ours (status file under our data dir) count.
          agentId = read === 'unknown' ? null : read !== null && isUnder(read.statusFile, dataDir) ? read.agentId : null;
          if (read !== 'unknown') memo?.set(key, agentId);
        }
        if (agentId !== null) markers.set(entry.pid, agentId);
      }
      return markers;
    },
    async commandLines(pids: readonly number[]) {
      const lines = new Map<number, string>();
      for (const pid of pids) {
        const line = readCommandLine(pid);
        if (line !== null) lines.set(pid, line);
      }
      return lines;
    },
    close() {
      cpu.clear();
      treeFiles.close();
      scans.close();
    },
  };
  // The kernel's children lists (CONFIG_PROC_CHILDREN, on in the usual distribution kernels): without them a
  // zombie, which no cgroup lists, could only be found in a full snapshot, so every tick takes one.
  if (existsSync(`/proc/self/task/${process.pid}/children`)) {
    reader.readTrees = async (seeds) => {
      bootTimeMs = readBootTimeMs(treeFiles.read('/proc/uptime', UPTIME)) ?? bootTimeMs;
      const trees: ProcEntry[][] = [];
      const threadOwners = new Set<FileOwner>();
      for (const { pids, identities, unchanged, everyThread } of seeds) {
        if (unchanged) {
          trees.push([...unchanged]);
          continue;
        }
        // A hundred trees read in one go hold the event loop for the whole tick: other work gets a turn between slices.
        if (trees.length > 0 && trees.length % TREES_PER_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
        const children = everyThread ? (entry: ProcEntry) => threadChildren.of(entry, threadOwners) : (entry: ProcEntry) => readChildren(treeFiles, entry.pid);
        trees.push(readTree(readMember, children, pids, identities));
      }
      // A process in no tree now has left them (ended, reaped, or its agent no longer sampled): its files
      // go. With no tree left at all, everything goes.
      const kept = new Set<FileOwner>(trees.flatMap((tree) => tree.map((entry) => entry.pid)));
      threadChildren.keepOnly(kept);
      if (kept.size > 0) for (const owner of [UPTIME, ...threadOwners]) kept.add(owner);
      treeFiles.keepOnly(kept);
      return trees;
    };
  }
  return reader;
}

/** Every process's entry, read on the main thread (where the scan worker cannot run). */
function scanHere(readOne: (pid: number) => ProcEntry | null): ProcEntry[] {
  const entries: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    const code = name.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const entry = readOne(Number(name));
    if (entry) entries.push(entry);
  }
  return entries;
}

/**
 * `identities` (while each is still the process it names), then `pids` as they are, then every child
 * (as `readChildren` lists them) of each live one read so far, until none is new.
 */
function readTree(
  readOne: (pid: number) => ProcEntry | null,
  readChildren: (entry: ProcEntry) => number[],
  pids: readonly number[],
  identities: readonly ProcessIdentity[],
): ProcEntry[] {
  const found = new Map<number, ProcEntry>();
  const queue: ProcEntry[] = [];
  const add = (entry: ProcEntry | null): void => {
    if (entry === null || found.has(entry.pid)) return;
    found.set(entry.pid, entry);
    queue.push(entry);
  };
  for (const identity of identities) {
    if (found.has(identity.pid)) continue;
    const entry = readOne(identity.pid);
    if (entry?.startTime === identity.startTime) add(entry);
  }
  for (const pid of pids) if (!found.has(pid)) add(readOne(pid));
  for (let i = 0; i < queue.length; i++) {
    const entry = queue[i]!;
    if (isDeadState(entry.stateCode)) continue; // an ended process's children went to a reaper
    for (const child of readChildren(entry)) if (!found.has(child)) add(readOne(child));
  }
  return [...found.values()];
}

/**
 * The children of `pid`'s main thread, zombies included (the kernel's list, not a walk of /proc). A
 * cgroup lists its live members itself: a child forked by another thread is missed here only once
 * it is a zombie, and the next full snapshot finds it.
 */
function readChildren(files: HeldFiles, pid: number): number[] {
  processFilesRead++;
  return parseChildren(files.read(`/proc/${pid}/task/${pid}/children`, pid));
}

/** Bytes of /proc/<pid>/cmdline kept for display; a 1 MB argv is not shown whole. */
const MAX_COMMAND_LINE_BYTES = 4096;

function readCommandLine(pid: number): string | null {
  let raw: Buffer;
  try {
    raw = readFileSync(`/proc/${pid}/cmdline`);
  } catch {
    return null;
  }
  const args = raw.subarray(0, MAX_COMMAND_LINE_BYTES).toString('utf8').split('\0');
  if (args.at(-1) === '') args.pop();
  return args.length === 0 ? null : args.map(quoteForDisplay).join(' ') + (raw.length > MAX_COMMAND_LINE_BYTES ? ' …' : '');
}

/**
 * The markers in a process's environment; null when it has none or cannot be read (another user's, or
 * gone). `unknown` when the environment reads empty: a kernel thread, a zombie, or a process caught
 * inside an exec, whose next read may well show the marker, so it is not remembered.
 */
function readAgentEnvironment(pid: number): AgentEnvironment | null | 'unknown' {
  const environ = readEnviron(pid);
  if (environ !== null && environ.length === 0) return 'unknown';
  const agentId = environ === null ? null : variable(environ, MARKER);
  return agentId === null ? null : { agentId, statusFile: variable(environ!, STATUS_FILE_MARKER) };
}

function readEnviron(pid: number): Buffer | null {
  const environ = readProcFile(`/proc/${pid}/environ`); // null: another user's process, or gone
  return environ === null ? null : Buffer.from(environ);
}

/**
 * The whole of a /proc (or cgroup) file, as a view of a scratch buffer valid until the next read; null
 * when it cannot be read. A few times cheaper than `readFileSync`, which stats and re-reads files that
 * report size 0: it is what a stop's re-scans and every full snapshot spend their time on.
 */
export function readProcFile(path: string): Buffer | null {
  return readOnce(path);
}

/** The value of `NAME=` (given with its `=`) in a NUL-separated environment block. */
function variable(environ: Buffer, prefix: Buffer): string | null {
  let at = environ.indexOf(prefix);
  // The marker must start an entry, not sit inside another variable's value.
  while (at > 0 && environ[at - 1] !== 0) at = environ.indexOf(prefix, at + 1);
  if (at < 0) return null;
  const start = at + prefix.length;
  const end = environ.indexOf(0, start);
  return environ.toString('utf8', start, end < 0 ? environ.length : end);
}

function readConf(name: string, fallback: number): number {
  try {
    const value = Number(execFileSync('getconf', [name], { encoding: 'utf8', timeout: 2000 }).trim());
    return Number.isFinite(value) && value > 0 ? value : fallback;
  } catch {
    return fallback;
  }
}

/** Boot time from `/proc/uptime`'s text (read here when not given). */
function readBootTimeMs(uptime: Buffer | null = readOnce('/proc/uptime')): number | null {
  const uptimeSeconds = uptime === null ? NaN : Number.parseFloat(uptime.toString('latin1'));
  return Number.isFinite(uptimeSeconds) ? Date.now() - uptimeSeconds * 1000 : null;
}
