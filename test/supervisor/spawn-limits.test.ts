/**
 * Requests the OS or the file system would turn against Corral: a command line
 * over the kernel's limits (E2BIG, thrown by spawn before any process exists)
 * and agent ids that differ only in case (one folder on macOS and Windows).
 * Real processes, the real engine.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_ARG_BYTES } from '../../src-preload/contract';
import { fixture, idPrefix, NODE, readLog, request, useSupervisor } from '../helpers/agents';
import { waitFor } from '../helpers/wait';

const prefix = idPrefix('limits');

describe('a command line over the OS limits', () => {
  it('is a spawn-failed naming ARG_MAX when all arguments together are too large, and nothing runs', async () => {
    const supervisor = await useSupervisor(prefix);
    // Each argument is within the per-argument limit; together they are far over any usual ARG_MAX (2 MiB).
    const req = request(prefix, [NODE, fixture('echo-args.mjs'), ...Array.from({ length: 40 }, () => 'x'.repeat(100_000))]);
    const answer = await supervisor.spawnAgent(req);
    expect(answer).toMatchObject({ status: 'failed', errorKind: 'spawn-failed' });
    expect(answer.pid).toBeUndefined();
    expect(answer.error).toMatch(/E2BIG/);
    expect(answer.error).toMatch(/about \d+ bytes together, over ARG_MAX \(see `getconf ARG_MAX`\)/);
    expect(answer.error).toMatch(/on stdin/);
    // Refused before any process existed: no record, and not the folder the log files were opened in either.
    await expect(supervisor.getAgentStatus(req.agentId)).rejects.toMatchObject({ kind: 'not-found' });
    expect(existsSync(path.join(supervisor.dataDir, 'agents', req.agentId))).toBe(false);
  });

  it.runIf(process.platform === 'linux')('is a spawn-failed naming MAX_ARG_STRLEN when one environment entry is over it', async () => {
    const supervisor = await useSupervisor(prefix);
    // "BIG=" + 131072 bytes: the value passes the schema's length, the entry is over the kernel's limit for one string.
    const req = request(prefix, [NODE, fixture('echo-args.mjs')], { env: { BIG: 'x'.repeat(131_072) } });
    const answer = await supervisor.spawnAgent(req);
    expect(answer).toMatchObject({ status: 'failed', errorKind: 'spawn-failed' });
    expect(answer.error).toContain(`holds 131076 bytes, over the ${MAX_ARG_BYTES}-byte limit of each (MAX_ARG_STRLEN)`);
  });

  it('refuses, before any spawn, one argument a byte over the OS limit, counted in UTF-8 bytes', async () => {
    const supervisor = await useSupervisor(prefix);
    expect(MAX_ARG_BYTES).toBe(128 * 1024 - 1);
    for (const arg of ['x'.repeat(MAX_ARG_BYTES + 1), 'é'.repeat((MAX_ARG_BYTES + 1) / 2), '😀'.repeat(32_768)]) {
      expect(Buffer.byteLength(arg)).toBeGreaterThan(MAX_ARG_BYTES);
      const req = request(prefix, [NODE, fixture('echo-args.mjs'), arg]);
      const answer = await supervisor.spawnAgent(req);
      expect(answer).toMatchObject({ status: 'failed', errorKind: 'invalid-argument' });
      expect(answer.error).toContain(`one argument is at most ${MAX_ARG_BYTES} bytes`);
      await expect(supervisor.getAgentStatus(req.agentId)).rejects.toMatchObject({ kind: 'not-found' });
    }
  });

  it('runs an argument of exactly the OS limit, ASCII or not: the schema allows every byte the OS does', async () => {
    const supervisor = await useSupervisor(prefix);
    for (const arg of ['x'.repeat(MAX_ARG_BYTES), `${'€'.repeat((MAX_ARG_BYTES - 1) / 3)}x`]) {
      expect(Buffer.byteLength(arg)).toBe(MAX_ARG_BYTES);
      const req = request(prefix, [NODE, fixture('echo-args.mjs'), arg, '--no-stdin']);
      expect(await supervisor.spawnAgent(req)).toMatchObject({ status: expect.stringMatching(/^(running|exited)$/) });
      const status = await waitFor(async () => {
        const current = await supervisor.getAgentStatus(req.agentId);
        return current.state === 'completed' && current;
      });
      const echoed = JSON.parse(readLog(status.logDir, 'stdout')) as { argv: string[] };
      expect(echoed.argv[0] === arg).toBe(true);
    }
  });
});

describe('agent ids that differ only in case', () => {
  it('are refused as duplicates, naming the existing id, while it runs and after it ended', async () => {
    const supervisor = await useSupervisor(prefix);
    const first = request(prefix, [NODE, fixture('sleeper.mjs')]);
    const mixed = `${first.agentId}-Case`;
    const spawned = await supervisor.spawnAgent({ ...first, agentId: mixed });
    expect(spawned.status).toBe('running');

    for (const twin of [mixed.toLowerCase(), mixed.toUpperCase().replace(prefix.toUpperCase(), prefix)]) {
      const refused = await supervisor.spawnAgent({ ...first, requestId: `${twin}-req`, agentId: twin });
      expect(refused).toMatchObject({ status: 'failed', errorKind: 'already-running' });
      expect(refused.error).toContain(`"${mixed}"`);
      expect(refused.error).toMatch(/only in case/);
      await expect(supervisor.getAgentStatus(twin)).rejects.toMatchObject({ kind: 'not-found' });
    }

    await supervisor.killAgent(mixed);
    const ended = await supervisor.spawnAgent({ ...first, requestId: `${mixed}-after`, agentId: mixed.toLowerCase() });
    expect(ended).toMatchObject({ status: 'failed', errorKind: 'already-running' });
    expect(Object.keys(await supervisor.monitorAllAgents())).toEqual([mixed]);
    // The same id, exactly, may run again once it has ended.
    expect(await supervisor.spawnAgent({ ...first, requestId: `${mixed}-again`, agentId: mixed })).toMatchObject({ status: 'running' });
  });
});
