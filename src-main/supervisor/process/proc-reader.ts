/**
 * Linux process reader: one synchronous pass over /proc per snapshot.
 * Measured cheaper than pidusage (see `npm run bench`), reports state and
 * threads, and keys CPU history by pid + start time so a recycled pid never
 * inherits another process's figures.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { CpuTracker } from './cpu-tracker';
import { isUnder } from './data-dir-scope';
import { quoteForDisplay } from './quote';
import {
  buildTable,
  identityKey,
  type AgentEnvironment,
  type MarkerMemo,
  type ProcEntry,
  type ProcessReader,
  type ProcessTable,
  type ProcessUsage,
} from './process-table';

const MARKER = Buffer.from('CORRAL_AGENT_ID=');
const STATUS_FILE_MARKER = Buffer.from('CORRAL_STATUS_FILE=');

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
    const stat = readProcFile(`/proc/${pid}/stat`);
    return stat === null ? null : parse(pid, stat.toString('latin1'));
  };

  return {
    kind: 'proc',
    async snapshot() {
      bootTimeMs = readBootTimeMs() ?? bootTimeMs;
      const entries: ProcEntry[] = [];
      for (const name of readdirSync('/proc')) {
        const code = name.charCodeAt(0);
        if (code < 48 || code > 57) continue;
        const entry = readOne(Number(name));
        if (entry) entries.push(entry);
      }
      return buildTable(entries, Date.now());
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
    },
  };
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

/** One scratch buffer for every /proc read (all synchronous): grown when a file does not fit. */
let scratch = Buffer.allocUnsafe(16 * 1024);

/**
 * The whole of a /proc file, as a view of the scratch buffer valid until the next read; null when it
 * cannot be read. A few times cheaper than `readFileSync`, which stats and re-reads files that report
 * size 0: it is what a stop's re-scans and every sampling tick spend their time on.
 */
function readProcFile(path: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    let length = 0;
    for (;;) {
      const read = readSync(fd, scratch, length, scratch.length - length, null);
      if (read === 0) return scratch.subarray(0, length);
      length += read;
      if (length === scratch.length) {
        const grown = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(grown, 0, 0, length);
        scratch = grown;
      }
    }
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
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

function readBootTimeMs(): number | null {
  try {
    const uptimeSeconds = Number.parseFloat(readFileSync('/proc/uptime', 'latin1'));
    return Number.isFinite(uptimeSeconds) ? Date.now() - uptimeSeconds * 1000 : null;
  } catch {
    return null;
  }
}
