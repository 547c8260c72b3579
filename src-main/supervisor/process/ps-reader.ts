/**
 * Portable process readers for where /proc is not available: `ps` for the
 * table's structure and pidusage for CPU time and memory (macOS, BSDs), and
 * pidusage alone on Windows, where only the agents' root processes are seen.
 * Linux uses `proc-reader.ts`; `npm run bench` compares the two there.
 *
 * CPU % comes from pidusage's cumulative CPU time through our own tracker,
 * keyed by pid + start time: pidusage's own percentage is 0 on a first reading
 * and keyed by pid alone.
 */
import { execFile } from 'node:child_process';
import pidusage from 'pidusage';
import { CpuTracker } from './cpu-tracker';
import { buildTable, type ProcEntry, type ProcessReader, type ProcessTable, type ProcessUsage } from './process-table';

interface PidusageStat {
  memory: number;
  ppid: number;
  pid: number;
  /** CPU time consumed, ms. */
  ctime: number;
  elapsed: number;
  timestamp: number;
}

export function createPsReader(): ProcessReader {
  const cpu = new CpuTracker();
  const readBatched = batchReads(async (pids) => parsePs(await runPs(['-p', pids.join(',')]).catch(() => '')));
  return {
    kind: 'ps+pidusage',
    async snapshot() {
      const takenAtMs = Date.now();
      return buildTable(parsePs(await runPs(['-A'])), takenAtMs);
    },
    usage: (table, pids) => usageFromPidusage(table, pids, cpu),
    read: readBatched,
    async agentMarkers() {
      return new Map<number, string>();
    },
    commandLines: psCommandLines,
    close() {
      cpu.clear();
      pidusage.clear();
    },
  };
}

export function createPidusageReader(): ProcessReader {
  const cpu = new CpuTracker();
  const statToEntry = (stat: PidusageStat): ProcEntry => ({
    pid: stat.pid,
    ppid: stat.ppid,
    pgid: stat.pid,
    sid: stat.pid,
    stateCode: 'R',
    startTime: String(Math.round((stat.timestamp - stat.elapsed) / 1000)),
    startedAtMs: stat.timestamp - stat.elapsed,
    cpuTimeMs: stat.ctime,
    rssBytes: stat.memory,
    numThreads: null,
    name: '',
  });
  return {
    kind: 'pidusage',
    async snapshot(hintPids: readonly number[] = []) {
      const stats = await statsOf(hintPids);
      return buildTable([...stats.values()].map(statToEntry), Date.now());
    },
    usage: (table, pids) => usageFromPidusage(table, pids, cpu),
    read: batchReads(async (pids) => [...(await statsOf(pids)).values()].map(statToEntry)),
    async agentMarkers() {
      return new Map<number, string>();
    },
    async commandLines() {
      return new Map<number, string>(); // pidusage does not read command lines
    },
    close() {
      cpu.clear();
      pidusage.clear();
    },
  };
}

async function usageFromPidusage(table: ProcessTable, pids: readonly number[], cpu: CpuTracker): Promise<Map<number, ProcessUsage>> {
  const stats = await statsOf(pids.filter((pid) => table.byPid.has(pid)));
  const result = new Map<number, ProcessUsage>();
  for (const [pid, stat] of stats) {
    const entry = table.byPid.get(pid)!;
    // pidusage's elapsed time is finer than ps's lstart (whole seconds), which would skew a young process's first reading.
    const measured: ProcEntry = { ...entry, cpuTimeMs: stat.ctime, startedAtMs: stat.timestamp - stat.elapsed };
    result.set(pid, { cpuPercent: cpu.percent(measured, stat.timestamp), rssBytes: stat.memory, numThreads: null });
  }
  cpu.forgetMissing(table);
  return result;
}

/**
 * Single-process reads arriving in the same turn share one lookup: a stop of
 * 100 agents polls with one `ps`, not 100.
 */
function batchReads(lookup: (pids: number[]) => Promise<ProcEntry[]>): (pid: number) => Promise<ProcEntry | null> {
  let pending: Map<number, ((entry: ProcEntry | null) => void)[]> | null = null;
  const flush = async (batch: Map<number, ((entry: ProcEntry | null) => void)[]>) => {
    const entries = await lookup([...batch.keys()]).catch(() => [] as ProcEntry[]);
    const byPid = new Map(entries.map((entry) => [entry.pid, entry]));
    for (const [pid, waiters] of batch) for (const resolve of waiters) resolve(byPid.get(pid) ?? null);
  };
  return (pid) =>
    new Promise((resolve) => {
      if (!pending) {
        const batch = (pending = new Map());
        setImmediate(() => {
          pending = null;
          void flush(batch);
        });
      }
      const waiters = pending.get(pid) ?? [];
      waiters.push(resolve);
      pending.set(pid, waiters);
    });
}

/** pidusage rejects a whole batch when one pid is gone; retry one by one so the rest still count. */
async function statsOf(pids: readonly number[]): Promise<Map<number, PidusageStat>> {
  const result = new Map<number, PidusageStat>();
  if (pids.length === 0) return result;
  try {
    const batch = (await pidusage([...pids])) as unknown as Record<string, PidusageStat>;
    for (const [pid, stat] of Object.entries(batch)) if (stat) result.set(Number(pid), stat);
    return result;
  } catch {
    const settled = await Promise.allSettled(pids.map((pid) => pidusage(pid)));
    settled.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') result.set(pids[i]!, outcome.value as unknown as PidusageStat);
    });
    return result;
  }
}

async function psCommandLines(pids: readonly number[]): Promise<Map<number, string>> {
  const lines = new Map<number, string>();
  if (pids.length === 0) return lines;
  const output = await runPs(['-p', pids.join(',')], 'pid=,args=').catch(() => '');
  for (const line of output.split('\n')) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (match) lines.set(Number(match[1]), match[2]!);
  }
  return lines;
}

function runPs(selection: string[], columns = 'pid=,ppid=,pgid=,stat=,lstart=,comm='): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'ps',
      [...selection, '-o', columns],
      { env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => (error && !stdout ? reject(error) : resolve(stdout)),
    );
  });
}

/** Lines of `pid ppid pgid stat <lstart: 5 words> comm`. */
function parsePs(output: string): ProcEntry[] {
  const entries: ProcEntry[] = [];
  for (const line of output.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length < 10) continue;
    const [pid, ppid, pgid] = words.slice(0, 3).map(Number);
    const lstart = words.slice(4, 9).join(' ');
    const startedAtMs = Date.parse(lstart);
    entries.push({
      pid: pid!,
      ppid: ppid!,
      pgid: pgid!,
      sid: pgid!,
      stateCode: words[3]!.charAt(0),
      startTime: lstart,
      startedAtMs: Number.isNaN(startedAtMs) ? null : startedAtMs,
      cpuTimeMs: null,
      rssBytes: null,
      numThreads: null,
      name: words.slice(9).join(' '),
    });
  }
  return entries;
}
