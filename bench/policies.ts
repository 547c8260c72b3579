/**
 * Lifecycle policies' costs: what stall detection and a resource guard add to
 * a tick, how long a restart takes beyond its backoff, and the log masker's
 * throughput with secrets against none.
 */
import { performance } from 'node:perf_hooks';
import { LogMasker } from '../src-main/supervisor/logs/secret-mask';
import type { DeploymentRequest, LogEvent } from '../src-main/supervisor/index';
import { agentId, progress, request, spawnAll, waitFor, type BenchContext } from './harness';
import { heading, ratioRow, row, type Line } from './stats';

const AGENTS = 100;
const TICKS = 20;

export const POLICY_FOOTNOTES = [
  '[p1] process.cpuUsage() (user + system) of this process per sampleNow(), 20 ticks each after 3 warm-up ticks, two supervisors of 100 `sleep` agents alive at once and ticked in turn, a status listener subscribed. "Watched": every agent has the default stall policy and a memory + CPU guard; "bare": stall null, no guard.',
  '[p2] An agent that exits 1 at once with restart on-failure, initialDelayMs 100: next run\'s start minus previous run\'s end, minus the 100 ms backoff. 10 restarts.',
  '[p3] LogMasker.push over 64 MiB in 64 KiB chunks of log-like text, in-process (no I/O); 5 rounds each. Secrets are 24–40 bytes, none present in the text (the common case: every byte still searched).',
];

export async function benchPolicies(ctx: BenchContext): Promise<Line[]> {
  const lines: Line[] = [heading('lifecycle policies')];
  const { watched, bare } = await tickCosts(ctx);
  const watchedRow = row(`tick CPU, ${AGENTS} agents with stall detection + resource guard`, 'ms', watched, null, '[p1]');
  const bareRow = row(`tick CPU, ${AGENTS} agents without`, 'ms', bare, null, '[p1]');
  lines.push(watchedRow, bareRow, { ...ratioRow('  watched ÷ bare', watchedRow, bareRow, '[p1]'), target: { op: '<=', value: 1.1 } });
  lines.push(row('restart overhead beyond the backoff', 'ms', await restartOverhead(ctx), { op: '<=', value: 50 }, '[p2]'));
  lines.push(row('log masking, 1 secret', 'MB/s', maskThroughput(1), null, '[p3]'));
  lines.push(row('log masking, 10 secrets', 'MB/s', maskThroughput(10), { op: '>', value: 200 }, '[p3]'));
  return lines;
}

/** Both fleets run at once and their ticks alternate, so the machine's noise falls on both alike. */
async function tickCosts(ctx: BenchContext): Promise<{ watched: number[]; bare: number[] }> {
  progress(`policies: 2 × ${AGENTS} agents, with and without stall detection and guards`);
  const guard = { memoryMb: 4096, cpuPercent: 400, sustainedMs: 10_000, action: 'notify' } as const;
  const fleets = await Promise.all(
    (['watched', 'bare'] as const).map(async (name) => {
      const supervisor = await ctx.supervisor(`policies-${name}`, 'proc');
      supervisor.on('status', () => undefined);
      const shape = (req: DeploymentRequest): DeploymentRequest => (name === 'watched' ? { ...req, guard } : { ...req, stall: null, guard: null });
      await spawnAll(supervisor, Array.from({ length: AGENTS }, (_, i) => shape(request(agentId('pol', name, i), ['sleep', '600']))));
      for (let i = 0; i < 3; i++) await supervisor.sampleNow();
      return { supervisor, costs: [] as number[] };
    }),
  );
  for (let i = 0; i < TICKS; i++) {
    for (const fleet of fleets) {
      const before = process.cpuUsage();
      await fleet.supervisor.sampleNow();
      const used = process.cpuUsage(before);
      fleet.costs.push((used.user + used.system) / 1000);
    }
  }
  for (const fleet of fleets) await ctx.release(fleet.supervisor);
  return { watched: fleets[0]!.costs, bare: fleets[1]!.costs };
}

async function restartOverhead(ctx: BenchContext): Promise<number[]> {
  progress('policies: restart overhead');
  const supervisor = await ctx.supervisor('policies-restart', 'proc');
  const id = agentId('pol', 'restart');
  const restart = { mode: 'on-failure', maxRestarts: 10, initialDelayMs: 100, maxDelayMs: 100, resetAfterMs: 60_000 } as const;
  await supervisor.spawnAgent({ ...request(id, ['false']), restart });
  await waitFor('10 restarts', async () => (await supervisor.getAgentStatus(id)).state === 'crash-looping', 30_000);
  const runs = await supervisor.getRunHistory(id);
  await ctx.release(supervisor);
  return runs.slice(1).map((run, i) => Date.parse(run.startedAt) - Date.parse(runs[i]!.endedAt!) - 100);
}

function maskThroughput(secretCount: number): number[] {
  const secrets = Array.from({ length: secretCount }, (_, i) => Buffer.from(`sk-${i}-${'x'.repeat(20 + i)}`));
  const line = Buffer.from('2026-11-27T12:00:00Z INFO worker 3 processed item 123456 in 12 ms {"ok":true}\n');
  const chunk = Buffer.alloc(64 * 1024);
  for (let at = 0; at < chunk.length; at += line.length) line.copy(chunk, at);
  const total = 64 * 1024 * 1024;
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    let emitted = 0;
    const masker = new LogMasker(() => secrets, (event) => (emitted += event.data.length));
    const began = performance.now();
    for (let offset = 0; offset < total; offset += chunk.length) {
      const event: LogEvent = { agentId: 'a', stream: 'stdout', offset, data: chunk };
      masker.push(event);
    }
    masker.releaseOlderThan(0);
    const seconds = (performance.now() - began) / 1000;
    if (emitted !== total) throw new Error(`masker emitted ${emitted} of ${total} bytes`);
    rounds.push(total / 1e6 / seconds);
  }
  return rounds;
}
