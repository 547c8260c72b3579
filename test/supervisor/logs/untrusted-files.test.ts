/**
 * An agent's folder is the agent's: real agents (test/fixtures/hostile-files.mjs)
 * plant symbolic links to a file of the user's where Corral keeps and rotates
 * their logs, FIFOs where it reads, and huge, endless or odd things where it
 * reads their status. Corral must follow none of them, block on none of them,
 * read none of them whole, and say so on the agent.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { Supervisor } from '../../../src-main/supervisor/index';
import { fixture, idPrefix, NODE, request, tempDir, useSupervisor, waitForLog, waitForTicks } from '../../helpers/agents';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('untrusted-files');
const AGENT = fixture('hostile-files.mjs');
const KiB = 1024;
const MiB = 1024 * KiB;
const MARKER = 'VICTIM-SECRET-do-not-serve';

const victims: string[] = [];
afterEach(() => {
  for (const dir of victims.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A file of the user's outside the data folder: 1 MiB of a marker no log of ours contains. */
function victimFile(): { file: string; sha256: () => string; original: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'corral-victim-'));
  victims.push(dir);
  const file = path.join(dir, 'precious.txt');
  writeFileSync(file, `${MARKER}\n`.repeat(Math.ceil(MiB / (MARKER.length + 1))));
  const sha256 = () => createHash('sha256').update(readFileSync(file)).digest('hex');
  return { file, sha256, original: sha256() };
}

function carriesMarker(data: Uint8Array): boolean {
  return Buffer.from(data).includes('VICTIM-SECRET');
}

/** Pages back through a stream to its oldest byte; a refused page (an error) ends the paging. */
async function pageAll(supervisor: Supervisor, agentId: string, stream: 'stdout' | 'stderr'): Promise<{ slices: Uint8Array[]; errors: string[] }> {
  const slices: Uint8Array[] = [];
  const errors: string[] = [];
  let before: number | undefined;
  for (let page = 0; page < 200; page++) {
    try {
      const slice = await supervisor.readLog(agentId, stream, { before, maxBytes: 256 * KiB });
      if (slice.data.length === 0) break;
      slices.push(slice.data);
      before = slice.offset;
    } catch (error) {
      errors.push(String(error));
      break;
    }
  }
  return { slices, errors };
}

async function notesOf(supervisor: Supervisor, agentId: string): Promise<string> {
  return (await supervisor.getAgentStatus(agentId)).notes.join('\n');
}

describe('a symbolic link planted where Corral keeps the logs', () => {
  it.each(['stdout.log', 'stdout.log.1', 'stdout.log.2', 'stdout.log.rotating'])(
    'at %s: after a flood past logMaxBytes the victim is unchanged, no event or readLog slice carries it, the agent carries a note',
    async (name) => {
      const victim = victimFile();
      const supervisor = await useSupervisor(prefix, { logMaxBytes: 256 * KiB, logMaxFiles: 2, logPollMs: 20 });
      const req = request(prefix, [NODE, AGENT, 'link', name, victim.file, String(6 * MiB)]);
      let eventsWithVictim = 0;
      let eventBytes = 0;
      supervisor.on('log', (event) => {
        if (event.agentId !== req.agentId) return;
        eventBytes += event.data.length;
        if (carriesMarker(event.data)) eventsWithVictim++;
      });
      const warnings: string[] = [];
      supervisor.on('warning', ({ message }) => warnings.push(message));
      // Read while the attack goes on too: a slice served mid-flood must not carry the victim either.
      const midFlood: Uint8Array[] = [];
      expect((await supervisor.spawnAgent(req)).status).toBe('running');
      const reader = setInterval(() => {
        supervisor.readLog(req.agentId, 'stdout', { maxBytes: 256 * KiB }).then(
          (slice) => midFlood.push(slice.data),
          () => undefined,
        );
      }, 50);
      try {
        await waitForLog(supervisor, req.agentId, 'flooded', 'stderr');
        // The damage is checked first; a missing note only after it.
        await waitFor(async () => /symbolic link/.test(await notesOf(supervisor, req.agentId)), {
          what: `a note about the link at ${name}`,
          timeoutMs: 15_000,
        }).catch(() => undefined);
      } finally {
        clearInterval(reader);
      }
      const { slices, errors } = await pageAll(supervisor, req.agentId, 'stdout');
      const notes = await notesOf(supervisor, req.agentId);
      const victimIntact = victim.sha256() === victim.original;
      console.log(
        `link at ${name}: victim ${victimIntact ? 'unchanged' : 'CHANGED'}, ${eventBytes} bytes of events (${eventsWithVictim} with the victim's content), ` +
          `${slices.length} pages read (${slices.filter(carriesMarker).length} with it), ${midFlood.filter(carriesMarker).length} mid-flood slices with it` +
          `${errors.length ? `, paging refused: ${errors[0]}` : ''}; notes: ${notes.replace(/\n/g, ' | ')}`,
      );

      expect(victimIntact).toBe(true);
      expect(eventsWithVictim).toBe(0);
      expect([...slices, ...midFlood].filter(carriesMarker)).toEqual([]);
      expect(notes).toMatch(new RegExp(`${name.replace(/\./g, '\\.')}.*symbolic link`));
      expect(warnings.join('\n')).toMatch(/symbolic link/);
      expect((await supervisor.getAgentStatus(req.agentId)).state).toBe('running');
    },
    60_000,
  );
});

interface Timings {
  slowestCallMs: number;
  slowestCall: string;
  p99Ms: number;
  maxMs: number;
}

describe('links planted before a run, where Corral opens the logs for the agent', () => {
  it('a link at stdout.log: the run fails with a note naming it, nothing is written through it', async () => {
    const victim = victimFile();
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('echo-args.mjs'), 'written-through-the-link']);
    const dir = path.join(supervisor.dataDir, 'agents', req.agentId);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    symlinkSync(victim.file, path.join(dir, 'stdout.log'));
    const response = await supervisor.spawnAgent(req);
    expect(victim.sha256()).toBe(victim.original);
    expect(response.status).toBe('failed');
    expect(response.error).toMatch(/stdout\.log is a symbolic link.*does not write through it/);
  });

  it('a link at stderr.log: the line Corral appends about a failed spawn is not written through it', async () => {
    const victim = victimFile();
    const supervisor = await useSupervisor(prefix);
    // A restart of a program that vanished is recorded with that line (a first start of it is refused whole, writing nothing).
    const program = path.join(tempDir(), 'vanishing.sh');
    writeFileSync(program, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const req = request(prefix, [program]);
    expect((await supervisor.spawnAgent(req)).status).toBe('running');
    const dir = path.join(supervisor.dataDir, 'agents', req.agentId);
    rmSync(path.join(dir, 'stderr.log'));
    symlinkSync(victim.file, path.join(dir, 'stderr.log'));
    rmSync(program);
    expect((await supervisor.restartAgent(req.agentId)).status).toBe('failed');
    expect((await supervisor.getAgentStatus(req.agentId)).lastExit?.kind).toBe('spawn-failed');
    expect(victim.sha256()).toBe(victim.original);
  });
});

/** Times every engine call of a loop over the engine's reads, and the event loop's delay, while `during` runs. */
async function timeCalls(supervisor: Supervisor, agentId: string, during: () => Promise<unknown>): Promise<Timings> {
  let slowestCallMs = 0;
  let slowestCall = '';
  const timed = async (what: string, call: () => Promise<unknown>): Promise<void> => {
    const started = performance.now();
    try {
      await call();
    } catch {
      // a refused call is an answer too; only the time it took matters here
    } finally {
      const ms = performance.now() - started;
      if (ms > slowestCallMs) [slowestCallMs, slowestCall] = [ms, what];
    }
  };
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let isRunning = true;
  const calls = (async () => {
    while (isRunning) {
      await timed('monitorAllAgents', () => supervisor.monitorAllAgents());
      await timed('getAgentStatus', () => supervisor.getAgentStatus(agentId));
      await timed('readLog stdout', () => supervisor.readLog(agentId, 'stdout', { maxBytes: 64 * KiB }));
      await timed('readLog stderr', () => supervisor.readLog(agentId, 'stderr', { maxBytes: 64 * KiB }));
      await timed('getProcessTree', () => supervisor.getProcessTree(agentId));
      // Paced like a busy UI, not a busy loop: the delay measured must be the attack's, not this loop's own load.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    await during();
  } finally {
    isRunning = false;
    await calls;
    histogram.disable();
  }
  return { slowestCallMs, slowestCall, p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6 };
}

function describeTimings({ slowestCall, slowestCallMs, p99Ms, maxMs }: Timings): string {
  return `slowest call ${slowestCall} ${slowestCallMs.toFixed(1)} ms, event-loop delay p99 ${p99Ms.toFixed(1)} ms (max ${maxMs.toFixed(1)} ms)`;
}

describe('a FIFO planted where Corral reads', () => {
  // A Corral that blocks on the FIFO holds the loop until the fixture's next release (up to 2.5 s). The limits are
  // on top of the machine's own noise, measured the same way for as long just before the trap is set: a p99 bound
  // (the issue's 50 ms) failed on a shared machine at load 15 with no block at all, so the test asserts what tells a
  // block from noise (no call, no loop stall a second longer than the baseline's) and the note; the bench has figures.
  it.each([
    ['stdout.log', /stdout\.log was replaced by a FIFO/],
    ['status.json', /status\.json is a FIFO/],
  ])('at %s: every engine call answers within 1 s and the event loop is never held', async (name, note) => {
    const supervisor = await useSupervisor(prefix, { logPollMs: 20 });
    const req = request(prefix, [NODE, AGENT, 'fifo', name]);
    const { pid } = await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'ready', 'stderr');
    // 15 ticks of 200 ms: 3 s, longer than the fixture's release period.
    const baseline = await timeCalls(supervisor, req.agentId, () => waitForTicks(supervisor, 15, 20_000));
    const attack = await timeCalls(supervisor, req.agentId, async () => {
      process.kill(pid!, 'SIGUSR1');
      await waitForLog(supervisor, req.agentId, 'planted', 'stderr');
      await waitForTicks(supervisor, 15, 20_000);
    });
    console.log(`FIFO at ${name}: under attack ${describeTimings(attack)}; baseline ${describeTimings(baseline)}`);
    expect(attack.slowestCallMs).toBeLessThan(1000 + baseline.slowestCallMs);
    expect(attack.maxMs).toBeLessThan(1000 + baseline.maxMs);
    await waitFor(async () => note.test(await notesOf(supervisor, req.agentId)), { what: `a note about the FIFO at ${name}` }).catch(async (error: unknown) => {
      throw new Error(`${String(error)}; notes: ${await notesOf(supervisor, req.agentId)}`);
    });
    expect((await supervisor.getAgentStatus(req.agentId)).state).toBe('running');
  }, 60_000);
});

describe('a status file that is huge, endless or not a file', () => {
  it.each([
    ['huge', /status\.json is larger than the 64 KiB/],
    ['sparse8g', /status\.json is larger than the 64 KiB/],
    ['dev-zero', /status\.json is a symbolic link/],
    ['dir', /status\.json is a directory/],
    ['fifo', /status\.json is a FIFO/],
  ])('%s: ignored with a note; engine RSS grows < 20 MB', async (kind, note) => {
    const supervisor = await useSupervisor(prefix, { sampleIntervalMs: 100 });
    const req = request(prefix, [NODE, AGENT, 'status', kind]);
    const { pid } = await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'ready', 'stderr');
    await waitForTicks(supervisor, 2);
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 10);
    try {
      process.kill(pid!, 'SIGUSR1');
      await waitForLog(supervisor, req.agentId, 'planted', 'stderr');
      await waitForTicks(supervisor, 10); // read (or not) tick after tick
    } finally {
      clearInterval(sampler);
    }
    const growthMb = (rssPeak - rssBefore) / MiB;
    const notes = await notesOf(supervisor, req.agentId);
    console.log(`status ${kind}: RSS growth ${growthMb.toFixed(1)} MB; notes: ${notes.replace(/\n/g, ' | ')}`);
    expect(growthMb).toBeLessThan(20);
    expect(notes).toMatch(note);
    const status = await supervisor.getAgentStatus(req.agentId);
    expect({ state: status.state, progress: status.progress }).toEqual({ state: 'running', progress: null });
  }, 60_000);
});
