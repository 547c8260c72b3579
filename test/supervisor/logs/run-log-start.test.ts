/**
 * Each run records where its output starts in both logs (RunView.logStart,
 * logical offsets as readLog counts them), also across rotations: the Logs
 * tab's marker line between runs stands there. And Corral's own lines
 * (logs/corral-line.ts) are whole lines of their own.
 */
import { closeSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCorralLine, MAX_CORRAL_LINE_CHARS, writeCorralLine } from '../../../src-main/supervisor/logs/corral-line';
import { openForAppend } from '../../../src-main/supervisor/logs/safe-file';
import { idPrefix, request, tempDir, useSupervisor } from '../../helpers/agents';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('runlogstart');

describe('run log start', () => {
  it('every run\'s logStart is where its first output byte is, through rotated files', async () => {
    const supervisor = await useSupervisor(prefix, { logMaxBytes: 2_000, logMaxFiles: 10 });
    // 3 KB per run, with time for the tail to rotate the file while the run goes on.
    const script = "echo begin; head -c 3000 /dev/zero | tr '\\0' x; echo; printf 'err-begin\\n' >&2; sleep 0.4; exit 3";
    const req = request(prefix, ['/bin/sh', '-c', script], { restart: { mode: 'on-failure', maxRestarts: 2, initialDelayMs: 100, maxDelayMs: 200, resetAfterMs: 60_000 } });
    await supervisor.spawnAgent(req);
    await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).state === 'crash-looping', { timeoutMs: 20_000, what: 'three runs' });
    const { logDir } = await supervisor.getAgentStatus(req.agentId);
    expect(existsSync(path.join(logDir, 'stdout.log.1')), 'stdout was rotated').toBe(true);
    const runs = await supervisor.getRunHistory(req.agentId);
    expect(runs.map((run) => run.run)).toEqual([1, 2, 3]);
    expect(runs[0]!.logStart).toEqual({ stdout: 0, stderr: 0 });
    for (const run of runs) {
      const start = run.logStart!;
      const out = await supervisor.readLog(req.agentId, 'stdout', { before: start.stdout + 6, maxBytes: 6 });
      expect(Buffer.from(out.data).toString(), `run ${run.run}'s stdout starts at ${start.stdout}`).toBe('begin\n');
      // stderr: the previous run's "Restarting in" line ends just before.
      const err = await supervisor.readLog(req.agentId, 'stderr', { before: start.stderr + 10, maxBytes: 10 });
      expect(Buffer.from(err.data).toString(), `run ${run.run}'s stderr starts at ${start.stderr}`).toBe('err-begin\n');
    }
    expect(runs[2]!.logStart!.stdout).toBeGreaterThan(6_000);
  }, 30_000);
});

describe('Corral lines', () => {
  it('start on a new line after an agent\'s partial line, and right after a whole one', () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'stderr.log');
    writeFileSync(file, 'partial');
    const fd = openForAppend(file);
    try {
      writeCorralLine(fd, file, 'first');
      writeCorralLine(fd, file, 'second');
    } finally {
      closeSync(fd);
    }
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[0]).toBe('partial');
    expect(lines[1]).toMatch(/^\[corral \S+\] first$/);
    expect(lines[2]).toMatch(/^\[corral \S+\] second$/);
    expect(lines[3]).toBe('');
  });

  it('are one line, short enough never to be folded by the view', () => {
    const line = formatCorralLine(`spawn failed: ${'a'.repeat(50_000)}\nsecond line`);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(line.length).toBeLessThan(MAX_CORRAL_LINE_CHARS + 100);
    expect(line).toMatch(/ … \(\d+ more characters\)\n$/);
  });
});
