/**
 * Status events carry the agents that changed (view-changes.ts), over a real engine: a quiet agent
 * drops out of them, one that keeps writing stays in every one, a client's first event has every
 * agent, and an agent that ends is in the next one.
 */
import { describe, expect, it } from 'vitest';
import { runtimeSecondsAt, type StatusEventView } from '../../src-preload/contract';
import { createContractService } from '../../src-main/api/index';
import { fixture, idPrefix, NODE, useSupervisor } from '../helpers/agents';
import { testHost } from '../helpers/host-adapter';
import { waitFor } from '../helpers/wait';

const prefix = idPrefix('svc-changes');

function spawnInput(n: number, command: string[]) {
  return { requestId: `${prefix}-r${n}`, agentId: `${prefix}-${n}`, agentName: `Agent ${n}`, agentType: 'test', command };
}

describe('status events', () => {
  it('carry only the agents that changed, every agent in a connection’s first', async () => {
    const engine = await useSupervisor(prefix, { sampleIntervalMs: 100 });
    const service = createContractService(engine, testHost);
    const early = service.connect(() => {});
    const quiet = spawnInput(1, [NODE, fixture('sleeper.mjs')]);
    const chatty = spawnInput(2, [NODE, '-e', 'setInterval(() => console.log("tick"), 40)']);
    for (const input of [quiet, chatty]) expect(await early.call('spawnAgent', input)).toMatchObject({ ok: true });
    await waitFor(async () => (await engine.getAgentStatus(quiet.agentId)).descendantCount === 0 && (await engine.getAgentStatus(quiet.agentId)).state === 'running');

    // Once its figures have settled, the quiet agent is left out; the chatty one's last output moves every tick.
    const later: StatusEventView[] = [];
    const client = service.connect((event, payload) => event === 'status' && later.push(payload as StatusEventView));
    await waitFor(() => later.length >= 1);
    expect(Object.keys(later[0]!.agents).sort()).toEqual([quiet.agentId, chatty.agentId].sort());
    const settled = await waitFor(() => {
      const run = later.slice(-5);
      return run.length === 5 && run.every((event) => !(quiet.agentId in event.agents)) && run;
    }, { what: 'five events in a row without the quiet agent', timeoutMs: 20_000 });
    for (const event of settled) expect(Object.keys(event.agents)).toContain(chatty.agentId);
    // Its runtime moves without it: a UI computes it from its start and the event's time, as the engine does.
    const view = later[0]!.agents[quiet.agentId]!;
    const last = settled.at(-1)!;
    const engineRuntime = (await engine.getAgentStatus(quiet.agentId)).runtimeSeconds;
    expect(runtimeSecondsAt(Date.parse(view.startedAt!), null, Date.parse(last.at))).toBeGreaterThan(view.runtimeSeconds);
    expect(Math.abs(runtimeSecondsAt(Date.parse(view.startedAt!), null, Date.now()) - engineRuntime)).toBeLessThan(1);

    // Its end is a change: the next events carry it.
    await engine.killAgent(quiet.agentId, { force: true });
    const ended = await waitFor(() => later.find((event) => event.agents[quiet.agentId]?.state === 'cancelled'), { what: 'the end in a status event' });
    expect(ended.agents[quiet.agentId]!.endedAt).not.toBeNull();
    early.close();
    client.close();
    service.close();
  });
});
