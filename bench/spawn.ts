/**
 * Spawn figures: one at a time, 50 at once, and how soon an agent that exits
 * at once is reported as ended.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { AgentState } from '../src-main/supervisor/index';
import { agentId, nodeAgent, progress, request, sleep, spawnAll, stdoutOf, waitFor, type BenchContext } from './harness';
import { isPidAlive } from '../test/helpers/proc';
import { heading, percentile, ratioRow, row, rowWith, type Line } from './stats';

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
    if (answer.status !== 'running' || !isPidAlive(answer.pid!)) throw new Error(`paced spawn ${i}: ${JSON.stringify(answer)}`);
    latencies.push(tookMs);
    if (process.env['BENCH_VERBOSE']) progress(`paced spawn ${i}: ${tookMs.toFixed(1)} ms`);
    await sleep(PACE_MS);
  }
  await supervisor.cleanup({ force: true });

  // The same, with child_process.spawn alone: what the OS and Node cost before the engine adds anything.
  progress(`spawn: ${PACED_SPAWNS} paced raw child_process.spawn() (baseline)`);
  const rawLatencies: number[] = [];
  for (let i = 0; i < PACED_SPAWNS; i++) {
    const started = performance.now();
    const child = await rawSpawn(process.execPath, [ctx.scripts.cooperative], agentId('rawpaced', i));
    rawLatencies.push(performance.now() - started);
    await killRaw([child]);
    await sleep(PACE_MS);
  }
  const engineP50 = rowWith(`spawn latency, one at a time (p50 of ${PACED_SPAWNS})`, 'ms', percentile(latencies, 50), latencies, { op: '<=', value: 5 }, '[1]');
  const rawP50 = rowWith(`  baseline: child_process.spawn → 'spawn' event, no engine (p50)`, 'ms', percentile(rawLatencies, 50), rawLatencies);
  lines.push(engineP50);
  lines.push(rowWith(`spawn latency, one at a time (p95 of ${PACED_SPAWNS})`, 'ms', percentile(latencies, 95), latencies));
  lines.push(rawP50);
  lines.push(ratioRow(`  spawn latency p50: engine ÷ baseline`, engineP50, rawP50, '[6]'));

  // 2. A burst: 50 requests at once, wall time until every answer is in; node agents and `sleep`
  //    agents, each against the same burst of bare child_process.spawn() calls.
  const kinds = [
    { label: 'node', command: [process.execPath, ctx.scripts.cooperative] },
    { label: 'sleep', command: ['sleep', '1000'] },
  ];
  for (const { label, command } of kinds) {
    const bursts: number[] = [];
    const rawBursts: number[] = [];
    for (let round = 0; round < BURST_ROUNDS; round++) {
      progress(`spawn: burst of ${BURST_SIZE} ${label} agents, round ${round + 1}/${BURST_ROUNDS}`);
      const requests = Array.from({ length: BURST_SIZE }, (_, i) => request(agentId('burst', label, round, i), command));
      const started = performance.now();
      const pids = await spawnAll(supervisor, requests);
      bursts.push(performance.now() - started);
      const notRunning = pids.filter((pid) => !isPidAlive(pid));
      if (notRunning.length > 0) throw new Error(`burst: ${notRunning.length} reported running but not in /proc`);
      await sleep(300); // let them boot before the next burst competes for the CPU
      await supervisor.cleanup({ force: true });

      const rawStarted = performance.now();
      const children = await Promise.all(Array.from({ length: BURST_SIZE }, (_, i) => rawSpawn(command[0]!, command.slice(1), agentId('rawburst', label, round, i))));
      rawBursts.push(performance.now() - rawStarted);
      await sleep(300);
      await killRaw(children);
    }
    const engineRow = row(`spawn ${BURST_SIZE} ${label} agents at once, wall until all are running`, 'ms', bursts, null, '[2]');
    const rawRow = row(`  baseline: ${BURST_SIZE} bare child_process.spawn() of ${label} at once`, 'ms', rawBursts, null, '[2]');
    lines.push(engineRow, rawRow, ratioRow(`  spawn ${BURST_SIZE} ${label} at once: engine ÷ baseline`, engineRow, rawRow, '[6]'));
  }

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

/** A bare spawn, as the engine does it (own process group), carrying the bench marker for the final sweep. */
function rawSpawn(command: string, args: string[], id: string): Promise<ChildProcess> {
  const child = spawn(command, args, { detached: true, stdio: 'ignore', env: { ...process.env, CORRAL_AGENT_ID: id } });
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child));
    child.once('error', reject);
  });
}

/** SIGKILL by pid, then wait for Node to reap each one. */
async function killRaw(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
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
