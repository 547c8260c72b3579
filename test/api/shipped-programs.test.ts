/**
 * Programs Corral ships are named in a request, not by path, and resolved at
 * each spawn by the host that runs it (src-main/api/shipped-programs.ts): a
 * request saved while Corral was installed in one folder runs again — by
 * *Run again* and by a restart policy — after it moved to another, the first
 * folder gone (a packaged AppImage is mounted at a new path on every launch).
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContractService, type HostAdapter } from '../../src-main/api/index';
import { resolveShippedPrograms } from '../../src-main/api/shipped-programs';
import type { AgentRequestView, AgentView, PresetView, Result, SpawnRequest } from '../../src-preload/contract';
import { SHIPPED_PROGRAM } from '../../src-preload/contract';
import { FIXTURES, idPrefix, NODE, tempDir, useSupervisor } from '../helpers/agents';
import { waitFor } from '../helpers/wait';

const DEMO_AGENT = path.resolve(FIXTURES, '..', '..', 'resources', 'demo-agent.mjs');

/** A fake install of Corral: its own copy of the demo agent, and a Node that marks the agents it runs with the install's name. */
function install(root: string, name: string): HostAdapter {
  const resources = path.join(root, `Corral ${name}`, 'resources');
  mkdirSync(resources, { recursive: true });
  copyFileSync(DEMO_AGENT, path.join(resources, 'demo-agent.mjs'));
  return { host: 'web', version: '0.0.0-test', nodeCommand: { program: NODE, env: { CORRAL_TEST_INSTALL: name } }, demoAgentPath: path.join(resources, 'demo-agent.mjs') };
}

/** What the process really runs: its argv and the install it was told of (Linux /proc). */
function running(pid: number): { argv: string[]; install: string | undefined } {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  return { argv, install: environ.find((entry) => entry.startsWith('CORRAL_TEST_INSTALL='))?.slice('CORRAL_TEST_INSTALL='.length) };
}

async function open(prefix: string, dataDir: string, host: HostAdapter) {
  const engine = await useSupervisor(prefix, { dataDir, sampleIntervalMs: 100, logPollMs: 20, resolveRequest: resolveShippedPrograms(host) });
  const service = createContractService(engine, host);
  const client = service.connect(() => undefined);
  const ok = async <T>(name: string, input?: unknown): Promise<T> => {
    const result = (await client.call(name, input)) as Result<T>;
    if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`);
    return result.value;
  };
  const close = async () => {
    client.close();
    service.close();
    await engine.close();
  };
  const runningAgent = (agentId: string, notPid?: number) =>
    waitFor(async () => {
      const view = await ok<AgentView>('getAgent', { agentId });
      return view.state === 'running' && view.pid !== null && view.pid !== notPid && view.pid;
    }, { what: `${agentId} running`, timeoutMs: 15_000 });
  return { engine, ok, close, runningAgent };
}

describe('programs shipped with Corral', () => {
  it('a Demo agent saved under one install runs again and restarts under another, the first one deleted', async () => {
    const prefix = idPrefix('shipped');
    const root = tempDir();
    const dataDir = path.join(root, 'data');
    const hostA = install(root, 'A');
    const hostB = install(root, 'B');

    const a = await open(prefix, dataDir, hostA);
    const demo = (await a.ok<PresetView[]>('listPresets')).find((preset) => preset.id === 'demo')!;
    expect(demo.available).toBe(true);
    const demoRequest = (agentId: string, extra: Partial<SpawnRequest> = {}): SpawnRequest => ({
      requestId: `${agentId}-r`,
      agentId,
      agentName: agentId,
      agentType: demo.agentType,
      command: [...demo.command.map((arg) => (arg === '{prompt}' ? 'move house' : arg)), '--seconds', '120'],
      env: demo.env,
      ...extra,
    });
    // Restarted by its policy: due 1.5 s after a failure, so after this Corral has closed.
    const restarting = `${prefix}-restart`;
    const restart = { mode: 'on-failure', maxRestarts: 2, initialDelayMs: 1500, maxDelayMs: 1500, resetAfterMs: 60_000 } as const;
    await a.ok('spawnAgent', demoRequest(restarting, { restart }));
    const again = `${prefix}-again`;
    await a.ok('spawnAgent', demoRequest(again));

    const firstPid = await a.runningAgent(restarting);
    expect(running(firstPid)).toEqual({ argv: [NODE, hostA.demoAgentPath, '--prompt', 'move house', '--seconds', '120'], install: 'A' });
    // What is saved names the programs, never install A's paths.
    const saved = await a.ok<AgentRequestView>('getAgentRequest', { agentId: restarting });
    expect(saved.command.slice(0, 2)).toEqual([SHIPPED_PROGRAM.node, SHIPPED_PROGRAM.demoAgent]);

    process.kill(-firstPid, 'SIGKILL'); // its whole group: the demo's worker too
    await waitFor(async () => (await a.ok<AgentView>('getAgent', { agentId: restarting })).state === 'backoff', { what: 'the restart to be pending' });
    await a.runningAgent(again);
    await a.ok('stopAgent', { agentId: again });
    await a.close();
    expect(readFileSync(path.join(dataDir, 'state.json'), 'utf8')).not.toContain(hostA.demoAgentPath);
    rmSync(path.dirname(path.dirname(hostA.demoAgentPath)), { recursive: true, force: true });

    const b = await open(prefix, dataDir, hostB);
    // The restart that came due while no Corral ran: install B's script, B's Node environment.
    const restartedPid = await b.runningAgent(restarting, firstPid);
    expect(running(restartedPid)).toEqual({ argv: [NODE, hostB.demoAgentPath, '--prompt', 'move house', '--seconds', '120'], install: 'B' });
    // Run again.
    await b.ok('runAgain', { agentId: again });
    const againPid = await b.runningAgent(again);
    expect(running(againPid)).toEqual({ argv: [NODE, hostB.demoAgentPath, '--prompt', 'move house', '--seconds', '120'], install: 'B' });
    expect((await b.ok<AgentRequestView>('getAgentRequest', { agentId: again })).command[1]).toBe(SHIPPED_PROGRAM.demoAgent);
    await b.ok('stopAll', { force: true });
  }, 60_000);
});

describe('resolveShippedPrograms', () => {
  const host = { nodeCommand: { program: '/opt/Corral/corral', env: { ELECTRON_RUN_AS_NODE: '1', SHARED: 'host' } }, demoAgentPath: '/opt/Corral/resources/demo-agent.mjs' };
  const resolve = resolveShippedPrograms(host);
  const base = { requestId: 'r', agentId: 'a', agentName: 'a', agentType: 't' };

  it("names the host's Node with its environment under the request's own, and the demo agent's path", () => {
    const request: SpawnRequest = { ...base, command: [SHIPPED_PROGRAM.node, SHIPPED_PROGRAM.demoAgent, '--note', `x${SHIPPED_PROGRAM.demoAgent}`], env: { SHARED: 'request' } };
    expect(resolve(request)).toEqual({ ...request, command: ['/opt/Corral/corral', host.demoAgentPath, '--note', `x${SHIPPED_PROGRAM.demoAgent}`], env: { ELECTRON_RUN_AS_NODE: '1', SHARED: 'request' } });
    expect(request.command[0]).toBe(SHIPPED_PROGRAM.node); // the saved request is left as it is
  });

  it('leaves an old request with absolute paths, and another program given the script, as they are (no Node environment added)', () => {
    const old: SpawnRequest = { ...base, command: ['/tmp/.mount_old/corral', '/tmp/.mount_old/resources/demo-agent.mjs'], env: { ELECTRON_RUN_AS_NODE: '1' } };
    expect(resolve(old)).toBe(old);
    const other: SpawnRequest = { ...base, command: ['/usr/bin/node', SHIPPED_PROGRAM.demoAgent] };
    expect(resolve(other)).toEqual({ ...other, command: ['/usr/bin/node', host.demoAgentPath] });
    expect(resolve({ ...base, command: ['node', SHIPPED_PROGRAM.node] }).command).toEqual(['node', SHIPPED_PROGRAM.node]); // only as the program
  });
});
