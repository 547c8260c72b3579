/**
 * The two streams read back in the order they were written: the tail records
 * when it saw each part (stdout.idx / stderr.idx beside the logs) and readLog
 * hands those marks out with every slice. A real process writes alternately to
 * stdout and stderr; the slices are merged by their marks, as the UI does.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogIndexWriter, MAX_INDEX_BYTES, readSeenMarks } from '../../../src-main/supervisor/logs/log-index';
import type { LogSlice, Supervisor } from '../../../src-main/supervisor/index';
import { idPrefix, request, tempDir, useSupervisor } from '../../helpers/agents';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('logorder');
/**
 * The order is kept to the tail's time resolution: a look of the tail that finds both streams grown
 * cannot tell which was written first. So the writes are spaced well beyond the longest event-loop
 * stall a loaded 2-core CI machine shows (a spawn burst starved the first look ~250 ms at load 15),
 * and the first one waits for the burst to pass.
 */
const GAP = 'sleep 0.3';
const ALTERNATING = `sleep 0.5; for i in 1 2 3 4 5; do echo out$i; ${GAP}; echo err$i >&2; ${GAP}; done`;

interface TimedLine {
  text: string;
  at: number;
}

/** Lines of a slice, each with the time of the mark at or before its first byte. */
function timedLines(slice: LogSlice): TimedLine[] {
  const text = Buffer.from(slice.data).toString('utf8');
  const lines: TimedLine[] = [];
  let offset = slice.offset;
  for (const line of text.split('\n').slice(0, -1)) {
    const mark = [...slice.seen].reverse().find((one) => one.offset <= offset);
    lines.push({ text: line, at: mark?.at ?? Number.NaN });
    offset += Buffer.byteLength(line) + 1;
  }
  return lines;
}

/** Every byte of a stream, paged back from the end in `pageBytes` slices (what "Load older" does). */
async function readAllPaged(supervisor: Supervisor, agentId: string, stream: 'stdout' | 'stderr', pageBytes: number): Promise<LogSlice> {
  const pages: LogSlice[] = [];
  let before: number | undefined;
  for (;;) {
    const slice = await supervisor.readLog(agentId, stream, { maxBytes: pageBytes, ...(before === undefined ? {} : { before }) });
    if (slice.data.length === 0) break;
    pages.unshift(slice);
    before = slice.offset;
    if (before === 0) break;
  }
  const data = Buffer.concat(pages.map((page) => Buffer.from(page.data)));
  return { agentId, stream, offset: pages[0]?.offset ?? 0, data, size: pages.at(-1)?.size ?? 0, seen: pages.flatMap((page) => page.seen) };
}

function merged(stdout: LogSlice, stderr: LogSlice): string[] {
  const all = [...timedLines(stdout), ...timedLines(stderr)];
  for (const line of all) expect(Number.isFinite(line.at), `a time for "${line.text}"`).toBe(true);
  return all.sort((a, b) => a.at - b.at).map((line) => line.text);
}

const INTERLEAVED = ['out1', 'err1', 'out2', 'err2', 'out3', 'err3', 'out4', 'err4', 'out5', 'err5'];

async function runAlternating(supervisor: Supervisor, script = ALTERNATING): Promise<{ agentId: string; logDir: string }> {
  const { agentId } = await supervisor.spawnAgent(request(prefix, ['/bin/sh', '-c', script]));
  await waitFor(async () => !['starting', 'running'].includes((await supervisor.getAgentStatus(agentId)).state), { what: 'the agent to end', timeoutMs: 15_000 });
  const { logDir } = await supervisor.getAgentStatus(agentId);
  return { agentId, logDir };
}

describe('log order across streams', () => {
  it('stdout and stderr written alternately read back, merged by their marks, in the order written', async () => {
    const supervisor = await useSupervisor(prefix, { logPollMs: 20 });
    const { agentId, logDir } = await runAlternating(supervisor);
    expect(existsSync(path.join(logDir, 'stdout.idx'))).toBe(true);
    const stdout = await supervisor.readLog(agentId, 'stdout', { maxBytes: 4096 });
    const stderr = await supervisor.readLog(agentId, 'stderr', { maxBytes: 4096 });
    expect(merged(stdout, stderr).filter((line) => /^(out|err)\d$/.test(line))).toEqual(INTERLEAVED);
  });

  it('after rotation the order holds across the rotated files, paged back a little at a time', async () => {
    const supervisor = await useSupervisor(prefix, { logPollMs: 20, logMaxBytes: 40, logMaxFiles: 20 });
    // Each line is long enough that the live files rotate several times during the run.
    const script = `sleep 0.5; for i in 1 2 3 4 5; do echo out$i-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; ${GAP}; echo err$i-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb >&2; ${GAP}; done`;
    const { agentId, logDir } = await runAlternating(supervisor, script);
    await waitFor(() => existsSync(path.join(logDir, 'stdout.log.1')) && existsSync(path.join(logDir, 'stderr.log.1')), { what: 'rotated files' });
    const stdout = await readAllPaged(supervisor, agentId, 'stdout', 17);
    const stderr = await readAllPaged(supervisor, agentId, 'stderr', 17);
    const order = merged(stdout, stderr)
      .filter((line) => /^(out|err)\d-/.test(line))
      .map((line) => line.slice(0, 4));
    expect(order).toEqual(INTERLEAVED);
  });

  it('a symbolic link planted at the index name is not followed: it is replaced by the index, its target untouched', async () => {
    const supervisor = await useSupervisor(prefix, { logPollMs: 20 });
    const dataDir = tempDir();
    const target = path.join(dataDir, 'users-file');
    writeFileSync(target, 'precious\n');
    const req = request(prefix, ['/bin/sh', '-c', ALTERNATING]);
    const logDir = path.join(supervisor.dataDir, 'agents', req.agentId);
    mkdirSync(logDir, { recursive: true, mode: 0o700 });
    symlinkSync(target, path.join(logDir, 'stdout.idx'));
    await supervisor.spawnAgent(req);
    await waitFor(async () => !['starting', 'running'].includes((await supervisor.getAgentStatus(req.agentId)).state), { what: 'the agent to end', timeoutMs: 15_000 });
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(lstatSync(path.join(logDir, 'stdout.idx')).isSymbolicLink()).toBe(false);
    const stdout = await supervisor.readLog(req.agentId, 'stdout', { maxBytes: 4096 });
    const stderr = await supervisor.readLog(req.agentId, 'stderr', { maxBytes: 4096 });
    expect(merged(stdout, stderr).filter((line) => /^(out|err)\d$/.test(line))).toEqual(INTERLEAVED);
  });

  it('a link planted at the index is never read through: the slice comes without marks', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'elsewhere.idx');
    const writer = new LogIndexWriter(target);
    writer.append(0, 1000, 0);
    writer.close();
    symlinkSync(target, path.join(dir, 'stdout.idx'));
    expect(readSeenMarks(target, 0, 10)).toEqual([{ offset: 0, at: 1000 }]);
    expect(readSeenMarks(path.join(dir, 'stdout.idx'), 0, 10)).toEqual([]);
  });

  it('the index stays within its cap: records of rotated-out bytes go first, then older ones get coarser', () => {
    const dir = tempDir();
    const file = path.join(dir, 'stdout.idx');
    const writer = new LogIndexWriter(file);
    const records = (MAX_INDEX_BYTES / 16) * 2;
    for (let i = 0; i < records; i++) expect(writer.append(i * 10, 1_000 + i, i < records / 2 ? 0 : 100_000)).toBeNull();
    writer.close();
    expect(lstatSync(file).size).toBeLessThanOrEqual(MAX_INDEX_BYTES);
    // The newest records are all still there, exact.
    const last = readSeenMarks(file, (records - 10) * 10, records * 10);
    expect(last.map((mark) => mark.at)).toEqual(Array.from({ length: 10 }, (_, i) => 1_000 + records - 10 + i));
    // Records of bytes rotated out (before 100 000) are gone but the one covering the oldest retained byte.
    const oldest = readSeenMarks(file, 0, 100_001);
    expect(oldest).toHaveLength(1);
    expect(oldest[0]!.offset).toBeLessThanOrEqual(100_000);
    expect(existsSync(`${file}.compact`)).toBe(false);
  });
});
