/**
 * The lifecycle calls through the contract service over a real engine: run
 * history, policy changes (valid and not), and secrets that never leave main.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AgentRequestView, AgentView, EventName, EventPayloads, HostInfoView, Result, RunView } from '../../src-preload/contract';
import { createContractService, type HostAdapter } from '../../src-main/api/index';
import { idPrefix, NODE, tempDir, useSupervisor } from '../helpers/agents';
import { waitFor } from '../helpers/wait';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SECRET = 'ghp_corralTestSecret0123456789';

const host: HostAdapter = {
  host: 'web',
  version: '0.0.0-test',
  nodeCommand: { program: NODE, env: {} },
  demoAgentPath: path.join(REPO, 'resources/demo-agent.mjs'),
};

async function setUp(prefix: string, dataDir = tempDir()) {
  const engine = await useSupervisor(prefix, { dataDir, sampleIntervalMs: 100, logPollMs: 20 });
  const service = createContractService(engine, host);
  const received: { event: EventName; payload: EventPayloads[EventName] }[] = [];
  const client = service.connect((event, payload) => received.push({ event, payload }));
  const answers: unknown[] = [];
  const call = async (name: string, input?: unknown) => {
    const result = await client.call(name, input);
    answers.push(result);
    return result;
  };
  const ok = async <T>(name: string, input?: unknown): Promise<T> => {
    const result = (await call(name, input)) as Result<T>;
    if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`);
    return result.value;
  };
  return { engine, service, received, answers, call, ok };
}

const restart = { mode: 'on-failure', maxRestarts: 2, initialDelayMs: 100, maxDelayMs: 200, resetAfterMs: 60_000 } as const;

describe('lifecycle calls', () => {
  it('getRunHistory lists every run with its exit, and the agent view carries the verdict', async () => {
    const prefix = idPrefix('calls-runs');
    const { ok } = await setUp(prefix);
    await ok('spawnAgent', { requestId: `${prefix}-r`, agentId: `${prefix}-a`, agentName: 'Loop', agentType: 'test', command: [NODE, '-e', 'process.exit(7)'], restart });
    const view = await waitFor(async () => {
      const agent = await ok<AgentView>('getAgent', { agentId: `${prefix}-a` });
      return agent.state === 'crash-looping' && agent;
    });
    expect(view).toMatchObject({ health: 'failed', restarts: 2, runCount: 3, policies: { restart, stall: { quietMs: 300_000, cpuBelowPercent: 5 }, guard: null, niceness: null } });
    const runs = await ok<RunView[]>('getRunHistory', { agentId: `${prefix}-a` });
    expect(runs.map((run) => [run.run, run.trigger, run.exit?.summary])).toEqual([
      [1, 'user', 'Exited with code 7.'],
      [2, 'restart', 'Exited with code 7.'],
      [3, 'restart', 'Exited with code 7.'],
    ]);
  });

  it('updateAgentPolicies changes a live agent, refuses bad policies with invalid-argument and changes nothing then', async () => {
    const prefix = idPrefix('calls-policies');
    const { ok, call } = await setUp(prefix);
    const agentId = `${prefix}-a`;
    await ok('spawnAgent', { requestId: `${prefix}-r`, agentId, agentName: 'Sleeper', agentType: 'test', command: ['sleep', '30'] });
    const guard = { memoryMb: 512, cpuPercent: null, sustainedMs: 5000, action: 'stop' };
    const changed = await ok<AgentView>('updateAgentPolicies', { agentId, guard, stall: null, niceness: 3 });
    expect(changed.policies).toMatchObject({ guard, stall: null, niceness: 3 });
    for (const bad of [
      { agentId, guard: { memoryMb: null, cpuPercent: null, sustainedMs: 5000, action: 'stop' } }, // no limit at all
      { agentId, guard: { ...guard, action: 'explode' } },
      { agentId, restart: { ...restart, maxRestarts: -1 } },
      { agentId, restart: { ...restart, initialDelayMs: 10 } },
      { agentId, stall: { quietMs: 0, cpuBelowPercent: 5 } },
      { agentId, niceness: 20 },
      { agentId, niceness: 1.5 },
      { agentId, extra: true },
      { agentId: '../etc', niceness: 1 },
    ]) {
      const result = await call('updateAgentPolicies', bad);
      expect(result, JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    }
    expect((await ok<AgentView>('getAgent', { agentId })).policies).toEqual(changed.policies);
    expect(await call('updateAgentPolicies', { agentId: `${prefix}-nobody`, niceness: 1 })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('never sends a secret value to a client: not in answers, events or log slices; the request view names the key', async () => {
    const prefix = idPrefix('calls-secret');
    const { ok, received, answers } = await setUp(prefix);
    const agentId = `${prefix}-a`;
    await ok('followLogs', { agentIds: [agentId] });
    await ok('spawnAgent', {
      requestId: `${prefix}-r`,
      agentId,
      agentName: 'Leaky',
      agentType: 'test',
      command: [NODE, '-e', "console.log('the token is ' + process.env.GH_TOKEN); console.error(process.env.GH_TOKEN)"],
      secretEnv: { GH_TOKEN: SECRET },
      env: { VISIBLE: 'yes' },
    });
    await waitFor(async () => (await ok<AgentView>('getAgent', { agentId })).state === 'completed');
    await waitFor(() => received.some((entry) => entry.event === 'log'), { what: 'a log event' });
    const request = await ok<AgentRequestView>('getAgentRequest', { agentId });
    expect(request.envKeys).toEqual(['VISIBLE']);
    expect(request.secretEnvKeys).toEqual(['GH_TOKEN']);
    const slice = await ok<{ data: string }>('readLog', { agentId, stream: 'stdout', maxBytes: 4096 });
    expect(Buffer.from(slice.data, 'base64').toString()).toBe(`the token is ${'*'.repeat(SECRET.length)}\n`);
    await ok('getAgent', { agentId });
    const info = await ok<HostInfoView>('getHostInfo');
    expect(info.secretStorage).toBe('memory-only');
    // Everything that left the service, decoded: log data is base64, so decode it before looking.
    const decoded = received.map((entry) => (entry.event === 'log' ? Buffer.from((entry.payload as { data: string }).data, 'base64').toString() : JSON.stringify(entry.payload)));
    const everything = [...decoded, JSON.stringify(answers), Buffer.from(slice.data, 'base64').toString()].join('\n');
    expect(everything).toContain('the token is ***');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(SECRET.slice(0, 12));
  });
});
