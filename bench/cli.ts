/**
 * The `corral` command's latency (BENCH_ONLY=cli): wall time of whole CLI
 * processes against a real host (`corral serve --no-web` as a child) over its
 * socket, Node's own start measured in the same run as the floor.
 *
 * - `corral ls --json` with 100 agents: process start → exit (100 rows parsed).
 * - `corral run -- sleep 60`: process start → its id line on stdout.
 * - `node -e ''`: process start → exit, interleaved with the rounds above.
 *
 * Agents carry CORRAL_AGENT_ID=bench<pid>-cli-…, so the bench's final sweep
 * finds any left; the host is stopped (agents SIGKILLed first) at the end.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connect } from '../src-main/client/index';
import { PREFIX, progress, sleep, type BenchContext } from './harness';
import { heading, ratioRow, row, type Line } from './stats';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO, 'out', 'cli', 'corral.js');
const AGENTS = 100;
const ROUNDS = 15;

export const CLI_FOOTNOTES = [
  '[c1] Wall time of one `node out/cli/corral.js …` process from spawn to exit (ls) or to its id line on stdout (run), against a `corral serve --no-web` host over its Unix socket; the floor is `node -e \'\'` from spawn to exit, interleaved round by round with the others. 100 live `sleep` agents for ls.',
];

/** Runs `node ARGS…`; resolves with the wall ms until `done(stdout)` or exit, and the stdout. */
function timed(args: string[], done: (stdout: string) => boolean = () => false): Promise<{ ms: number; stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    let stdout = '';
    let doneAt: number | null = null;
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CORRAL_DATA_DIR: '' } });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (doneAt === null && done(stdout)) doneAt = performance.now();
    });
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) => resolve({ ms: (doneAt ?? performance.now()) - began, stdout, code }));
  });
}

export async function benchCli(ctx: BenchContext): Promise<Line[]> {
  if (!existsSync(CLI)) execFileSync(process.execPath, [path.join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'scripts/cli.vite.config.mjs'], { cwd: REPO, stdio: 'inherit' });
  const dataDir = path.join(ctx.root, 'cli');
  const host = spawn(process.execPath, [CLI, 'serve', '--no-web', '--data-dir', dataDir, '--sample-ms', '1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const hostExited = new Promise<void>((resolve) => host.once('close', () => resolve()));
  let out = '';
  host.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const d = ['--data-dir', dataDir];
  try {
    for (let waited = 0; !out.includes('Corral local socket:'); waited += 20) {
      if (waited > 30_000 || host.exitCode !== null) throw new Error(`the CLI host did not start: ${out}`);
      await sleep(20);
    }
    const client = await connect({ dataDir });
    progress(`cli: starting ${AGENTS} agents`);
    for (let i = 0; i < AGENTS; i++) {
      const agentId = `${PREFIX}-cli-${i}`;
      const started = await client.call('spawnAgent', { requestId: agentId, agentId, agentName: 'sleep', agentType: 'bench', command: ['sleep', '600'] });
      if (!started.ok || started.value.status !== 'running') throw new Error(`cli: ${agentId} did not start`);
    }
    const floor: number[] = [];
    const ls: number[] = [];
    const run: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      progress(`cli: round ${round + 1}/${ROUNDS}`);
      floor.push((await timed(['-e', ''])).ms);
      const listed = await timed([CLI, 'ls', '--json', ...d]);
      const rows = JSON.parse(listed.stdout) as unknown[];
      if (listed.code !== 0 || rows.length !== AGENTS) throw new Error(`cli: ls --json listed ${rows.length} agents (exit ${listed.code})`);
      ls.push(listed.ms);
      const ran = await timed([CLI, 'run', '--id', `${PREFIX}-cli-run-${round}`, ...d, '--', 'sleep', '60'], (stdout) => stdout.endsWith('\n'));
      if (ran.code !== 0) throw new Error(`cli: corral run exited ${ran.code}`);
      run.push(ran.ms);
      // Keep the listing at 100 agents.
      await client.call('stopAgent', { agentId: `${PREFIX}-cli-run-${round}`, force: true });
      await client.call('removeAgent', { agentId: `${PREFIX}-cli-run-${round}` });
    }
    const nodeRow = row("node -e '' (floor, same run)", 'ms', floor, null, '[c1]');
    const lsRow = row(`corral ls --json, ${AGENTS} agents`, 'ms', ls, { op: '<=', value: 150 }, '[c1]');
    const runRow = row('corral run -- sleep 60 → id printed', 'ms', run, { op: '<=', value: 200 }, '[c1]');
    const lines: Line[] = [heading('cli: whole `corral` processes over the local socket'), nodeRow, lsRow, ratioRow('ls ÷ node floor', lsRow, nodeRow), runRow];
    const stopped = await client.call('stopAll', { force: true });
    if (!stopped.ok || stopped.value.unkillable.length > 0) throw new Error(`cli: stopAll left agents: ${JSON.stringify(stopped)}`);
    await client.close();
    return lines;
  } finally {
    host.kill('SIGTERM');
    await hostExited;
  }
}
