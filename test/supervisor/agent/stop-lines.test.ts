/**
 * Issue 13: a stop writes Corral's own lines into the agent's log, one as each stage begins and one
 * for how it ended, read back through the engine's log API (and seen live as `log` events), whole
 * and bounded. Real agents, real signals.
 */
import { describe, expect, it } from 'vitest';
import type { Supervisor } from '../../../src-main/supervisor/index';
import { endLine } from '../../../src-main/supervisor/agent/stop-lines';
import { MAX_CORRAL_LINE_CHARS } from '../../../src-main/supervisor/logs/corral-line';
import type { LogEvent, StopReport } from '../../../src-main/supervisor/types';
import { fixture, idPrefix, NODE, request, useSupervisor, waitForLog } from '../../helpers/agents';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('stoplines');
const SHORT = { firstTermMs: 300, secondTermMs: 300, killMs: 2000 };

/** Corral's lines in the agent's stderr log, read through the engine's log read API, without their `[corral <time>] ` prefix. */
async function corralLines(supervisor: Supervisor, agentId: string): Promise<string[]> {
  const slice = await supervisor.readLog(agentId, 'stderr', { maxBytes: 256 * 1024 });
  return Buffer.from(slice.data)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.startsWith('[corral '))
    .map((line) => line.replace(/^\[corral [^\]]+\] /, ''));
}

describe('Corral lines for the stages of a stop', () => {
  it('writes each stage of a stop that SIGTERM does not end, in order, then how it ended', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('ignore-term.mjs')]);
    await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'ready');
    expect(await supervisor.killAgent(req.agentId, { timeouts: SHORT })).toBe(true);

    const lines = await corralLines(supervisor, req.agentId);
    expect(lines.slice(0, 3)).toEqual([
      'stop requested — SIGTERM sent to 1 process (waiting up to 300 ms)',
      'still running after 300 ms — SIGTERM again to 1 process (waiting up to 300 ms)',
      'still running after 300 ms — SIGKILL: freezing and killing 1 process',
    ]);
    expect(lines[3]).toMatch(/^stopped — its only process gone in \d+(\.\d)? m?s \(at SIGKILL\)$/);
    expect(lines).toHaveLength(4);
  });

  it('counts what each stage signals: a leader that obeys SIGTERM and a child that ignores it', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('ignore-term-children.mjs')]);
    await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'child ready');
    await waitFor(async () => {
      await supervisor.sampleNow();
      return (await supervisor.getAgentStatus(req.agentId)).descendantCount === 1;
    });
    expect(await supervisor.killAgent(req.agentId, { timeouts: SHORT })).toBe(true);

    const lines = await corralLines(supervisor, req.agentId);
    expect(lines.slice(0, 3)).toEqual([
      'stop requested — SIGTERM sent to 2 processes (waiting up to 300 ms)',
      'still running after 300 ms — SIGTERM again to 1 process (waiting up to 300 ms)',
      'still running after 300 ms — SIGKILL: freezing and killing 1 process',
    ]);
    expect(lines[3]).toMatch(/^stopped — all 2 processes gone in [\d.]+ m?s \(1 at the first SIGTERM, 1 at SIGKILL\)$/);
  });

  it('writes one stage for a forced stop, and one for a stop SIGTERM ends', async () => {
    const supervisor = await useSupervisor(prefix);
    const stubborn = request(prefix, [NODE, fixture('ignore-term.mjs')]);
    const polite = request(prefix, [NODE, fixture('sleeper.mjs')]);
    await supervisor.spawnAgent(stubborn);
    await supervisor.spawnAgent(polite);
    await waitForLog(supervisor, stubborn.agentId, 'ready');
    await waitForLog(supervisor, polite.agentId, 'up');
    await supervisor.killAgent(stubborn.agentId, { force: true, timeouts: SHORT });
    await supervisor.killAgent(polite.agentId, { timeouts: { firstTermMs: 10_000 } });

    const forced = await corralLines(supervisor, stubborn.agentId);
    expect(forced[0]).toBe('forced stop requested — SIGKILL: freezing and killing 1 process');
    expect(forced[1]).toMatch(/^stopped — its only process gone in [\d.]+ m?s \(at SIGKILL\)$/);
    const graceful = await corralLines(supervisor, polite.agentId);
    expect(graceful[0]).toBe('stop requested — SIGTERM sent to 1 process (waiting up to 10 s)');
    expect(graceful[1]).toMatch(/^stopped — its only process gone in [\d.]+ m?s \(at the first SIGTERM\)$/);
    expect(graceful).toHaveLength(2);
  });

  it('starts its line on a new line after a partial one, and shows the closing line live, after the root exited', async () => {
    const supervisor = await useSupervisor(prefix, { logPollMs: 20 });
    const live: LogEvent[] = [];
    const req = request(prefix, [NODE, '-e', "process.stderr.write('half a line');process.on('SIGTERM',()=>process.exit(0));console.log('up');setInterval(()=>{},1000)"]);
    supervisor.on('log', (event) => {
      if (event.agentId === req.agentId && event.stream === 'stderr') live.push(event);
    });
    await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'up');
    await waitFor(() => assembled(live).includes('half a line'), { what: 'the partial line, live' });
    await supervisor.killAgent(req.agentId);

    const { data } = await supervisor.readLog(req.agentId, 'stderr', { maxBytes: 64 * 1024 });
    const text = Buffer.from(data).toString('utf8');
    expect(text).toMatch(/^half a line\n\[corral [^\]]+\] stop requested — SIGTERM sent to 1 process/);
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^\[corral [^\]]+\] stopped — its only process gone in/);
    // The root's exit let the tail go of the file before the closing line was written: it is read once more.
    await waitFor(() => assembled(live) === text, { what: 'the whole stderr log, closing line included, as log events' });
  });
});

/** The stream as a reader of `log` events rebuilds it: each byte once, by offset; a gap fails. */
function assembled(events: readonly LogEvent[]): string {
  let have = Buffer.alloc(0);
  for (const event of events) {
    if (event.offset > have.length) throw new Error(`a gap in the live events: ${have.length} to ${event.offset}`);
    const end = event.offset + event.data.length;
    if (end > have.length) have = Buffer.concat([have, Buffer.from(event.data).subarray(have.length - event.offset)]);
  }
  return have.toString('utf8');
}

describe('the closing line is bounded', () => {
  it('names a few survivors by short, printable names and counts the rest', () => {
    const none = { term1: 0, term2: 0, kill: 0 };
    const survivors = Array.from({ length: 500 }, (_, i) => ({ pid: 1000 + i, name: `${'x'.repeat(5000)}\n\u001b[31m${i}` }));
    const report: StopReport = { agentId: 'a', forced: false, outcome: 'unkillable', startedAt: new Date().toISOString(), durationMs: 2300, processCount: 500, endedByStage: none, survivors };
    const line = endLine(report)!;
    expect(line).toMatch(/^stop left 500 survivors after SIGKILL: pid 1000 \(x{40}…\), pid 1001 .* and 495 more — still tracked$/);
    expect(line.length).toBeLessThan(500);
    expect(line.length).toBeLessThan(MAX_CORRAL_LINE_CHARS);
    expect(line.includes('\n') || line.includes('\u001b'), 'no newline, no escape').toBe(false);
    expect(endLine({ ...report, outcome: 'already-ended', processCount: 0, survivors: [] })).toBeNull();
  });
});
