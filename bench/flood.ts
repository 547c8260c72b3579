/**
 * Log flood: one agent writes 1 GiB to stdout as fast as it can while a `log`
 * listener is attached, so the engine's tail reads every byte. Once without
 * rotation and once rotating at 64 MiB (copy + truncate, log-rotation.ts),
 * where the figure that matters is how many bytes the rotations lost.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Supervisor } from '../src-main/supervisor/index';
import { agentId, progress, request, sleep, waitFor, type BenchContext } from './harness';
import { heading, row, type Line } from './stats';

const MiB = 1024 * 1024;
const FLOOD_BYTES = 1024 * MiB;
const ROUNDS = 3;
const ROTATE_AT = 64 * MiB;
const ELD_RESOLUTION_MS = 10;
const AGENT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'hostile-output.mjs');

interface FloodRound {
  writeMbPerS: number;
  tailMbPerS: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
  eldP99Ms: number;
  rotations: number;
  /** Bytes the engine counted as lost (gaps in the offsets, noted on the agent). */
  lostNotedBytes: number;
  /** Bytes the agent wrote that are in neither the stream nor a counted gap (the unmeasurable window). */
  lostUnseenBytes: number;
}

export const FLOOD_FOOTNOTES = [
  `[f1] One agent (test/fixtures/hostile-output.mjs flood) writes ${FLOOD_BYTES / MiB} MiB in 1 MiB write() calls to its stdout.log; a \`log\` listener counts every event. Write: bytes ÷ spawn → 'completed'. Tail: bytes ÷ spawn → last byte delivered. ${ROUNDS} rounds each.`,
  '[f2] process.memoryUsage().rss of this process (which hosts the engine): before the spawn after a full GC, the peak sampled every 100 ms during the flood, and after it ends, after a full GC.',
  `[f3] monitorEventLoopDelay (resolution ${ELD_RESOLUTION_MS} ms) over the whole flood; p99 minus the resolution.`,
  `[f4] logMaxBytes ${ROTATE_AT / MiB} MiB, logMaxFiles 3: copy + truncate. "noted": the engine saw them go (a gap in the offsets and a note on the agent). "unseen": written by the agent but in neither the stream nor a gap (a write landing between the last size check and the truncate).`,
];

export async function benchFlood(ctx: BenchContext): Promise<Line[]> {
  const plain: FloodRound[] = [];
  const rotating: FloodRound[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    progress(`flood: ${FLOOD_BYTES / MiB} MiB without rotation, round ${round + 1}/${ROUNDS}`);
    plain.push(await floodOnce(ctx, `flood-plain-${round}`, 2 * FLOOD_BYTES));
    progress(`flood: ${FLOOD_BYTES / MiB} MiB rotating at ${ROTATE_AT / MiB} MiB, round ${round + 1}/${ROUNDS}`);
    rotating.push(await floodOnce(ctx, `flood-rotating-${round}`, ROTATE_AT));
  }
  return [...linesFor(`log flood, ${FLOOD_BYTES / MiB} MiB, no rotation`, plain, false), ...linesFor(`log flood, ${FLOOD_BYTES / MiB} MiB, rotating at ${ROTATE_AT / MiB} MiB`, rotating, true)];
}

function linesFor(title: string, rounds: FloodRound[], withRotation: boolean): Line[] {
  const pick = (key: keyof FloodRound) => rounds.map((r) => r[key]);
  const lines: Line[] = [
    heading(title),
    row('agent write throughput', 'MB/s', pick('writeMbPerS'), null, '[f1]'),
    row('tail throughput to the log listener', 'MB/s', pick('tailMbPerS'), null, '[f1]'),
    row('host RSS before', 'MB', pick('rssBeforeMb'), null, '[f2]'),
    row('host RSS peak growth during the flood', 'MB', rounds.map((r) => r.rssPeakMb - r.rssBeforeMb), { op: '<=', value: 150 }, '[f2]'),
    row('host RSS after, vs before', 'MB', rounds.map((r) => r.rssAfterMb - r.rssBeforeMb), null, '[f2]'),
    row('event-loop delay p99 during the flood', 'ms', pick('eldP99Ms'), null, '[f3]'),
  ];
  if (withRotation) {
    lines.push(
      row('rotations', '', pick('rotations'), null, '[f4]'),
      row('bytes lost at rotations, noted', 'B', pick('lostNotedBytes'), null, '[f4]'),
      row('bytes lost at rotations, unseen', 'B', pick('lostUnseenBytes'), { op: '<=', value: 1024 * 1024 }, '[f4]'),
    );
  }
  return lines;
}

async function floodOnce(ctx: BenchContext, name: string, logMaxBytes: number): Promise<FloodRound> {
  const supervisor = await ctx.supervisor(name, 'proc', { logMaxBytes, logMaxFiles: 3 });
  const id = agentId(name);
  let end = 0;
  let gaps = 0;
  let wentBack = 0;
  const unsubscribe = supervisor.on('log', (event) => {
    if (event.agentId !== id || event.stream !== 'stdout') return;
    if (event.offset > end) gaps += event.offset - end;
    if (event.offset < end) wentBack++;
    end = event.offset + event.data.length;
  });
  collect();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
  const histogram = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  histogram.enable();
  const started = performance.now();
  let writtenAt = 0;
  try {
    const answer = await supervisor.spawnAgent(request(id, [process.execPath, AGENT, 'flood', String(FLOOD_BYTES)]));
    if (answer.status !== 'running' && answer.status !== 'exited') throw new Error(`flood agent did not start: ${answer.error}`);
    await waitFor(
      'the flood agent to finish and its log to be read',
      async () => {
        if (writtenAt === 0 && (await supervisor.getAgentStatus(id)).state === 'completed') writtenAt = performance.now();
        return writtenAt > 0 && end === (await logicalEnd(supervisor, id));
      },
      120_000,
      5,
    );
  } finally {
    clearInterval(sampler);
    histogram.disable();
    unsubscribe();
  }
  const tailedAt = performance.now();
  if (wentBack > 0) throw new Error(`${name}: log offsets went backwards ${wentBack} times`);
  const status = await supervisor.getAgentStatus(id);
  const lossNote = status.notes.find((note) => note.startsWith('Log rotation lost bytes of stdout.log:'));
  const noted = lossNote ? Number(/: (\d+) in total/.exec(lossNote)?.[1] ?? Number.NaN) : 0;
  if (noted !== gaps) throw new Error(`${name}: the offsets skip ${gaps} bytes but the note says ${noted}`);
  const result: FloodRound = {
    writeMbPerS: FLOOD_BYTES / MiB / ((writtenAt - started) / 1000),
    tailMbPerS: FLOOD_BYTES / MiB / ((tailedAt - started) / 1000),
    rssBeforeMb: rssBefore / MiB,
    rssPeakMb: rssPeak / MiB,
    rssAfterMb: 0,
    eldP99Ms: Math.max(0, histogram.percentile(99) / 1e6 - ELD_RESOLUTION_MS),
    rotations: Math.floor(end / logMaxBytes),
    lostNotedBytes: noted,
    lostUnseenBytes: FLOOD_BYTES - end,
  };
  await ctx.release(supervisor);
  await sleep(50);
  collect();
  result.rssAfterMb = process.memoryUsage().rss / MiB;
  return result;
}

/** The stream's logical end: rotated bytes plus the live file (readLog's `size`). */
async function logicalEnd(supervisor: Supervisor, id: string): Promise<number> {
  return (await supervisor.readLog(id, 'stdout', { maxBytes: 1 })).size;
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') {
    gc();
    gc();
  }
}
