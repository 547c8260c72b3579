/**
 * Spawn figures: one at a time, 50 at once, and how soon an agent that exits
 * at once is reported as ended.
 */
import { performance } from 'node:perf_hooks';
import type { AgentState } from '../src-main/supervisor/index';
import { agentId, isRunningPid, nodeAgent, progress, request, sleep, spawnAll, stdoutOf, waitFor, type BenchContext } from './harness';
import { heading, percentile, row, rowWith, type Line } from './stats';

const PACED_SPAWNS = 30;
const PACE_MS = 120;
const BURST_SIZE = 50;
const BURST_ROUNDS = 3;
const EXIT_ROUNDS = 10;
const FINAL_STATES: ReadonlySet<AgentState> = new Set(['completed', 'failed', 'cancelled', 'lost']);

export async function benchSpawn(ctx: BenchContext): Promise<Line[]> {
  const supervisor = await ctx.supervisor('spawn', 'proc');
  const lines: Line[] = [heading('spawn (proc reader)')];

  // 1. One at a time, paced so each agent has booted before the next request.
  progress(`spawn: ${PACED_SPAWNS} paced spawns`);
  const latencies: number[] = [];
  for (let i = 0; i < PACED_SPAWNS; i++) {
    const started = performance.now();
    const answer = await supervisor.spawnAgent(nodeAgent(agentId('paced', i), ctx.scripts.cooperative));
    const tookMs = performance.now() - started;
    if (answer.status !== 'running' || !isRunningPid(answer.pid!)) throw new Error(`paced spawn ${i}: ${JSON.stringify(answer)}`);
    latencies.push(tookMs);
    await sleep(PACE_MS);
  }
  lines.push(rowWith(`spawn latency, one at a time (p50 of ${PACED_SPAWNS})`, 'ms', percentile(latencies, 50), latencies, { op: '<=', value: 5 }, '[1]'));
  lines.push(rowWith(`spawn latency, one at a time (p95 of ${PACED_SPAWNS})`, 'ms', percentile(latencies, 95), latencies));
  await supervisor.cleanup({ force: true });

  // 2. A burst: 50 requests at once, wall time until every answer is in.
  const bursts: number[] = [];
  for (let round = 0; round < BURST_ROUNDS; round++) {
    progress(`spawn: burst of ${BURST_SIZE}, round ${round + 1}/${BURST_ROUNDS}`);
    const requests = Array.from({ length: BURST_SIZE }, (_, i) => nodeAgent(agentId('burst', round, i), ctx.scripts.cooperative));
    const started = performance.now();
    const pids = await spawnAll(supervisor, requests);
    bursts.push(performance.now() - started);
    const notRunning = pids.filter((pid) => !isRunningPid(pid));
    if (notRunning.length > 0) throw new Error(`burst: ${notRunning.length} reported running but not in /proc`);
    await sleep(300); // let them boot before the next round competes for the CPU
    await supervisor.cleanup({ force: true });
  }
  lines.push(row(`spawn ${BURST_SIZE} at once, wall until all are running`, 'ms', bursts, null, '[2]'));
  lines.push(row(`  … per agent (wall ÷ ${BURST_SIZE})`, 'ms', bursts.map((ms) => ms / BURST_SIZE)));

  // 3. An agent that exits at once: its exit (its own clock) → the final state event.
  progress(`spawn: ${EXIT_ROUNDS} immediate-exit agents`);
  const exitToFinal: number[] = [];
  const requestToFinal: number[] = [];
  for (let round = 0; round < EXIT_ROUNDS; round++) {
    const id = agentId('exit', round);
    const offsetMs = realtimeOffsetMs();
    const final: { at: number | null; state: AgentState | null } = { at: null, state: null };
    const unsubscribe = supervisor.on('state', (event) => {
      if (event.agentId === id && FINAL_STATES.has(event.state) && final.at === null) {
        final.at = performance.now();
        final.state = event.state;
      }
    });
    const started = performance.now();
    // `date` reads the clock as it starts, prints it and exits: the print is a hair before the exit.
    const answer = await supervisor.spawnAgent(request(id, ['date', '+%s%N']));
    await waitFor(`${id} to end`, () => final.at !== null, 10_000, 1);
    unsubscribe();
    if (answer.status === 'failed' || final.state !== 'completed') throw new Error(`immediate exit: ${JSON.stringify(answer)}, final ${final.state}`);
    await waitFor(`${id} stdout`, () => /^\d{19}$/m.test(stdoutOf(supervisor, id)), 2_000, 5);
    const printedAtMs = Number(BigInt(stdoutOf(supervisor, id).trim()) / 1000n) / 1000;
    exitToFinal.push(final.at! + offsetMs - printedAtMs);
    requestToFinal.push(final.at! - started);
    await sleep(50);
  }
  lines.push(row(`immediate exit (\`date\`): exit → 'completed' event (${EXIT_ROUNDS} rounds)`, 'ms', exitToFinal, { op: '<=', value: 5 }, '[3]'));
  lines.push(row(`immediate exit: request → 'completed' event`, 'ms', requestToFinal));

  await ctx.release(supervisor);
  return lines;
}

/**
 * Wall-clock ms = performance.now() + offset, to well under a millisecond:
 * read at the instant Date.now() (whole ms, floored) ticks over.
 */
function realtimeOffsetMs(): number {
  const start = Date.now();
  let now = start;
  while (now === start) now = Date.now();
  return now - performance.now();
}
