/**
 * Bad input through the contract service (what both hosts run): agent ids that
 * would name a folder elsewhere, and loader-injection environment keys.
 * Real engine, real processes.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AgentRequestView, Result, SpawnResultView } from '../../src-preload/contract';
import { createContractService, type HostAdapter } from '../../src-main/api/index';
import { fixture, idPrefix, NODE, useSupervisor, waitForLog } from '../helpers/agents';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const host: HostAdapter = { host: 'web', version: '0.0.0-test', nodeCommand: { program: NODE, env: {} }, demoAgentPath: path.join(REPO, 'resources/demo-agent.mjs') };

async function setUp(prefix: string) {
  const engine = await useSupervisor(prefix, { sampleIntervalMs: 200, stopTimeouts: { firstTermMs: 1500, secondTermMs: 500, killMs: 1000 } });
  const client = createContractService(engine, host).connect(() => undefined);
  const call = (name: string, input?: unknown) => client.call(name, input) as Promise<Result<unknown>>;
  return { engine, call };
}

function spawnInput(prefix: string, n: number, command: string[], extra: Record<string, unknown> = {}) {
  return { requestId: `${prefix}-r${n}`, agentId: `${prefix}-${n}`, agentName: `Agent ${n}`, agentType: 'test', command, ...extra };
}

describe('contract service: hostile input', () => {
  it('refuses agent ids with ../, /, NUL or 1000 characters with invalid-argument, and creates no folder', async () => {
    const prefix = idPrefix('svc-ids');
    const { engine, call } = await setUp(prefix);
    const ids = ['../escape', '../../etc/passwd', '/abs', 'a/b', 'a\\b', 'a\0b', '\0', 'a'.repeat(1000), `${'a'.repeat(999)}/`, '..', '.hidden'];
    for (const [n, agentId] of ids.entries()) {
      const result = await call('spawnAgent', { ...spawnInput(prefix, n, [NODE, fixture('sleeper.mjs')]), agentId });
      expect(result, JSON.stringify(agentId).slice(0, 60)).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringContaining('agentId') } });
    }
    expect(await engine.monitorAllAgents()).toEqual({});
    expect(existsSync(path.join(engine.dataDir, 'agents'))).toBe(false);
  });

  it('refuses loader keys with a message naming the key, and an allowLoaderEnv that is not a boolean', async () => {
    const prefix = idPrefix('svc-loader');
    const { engine, call } = await setUp(prefix);
    for (const [n, key] of ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'LD_DEBUG', 'DYLD_INSERT_LIBRARIES'].entries()) {
      const result = await call('spawnAgent', spawnInput(prefix, n, [NODE, fixture('sleeper.mjs')], { env: { [key]: '/tmp/evil.so' } }));
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
      const { message } = (result as { error: { message: string } }).error;
      expect(message).toContain(`${key} changes how every program loads; set "allow loader variables" to pass it`);
      expect(message).toMatch(/\benv\b/);
    }
    for (const allow of ['yes', 1, null]) {
      const result = await call('spawnAgent', spawnInput(prefix, 9, [NODE, fixture('sleeper.mjs')], { env: { LD_PRELOAD: '' }, allowLoaderEnv: allow }));
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringContaining('allowLoaderEnv') } });
    }
    expect(await engine.monitorAllAgents()).toEqual({});
    expect(existsSync(path.join(engine.dataDir, 'agents'))).toBe(false);
  });

  it('starts an agent with loader keys when allowLoaderEnv is true, shows the keys, and Run again keeps the permission', async () => {
    const prefix = idPrefix('svc-loader-ok');
    const { engine, call } = await setUp(prefix);
    const id = `${prefix}-1`;
    const spawned = (await call('spawnAgent', spawnInput(prefix, 1, [NODE, fixture('sleeper.mjs')], { env: { LD_BIND_NOW: '1' }, allowLoaderEnv: true }))) as Result<SpawnResultView>;
    expect(spawned).toMatchObject({ ok: true, value: { status: 'running' } });
    const pid = (spawned as { value: SpawnResultView }).value.pid!;
    await waitForLog(engine, id, 'up');
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain('LD_BIND_NOW=1');
    expect(((await call('getAgentRequest', { agentId: id })) as { value: AgentRequestView }).value.envKeys).toEqual(['LD_BIND_NOW']);
    expect(await call('stopAgent', { agentId: id })).toMatchObject({ ok: true, value: { outcome: 'stopped' } });
    const again = (await call('runAgain', { agentId: id })) as { ok: true; value: SpawnResultView };
    expect(again).toMatchObject({ ok: true, value: { status: 'running' } });
    expect(readFileSync(`/proc/${again.value.pid}/environ`, 'utf8').split('\0')).toContain('LD_BIND_NOW=1');
  });
});
