/**
 * Hostile output from real agents (test/fixtures/hostile-output.mjs): floods,
 * one enormous line, binary and malformed UTF-8, terminal escapes; and log
 * rotation under a flood, on a full disk, and with a file cut by someone else.
 * Expected content is recomputed here from test/fixtures/patterns.mjs.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, truncateSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogEvent, Supervisor } from '../../../src-main/supervisor/index';
import { ESCAPES, FLOOD_BLOCK_BYTES, fillFloodBlock, hostileBytes, LINE_BYTES, longLine, numberedLine } from '../../fixtures/patterns.mjs';
import { fixture, idPrefix, NODE, request, useSupervisor, waitForLog } from '../../helpers/agents';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('hostile-out');
const MiB = 1024 * 1024;
const AGENT = fixture('hostile-output.mjs');
/** The full 1 GiB: written, tailed and hashed twice in ~4–5 s on 2 cores. */
const FLOOD_BYTES = 1024 * MiB;

function agent(...args: string[]) {
  return request(prefix, [NODE, AGENT, ...args]);
}

/** Every `log` event of one agent's stream, in arrival order. */
function recordEvents(supervisor: Supervisor, agentId: string, stream: LogEvent['stream'] = 'stdout'): LogEvent[] {
  const events: LogEvent[] = [];
  supervisor.on('log', (event) => {
    if (event.agentId === agentId && event.stream === stream) events.push(event);
  });
  return events;
}

function endOf(events: readonly LogEvent[]): number {
  const last = events[events.length - 1];
  return last ? last.offset + last.data.length : 0;
}

function expectContiguous(events: readonly LogEvent[], from = 0): void {
  let next = from;
  for (const event of events) {
    expect(event.offset).toBe(next);
    next += event.data.length;
  }
}

function sha256OfFile(file: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(4 * MiB);
  const fd = openSync(file, 'r');
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function floodSha256(bytes: number): string {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(FLOOD_BLOCK_BYTES);
  for (let i = 0; i < bytes / FLOOD_BLOCK_BYTES; i++) {
    fillFloodBlock(buffer, 0, i);
    hash.update(buffer);
  }
  return hash.digest('hex');
}

async function ended(supervisor: Supervisor, agentId: string): Promise<void> {
  await waitFor(async () => (await supervisor.getAgentStatus(agentId)).state === 'completed', { timeoutMs: 60_000, what: `${agentId} to complete` });
}

describe('hostile output', () => {
  it(`keeps a ${FLOOD_BYTES / MiB} MiB flood byte for byte while a log listener reads all of it, with bounded RSS`, async () => {
    const supervisor = await useSupervisor(prefix, { logMaxBytes: 2 * 1024 * MiB });
    const req = agent('flood', String(FLOOD_BYTES));
    const hash = createHash('sha256');
    let next = 0;
    let isContiguous = true;
    let largestChunk = 0;
    supervisor.on('log', (event) => {
      if (event.agentId !== req.agentId || event.stream !== 'stdout') return;
      if (event.offset !== next) isContiguous = false;
      next = event.offset + event.data.length;
      largestChunk = Math.max(largestChunk, event.data.length);
      hash.update(event.data);
    });
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
    const started = performance.now();
    try {
      expect((await supervisor.spawnAgent(req)).status).toBe('running');
      await ended(supervisor, req.agentId);
      await waitFor(() => next === FLOOD_BYTES, { timeoutMs: 60_000, what: 'the tail to read the whole flood' });
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - started) / 1000;
    const growthMb = (rssPeak - rssBefore) / MiB;
    const file = path.join((await supervisor.getAgentStatus(req.agentId)).logDir, 'stdout.log');
    const expected = floodSha256(FLOOD_BYTES);
    console.log(`flood ${FLOOD_BYTES / MiB} MiB: written and tailed in ${seconds.toFixed(1)} s (${(FLOOD_BYTES / MiB / seconds).toFixed(0)} MiB/s); RSS ${(rssBefore / MiB).toFixed(0)} MB before, peak growth ${growthMb.toFixed(1)} MB`);
    expect(statSync(file).size).toBe(FLOOD_BYTES);
    expect(sha256OfFile(file)).toBe(expected);
    expect(isContiguous).toBe(true);
    expect(largestChunk).toBeLessThanOrEqual(64 * 1024);
    expect(hash.digest('hex')).toBe(expected);
    expect(growthMb).toBeLessThan(150);
  });

  it('keeps one 50 MiB line without a newline whole, handed out in contiguous events of at most 64 KiB', async () => {
    const supervisor = await useSupervisor(prefix);
    const bytes = 50 * MiB;
    const req = agent('line', String(bytes));
    const events = recordEvents(supervisor, req.agentId);
    await supervisor.spawnAgent(req);
    await ended(supervisor, req.agentId);
    await waitFor(() => endOf(events) === bytes, { timeoutMs: 20_000, what: 'every byte of the line as events' });
    const expected = longLine(bytes);
    const file = path.join((await supervisor.getAgentStatus(req.agentId)).logDir, 'stdout.log');
    expect(readFileSync(file).equals(expected)).toBe(true);
    expectContiguous(events);
    for (const event of events) {
      expect(event.data.length).toBeLessThanOrEqual(64 * 1024);
      expect(Buffer.from(event.data).equals(expected.subarray(event.offset, event.offset + event.data.length))).toBe(true);
    }
  });

  it('stores every byte value and malformed UTF-8 exactly, and events carry them unchanged', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = agent('bytes');
    const events = recordEvents(supervisor, req.agentId);
    await supervisor.spawnAgent(req);
    const expected = hostileBytes();
    await ended(supervisor, req.agentId);
    await waitFor(() => endOf(events) === expected.length, { what: 'the bytes as events' });
    const { logDir } = await supervisor.getAgentStatus(req.agentId);
    expect(readFileSync(path.join(logDir, 'stdout.log')).equals(expected)).toBe(true);
    expectContiguous(events);
    expect(Buffer.concat(events.map((event) => event.data)).equals(expected)).toBe(true);
    const slice = await supervisor.readLog(req.agentId, 'stdout', { maxBytes: 1 * MiB });
    expect(Buffer.from(slice.data).equals(expected)).toBe(true);
  });

  it('stores terminal escapes (titles, clear screen, OSC 8 links, OSC 52 clipboard) verbatim', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = agent('escapes');
    const events = recordEvents(supervisor, req.agentId);
    await supervisor.spawnAgent(req);
    const expected = Buffer.from(ESCAPES, 'utf8');
    await ended(supervisor, req.agentId);
    await waitFor(() => endOf(events) === expected.length, { what: 'the escapes as events' });
    const { logDir } = await supervisor.getAgentStatus(req.agentId);
    expect(readFileSync(path.join(logDir, 'stdout.log')).equals(expected)).toBe(true);
    expect(Buffer.concat(events.map((event) => event.data)).equals(expected)).toBe(true);
  });
});

describe('log rotation', () => {
  it('under a flood: the live file stays near the limit, two rotated files at most, offsets stay monotonic, readLog pages across rotations, losses are noted', async () => {
    const limit = 1 * MiB;
    const supervisor = await useSupervisor(prefix, { logMaxBytes: limit, logMaxFiles: 2, logPollMs: 20 });
    const lineCount = 750_000; // 24 MB: ~23 rotations
    const req = agent('lines', String(lineCount), '2048', '2'); // 64 KiB per write, ~2 ms apart: ~25 MB/s
    const events = recordEvents(supervisor, req.agentId);
    await supervisor.spawnAgent(req);
    const { logDir } = await supervisor.getAgentStatus(req.agentId);
    const live = path.join(logDir, 'stdout.log');
    let largestLive = 0;
    let liveSize = 0;
    let cuts = 0;
    const rotatedNames = new Set<string>();
    const watch = setInterval(() => {
      try {
        const size = statSync(live).size;
        if (size < liveSize) cuts++;
        liveSize = size;
        largestLive = Math.max(largestLive, size);
        for (const name of readdirSync(logDir)) if (/^stdout\.log\.\d+$/.test(name)) rotatedNames.add(name); // .rotating is the copy in progress
      } catch {
        // between our stat and readdir nothing is wrong; the next sample looks again
      }
    }, 5);
    try {
      await ended(supervisor, req.agentId);
      await waitFor(async () => endOf(events) === (await supervisor.readLog(req.agentId, 'stdout', { maxBytes: 1 })).size, { what: 'the tail to catch up' });
    } finally {
      clearInterval(watch);
    }

    // Offsets strictly increase; every gap is a loss the engine counted and noted.
    const pieces: { offset: number; chunks: Uint8Array[] }[] = [];
    let gaps = 0;
    let next = 0;
    for (const event of events) {
      if (event.offset < next) throw new Error(`offset went back from ${next} to ${event.offset}`);
      if (event.offset > next) gaps += event.offset - next;
      if (event.offset > next || pieces.length === 0) pieces.push({ offset: event.offset, chunks: [] });
      pieces[pieces.length - 1]!.chunks.push(event.data);
      next = event.offset + event.data.length;
    }
    const runs = pieces.map(({ offset, chunks }) => ({ offset, data: Buffer.concat(chunks) }));
    const notes = (await supervisor.getAgentStatus(req.agentId)).notes;
    const lossNote = notes.find((note) => note.startsWith('Log rotation lost bytes of stdout.log:'));
    const noted = lossNote ? Number(/: (\d+) in total/.exec(lossNote)![1]) : 0;
    expect(gaps).toBe(noted);

    // Content: numbered lines, strictly in order. A line missing without a noted gap is a loss nobody
    // could see (window (b) of log-rotation.ts: a write landing between the last size check and the cut).
    let seen = 0;
    let previous = -1;
    let outOfOrder = 0;
    for (const run of runs) {
      for (const match of run.data.toString('latin1').matchAll(/L(\d{10}) abcdefghijklmnopqrs\n/g)) {
        const n = Number(match[1]);
        if (n <= previous) outOfOrder++;
        previous = n;
        seen++;
      }
    }
    expect(outOfOrder).toBe(0);
    const rotations = Math.floor(next / limit);
    const missingBytes = (lineCount - seen) * LINE_BYTES;
    console.log(
      `rotation flood: ${(next / MiB).toFixed(1)} MiB logical, ~${rotations} rotations, live file peak ${(largestLive / MiB).toFixed(2)} MiB, ${cuts} cuts seen, ` +
        `lost and noted ${noted} bytes, lines missing ${lineCount - seen} (${Math.max(0, missingBytes - noted)} bytes beyond the noted)`,
    );
    expect(missingBytes).toBeGreaterThanOrEqual(noted - LINE_BYTES * rotations);
    // By design at most the write in flight per rotation goes unseen (the fixture writes 64 KiB at a time).
    expect(missingBytes - noted).toBeLessThanOrEqual(rotations * (64 * 1024 + LINE_BYTES));
    // How far past the limit the live file gets depends on how fast a loaded machine turns a rotation
    // around (the bench measures that, and this test prints it); what must hold is that it was rotated
    // more than once (.2 exists, below) and ends under the limit.
    expect([...rotatedNames].sort()).toEqual(['stdout.log.1', 'stdout.log.2'].filter((name) => rotatedNames.has(name)));
    expect(rotatedNames.has('stdout.log.1')).toBe(true);
    // Read the folder and the .2/.1 boundary when nothing moves: a rotation that started as the agent
    // ended still finishes (it is never cut short into a leftover .rotating copy).
    const rotated1 = path.join(logDir, 'stdout.log.1');
    const boundary = await waitFor(async () => {
      const logical = (await supervisor.readLog(req.agentId, 'stdout', { maxBytes: 1 })).size;
      const physical = statSync(live).size + statSync(rotated1).size;
      const settled = !existsSync(`${live}.rotating`) && logical === (await supervisor.readLog(req.agentId, 'stdout', { maxBytes: 1 })).size && physical === statSync(live).size + statSync(rotated1).size;
      return settled ? { at: logical - physical } : null;
    }, { what: 'the log to settle' }).then((found) => found.at);
    expect(readdirSync(logDir).filter((name) => name.startsWith('stdout.log')).sort()).toEqual(['stdout.log', 'stdout.log.1', 'stdout.log.2']);
    expect(statSync(live).size).toBeLessThanOrEqual(limit);

    // Paging back from the end crosses the live file, .1 and .2, then stops at the oldest retained byte.
    const bytesAt = (from: number, to: number): Buffer | null => {
      const run = runs.find((r) => r.offset <= from && to <= r.offset + r.data.length);
      return run ? run.data.subarray(from - run.offset, to - run.offset) : null;
    };
    const retained = ['stdout.log', 'stdout.log.1', 'stdout.log.2'].reduce((sum, name) => sum + statSync(path.join(logDir, name)).size, 0);
    let before: number | undefined;
    let paged = 0;
    let pages = 0;
    for (;;) {
      const slice = await supervisor.readLog(req.agentId, 'stdout', { before, maxBytes: 300 * 1024 });
      if (slice.data.length === 0) {
        expect(slice.offset).toBe(before);
        break;
      }
      const expected = bytesAt(slice.offset, slice.offset + slice.data.length);
      expect(expected && Buffer.from(slice.data).equals(expected)).toBe(true);
      paged += slice.data.length;
      pages++;
      before = slice.offset;
    }
    expect(paged).toBe(retained);
    expect(pages).toBeGreaterThan(3);
    // One slice across the boundary between .2 and .1 (both whole rotated files; the live one may be
    // empty if the flood ended right at a rotation).
    const across = await supervisor.readLog(req.agentId, 'stdout', { before: boundary + 100, maxBytes: 200 });
    // Its last 100 bytes are .1's first; the 100 before them are .2's last, unless a noted loss sits
    // right at this boundary, in which case the slice stops there.
    expect(Buffer.from(across.data).subarray(-100).equals(readFileSync(rotated1).subarray(0, 100))).toBe(true);
    expect([boundary - 100, boundary]).toContain(across.offset);
    const fromEvents = bytesAt(across.offset, boundary + 100);
    if (fromEvents !== null) expect(Buffer.from(across.data).equals(fromEvents)).toBe(true);
  });

  it('an agent that keeps writing after a rotation writes at the start of the truncated file (O_APPEND); offsets survive a restart; remove deletes rotated files', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'corral-test-'));
    const options = { dataDir, logMaxBytes: 1 * MiB, logMaxFiles: 2, logPollMs: 20 };
    const first = await useSupervisor(prefix, options);
    const filled = Math.ceil((1.5 * MiB) / LINE_BYTES) * LINE_BYTES;
    const req = agent('fill', String(filled));
    const { pid } = await first.spawnAgent(req);
    await waitForLog(first, req.agentId, 'filled', 'stderr');
    const { logDir } = await first.getAgentStatus(req.agentId);
    const live = path.join(logDir, 'stdout.log');
    await waitFor(() => existsSync(`${live}.1`) && statSync(live).size === 0, { what: 'the first rotation' });
    expect(statSync(`${live}.1`).size).toBe(filled);

    process.kill(pid!, 'SIGUSR1');
    await waitForLog(first, req.agentId, 'wrote', 'stderr');
    // No hole of zeros before it: the agent's O_APPEND descriptor followed the truncation.
    expect(readFileSync(live, 'latin1')).toBe('after rotation\n');
    const end = await first.readLog(req.agentId, 'stdout', { maxBytes: LINE_BYTES + 15 });
    expect(end.size).toBe(filled + 15);
    expect(Buffer.from(end.data).toString('latin1')).toBe(`${numberedLine(filled / LINE_BYTES - 1)}after rotation\n`);
    await first.close();

    // A new supervisor re-adopts the agent and keeps the logical offsets (rotatedBytes is in state.json).
    const second = await useSupervisor(prefix, options);
    expect((await second.getAgentStatus(req.agentId)).adopted).toBe(true);
    const again = await second.readLog(req.agentId, 'stdout', { maxBytes: LINE_BYTES + 15 });
    expect({ size: again.size, offset: again.offset }).toEqual({ size: end.size, offset: end.offset });
    expect(Buffer.from(again.data).equals(Buffer.from(end.data))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8')).agents[req.agentId].logs.stdout).toEqual({
      rotatedBytes: filled,
      parts: [{ start: 0, bytes: filled }],
      lostBytes: 0,
    });

    await second.killAgent(req.agentId);
    await second.removeAgent(req.agentId);
    expect(existsSync(logDir)).toBe(false);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('notices a file cut by another program and goes on from its new end with monotonic offsets', async () => {
    const supervisor = await useSupervisor(prefix, { logPollMs: 20 });
    const filled = 100 * LINE_BYTES;
    const req = agent('fill', String(filled));
    const events = recordEvents(supervisor, req.agentId);
    const { pid } = await supervisor.spawnAgent(req);
    await waitFor(() => endOf(events) === filled, { what: 'the first lines as events' });
    const { logDir } = await supervisor.getAgentStatus(req.agentId);
    truncateSync(path.join(logDir, 'stdout.log'), 0);
    await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).notes.some((note) => note.includes('was cut from 3200 to 0 bytes')), { what: 'the cut to be noted' });
    process.kill(pid!, 'SIGUSR1');
    await waitFor(() => endOf(events) > filled, { what: 'bytes written after the cut' });
    const last = events[events.length - 1]!;
    expect({ offset: last.offset, text: Buffer.from(last.data).toString('latin1') }).toEqual({ offset: filled, text: 'after rotation\n' });
    expect((await supervisor.getAgentStatus(req.agentId)).state).toBe('running');
    expect(supervisor.warnings.join('\n')).toMatch(/stdout\.log was cut/);
  });

  it('a rotation that fails with an I/O error is a note and a warning; the log stays whole and the agent runs on', async () => {
    const supervisor = await useSupervisor(prefix, { logMaxBytes: 256 * 1024, logMaxFiles: 2, logPollMs: 20 });
    const filled = 16 * 1024 * LINE_BYTES; // 512 KiB
    const req = agent('fill', String(filled));
    // Something in the way of the rotation's copy: a directory where the partial copy goes.
    const blocker = path.join(supervisor.dataDir, 'agents', req.agentId, 'stdout.log.rotating');
    mkdirSync(blocker, { recursive: true });
    const warnings: string[] = [];
    supervisor.on('warning', ({ message }) => warnings.push(message));
    await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'filled', 'stderr');
    const status = await waitFor(async () => {
      const s = await supervisor.getAgentStatus(req.agentId);
      return s.notes.some((note) => note.startsWith('Could not rotate stdout.log')) && s;
    }, { what: 'the failed rotation to be noted' });
    expect(status.notes.join('\n')).toMatch(/Could not rotate stdout\.log: EISDIR.*Nothing was cut/);
    expect(warnings.join('\n')).toMatch(/Could not rotate stdout\.log/);
    expect(status.state).toBe('running');
    const file = path.join(status.logDir, 'stdout.log');
    expect(statSync(file).size).toBe(filled);
    expect(readFileSync(file, 'latin1').slice(-LINE_BYTES)).toBe(numberedLine(filled / LINE_BYTES - 1));
    expect(existsSync(`${file}.1`)).toBe(false);
  });

  it('a full disk (2 MiB tmpfs) is reported on the agent, not a crash; nothing is cut', async (context) => {
    const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'corral-tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', mountPoint], { stdio: 'pipe' });
    } catch (error) {
      rmSync(mountPoint, { recursive: true, force: true });
      const reason = `cannot mount a tmpfs here (${String(error).split('\n')[0]}); needs root or CAP_SYS_ADMIN`;
      console.log(`SKIPPED full-disk test: ${reason}`);
      context.skip(reason);
      return;
    }
    let supervisor: Supervisor | null = null;
    try {
      supervisor = await useSupervisor(prefix, { dataDir: mountPoint, logMaxBytes: 1.1 * MiB, logMaxFiles: 2, logPollMs: 20, sampleIntervalMs: 100 });
      const warnings: string[] = [];
      supervisor.on('warning', ({ message }) => warnings.push(message));
      const filled = Math.ceil((1.2 * MiB) / LINE_BYTES) * LINE_BYTES; // a copy of it does not fit in what is left
      const req = agent('fill', String(filled));
      await supervisor.spawnAgent(req);
      await waitForLog(supervisor, req.agentId, 'filled', 'stderr');
      const status = await waitFor(async () => {
        const s = await supervisor!.getAgentStatus(req.agentId);
        return s.notes.some((note) => note.startsWith('Disk full: could not rotate stdout.log')) && s.notes.some((note) => note.startsWith('Low disk space')) && s;
      }, { what: 'the full disk and low space to be noted' }).catch(async (error: unknown) => {
        throw new Error(`${String(error)}; notes: ${(await supervisor!.getAgentStatus(req.agentId)).notes.join(' | ')}; warnings: ${warnings.join(' | ')}`);
      });
      expect(status.state).toBe('running');
      expect(warnings.join('\n')).toMatch(/Disk full: could not rotate stdout\.log .*ENOSPC/);
      expect(warnings.join('\n')).toMatch(/Low disk space/);
      const file = path.join(status.logDir, 'stdout.log');
      expect(statSync(file).size).toBe(filled);
      expect(readdirSync(status.logDir).filter((name) => name.startsWith('stdout.log'))).toEqual(['stdout.log']); // partial copy removed
      expect(readFileSync(file, 'latin1').slice(-LINE_BYTES)).toBe(numberedLine(filled / LINE_BYTES - 1));
    } finally {
      if (supervisor) {
        await supervisor.cleanup({ force: true });
        await supervisor.close();
      }
      execFileSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });
});
