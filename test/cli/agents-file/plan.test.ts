/**
 * The planner (pure): from a loaded file and the host's agents, what apply
 * and down do and in which order.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintIn, loadAgentsFile, planApply, planDown, type AgentsFile, type CurrentAgent } from '../../../src-main/cli/agents-file';
import type { AgentState } from '../../../src-preload/contract';
import { tempDir } from '../../helpers/agents';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function load(text: string, name = 'agents.yaml'): Promise<AgentsFile> {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  const result = await loadAgentsFile(file);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const FILE = `
agents:
  db: { command: [db] }
  cache: { command: [cache] }
  web:
    command: [web]
    depends_on: { db: started, cache: { log: ready } }
  smoke:
    command: [smoke]
    depends_on: { web: completed }
`;

/** The host's view of a file agent: its env keys as the contract shows them. */
function current(file: AgentsFile, name: string, state: AgentState, fromFile = true): CurrentAgent {
  const agent = file.agents.find((candidate) => candidate.name === name)!;
  const envKeys = fromFile ? Object.keys(agent.request.env ?? {}) : [];
  return { agentId: agent.agentId, state, exitCode: null, envKeys };
}

const summary = (waves: { action: string; reason: string; agent: { name: string } }[][]) => waves.map((wave) => wave.map((step) => `${step.agent.name}:${step.action}:${step.reason}`));

describe('planApply', () => {
  it('starts everything new, in dependency waves', async () => {
    const file = await load(FILE);
    const plan = planApply(file, []);
    if (!plan.ok) throw new Error(plan.error.message);
    expect(summary(plan.value.waves)).toEqual([['db:start:new', 'cache:start:new'], ['web:start:new'], ['smoke:start:new']]);
    expect(plan.value.changes).toBe(4);
  });

  it('leaves unchanged agents, restarts changed ones, starts ended ones again', async () => {
    const before = await load(FILE);
    const after = await load(FILE.replace('command: [web]', 'command: [web, --v2]'), 'changed.yaml');
    expect(fingerprintIn(Object.keys(after.agents[2]!.request.env!))).not.toBe(before.agents[2]!.fingerprint);
    const plan = planApply(after, [current(before, 'db', 'running'), current(before, 'cache', 'failed'), current(before, 'web', 'running'), current(before, 'smoke', 'completed')]);
    if (!plan.ok) throw new Error(plan.error.message);
    expect(summary(plan.value.waves)).toEqual([['db:leave:unchanged', 'cache:start:not-running'], ['web:restart:changed'], ['smoke:leave:completed']]);
    expect(plan.value.changes).toBe(2);
  });

  it('changes nothing when everything is as the file says', async () => {
    const file = await load(FILE);
    const plan = planApply(file, [current(file, 'db', 'running'), current(file, 'cache', 'backoff'), current(file, 'web', 'spawning'), current(file, 'smoke', 'completed')]);
    expect(plan.ok && plan.value.changes).toBe(0);
  });

  it('waits out a stop in progress, and replaces an ended agent of the same id', async () => {
    const file = await load(FILE);
    const plan = planApply(file, [current(file, 'db', 'stopping'), current(file, 'cache', 'cancelled', false)]);
    if (!plan.ok) throw new Error(plan.error.message);
    expect(summary(plan.value.waves)[0]).toEqual(['db:restart:stopping', 'cache:start:not-from-file']);
  });

  it('refuses to replace a live agent that no agents file started', async () => {
    const file = await load(FILE);
    const plan = planApply(file, [current(file, 'db', 'running', false)]);
    expect(plan).toMatchObject({ ok: false, error: { kind: 'id-conflict', agentIds: ['db'] } });
    expect(!plan.ok && plan.error.message).toMatch(/db is running but was not started from an agents file; stop it \(corral stop db\)/);
  });
});

describe('planDown', () => {
  it('stops in the reverse order, only what runs and came from a file', async () => {
    const file = await load(FILE);
    const plan = planDown(file, [current(file, 'db', 'running'), current(file, 'cache', 'running', false), current(file, 'web', 'backoff'), current(file, 'smoke', 'completed')]);
    expect(summary(plan.waves)).toEqual([['smoke:skip:not-running'], ['web:stop:running'], ['db:stop:running', 'cache:skip:not-from-file']]);
    expect(plan.changes).toBe(2);
    expect(summary(planDown(file, []).waves).flat()).toEqual(['smoke:skip:unknown', 'web:skip:unknown', 'db:skip:unknown', 'cache:skip:unknown']);
  });
});
