/**
 * `corral run` with no host starts one in the background (saying so once),
 * the next `corral run` uses it, agents see CORRAL_SOCKET and become children
 * of the agent that ran them, and `corral shutdown --stop-agents` leaves no
 * agent process and no host behind (checked in /proc).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentRow } from '../../src-main/cli/agents';
import { readLockHolder } from '../../src-main/client/index';
import { isPidAlive, NODE } from '../helpers/agents';
import { waitFor } from '../helpers/wait';
import { agentPids, CLI, corral, corralJson, dataFolder, trackHost } from './cli-harness';

describe('the background host', () => {
  it('is started by the first `corral run`, used by the next (and by agents inside it), and ended by `corral shutdown --stop-agents`', async () => {
    const dataDir = dataFolder();
    const d = ['--data-dir', dataDir];
    const first = await corral(['run', ...d, '--id', 'first', '--', 'sleep', '60']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('first\n');
    const host = readLockHolder(dataDir)!;
    trackHost(host.pid);
    expect(first.stderr).toBe(`Started a Corral host in the background (pid ${host.pid}) on ${dataDir}; its log is ${path.join(dataDir, 'host.log')}. Stop it with \`corral shutdown\`.\n`);
    expect(host.kind).toBe('engine');

    // An orchestrator agent runs `corral run` twice, with no flags: its workers are its children, on the same host.
    const orchestrator = await corral(['run', ...d, '--id', 'boss', '--', 'sh', '-c', `"${NODE}" "${CLI}" run --id w1 -- sleep 60 && "${NODE}" "${CLI}" run --id w2 -- sleep 60 && sleep 60`]);
    expect(orchestrator).toMatchObject({ code: 0, stderr: '' });
    const rows = await waitFor(async () => {
      const listed = await corralJson<AgentRow[]>(['ls', ...d]);
      return listed.length === 4 ? listed : null;
    }, { timeoutMs: 20_000, what: 'four agents' });
    expect(Object.fromEntries(rows.map((row) => [row.id, row.parent]))).toEqual({ first: null, boss: null, w1: 'boss', w2: 'boss' });
    expect(readLockHolder(dataDir)!.pid).toBe(host.pid);
    expect(agentPids(dataDir).length).toBeGreaterThanOrEqual(4);

    const down = await corral(['shutdown', '--stop-agents', ...d]);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain(`(pid ${host.pid}) has shut down`);
    expect(isPidAlive(host.pid)).toBe(false);
    expect(agentPids(dataDir)).toEqual([]);
    expect(existsSync(path.join(dataDir, 'corral.sock'))).toBe(false);
    // Nothing left to shut down: still 0; and without a host, commands exit 3.
    expect((await corral(['shutdown', ...d])).code).toBe(0);
    expect((await corral(['ls', ...d])).code).toBe(3);
  }, 120_000);
});
