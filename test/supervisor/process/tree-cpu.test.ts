/**
 * A tree's CPU figure while it holds members too young to measure (under 100 ms old: cpu-tracker.ts).
 * An agent that keeps starting short commands — as coding agents do — has a figure on every tick: the
 * newborn adds 0. Without a cgroup (whose own count stands in for the sum) it read as unknown on
 * every tick that landed in a command's first 100 ms.
 */
import { describe, expect, it } from 'vitest';
import { idPrefix, request, useSupervisor, waitForTicks } from '../../helpers/agents';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('tree-cpu');

describe.skipIf(process.platform !== 'linux')('the tree CPU of an agent that keeps starting short commands (process-group)', () => {
  it('is a figure on every tick, never unknown while a command is newborn', async () => {
    const supervisor = await useSupervisor(prefix, { containment: 'process-group', sampleIntervalMs: 100 });
    const req = request(prefix, ['sh', '-c', 'while :; do sleep 0.03; done']);
    await supervisor.spawnAgent(req);
    await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).descendantCount > 0, { what: 'a first command' });
    const ticks = await waitForTicks(supervisor, 20);
    const figures = ticks.map((tick) => tick.agents[req.agentId]!.treeCpuPercent);
    expect(figures.filter((figure) => figure === null)).toEqual([]);
    // Newborn commands were there to be counted: some ticks saw one alive.
    expect(ticks.some((tick) => tick.agents[req.agentId]!.descendantCount > 0)).toBe(true);
  });
});
