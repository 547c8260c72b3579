/**
 * listOrphans / stopOrphans through the contract service over a real engine:
 * bad payloads are refused before the engine, the status summary carries the
 * sweep's count, and a stop ends the process.
 */
import { describe, expect, it } from 'vitest';
import type { OrphanStopView, OrphanView, StatusEventView } from '../../src-preload/contract';
import { createContractService } from '../../src-main/api/index';
import { fixture, idPrefix, isPidAlive, NODE, request, trackPid, useSupervisor, waitForLog } from '../helpers/agents';
import { waitFor } from '../helpers/wait';

const prefix = idPrefix('api-orphans');
const host = { host: 'web' as const, version: '0.0.0-test', nodeCommand: { program: NODE, env: {} }, demoAgentPath: '/nonexistent/demo-agent.mjs' };

describe('orphan calls', () => {
  it('refuses malformed stopOrphans payloads with invalid-argument', async () => {
    const engine = await useSupervisor(prefix);
    const client = createContractService(engine, host).connect(() => undefined);
    const bad = [
      undefined,
      {},
      { orphans: [] },
      { orphans: [{ pid: 1, startTime: '1' }] }, // never init
      { orphans: [{ pid: 100, startTime: '' }] },
      { orphans: [{ pid: 100.5, startTime: '1' }] },
      { orphans: [{ pid: 100, startTime: '1', extra: true }] },
      { orphans: Array.from({ length: 1001 }, (_, i) => ({ pid: 100 + i, startTime: '1' })) },
      { orphans: [{ pid: 100, startTime: '1' }], force: 'yes' },
    ];
    for (const input of bad) {
      const result = await client.call('stopOrphans', input);
      expect(result.ok ? 'ok' : result.error.code, JSON.stringify(input)?.slice(0, 80)).toBe('invalid-argument');
    }
    expect(await client.call('listOrphans', { anything: 1 })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
  });

  it('lists a daemon whose agent ended, counts it in the status summary, and stops it', async () => {
    const engine = await useSupervisor(prefix, { sampleIntervalMs: 100 });
    const service = createContractService(engine, host);
    const statuses: StatusEventView[] = [];
    const client = service.connect((event, payload) => {
      if (event === 'status') statuses.push(payload as StatusEventView);
    });
    const req = request(prefix, [NODE, fixture('escape.mjs'), '--orphan']);
    await engine.spawnAgent(req);
    const daemon = Number(/escaped (\d+)/.exec(await waitForLog(engine, req.agentId, 'escaped '))![1]);
    trackPid(daemon);
    await waitFor(async () => (await engine.getAgentStatus(req.agentId)).state === 'completed', { what: 'the agent to end' });

    const listed = await client.call('listOrphans', undefined);
    expect(listed.ok).toBe(true);
    const orphans = (listed as { ok: true; value: OrphanView[] }).value;
    expect(orphans).toEqual([expect.objectContaining({ pid: daemon, agentId: req.agentId, name: expect.any(String) })]);
    await waitFor(() => statuses.at(-1)?.summary.orphanCount === 1, { what: 'a status event with orphanCount 1' });

    const stopped = await client.call('stopOrphans', { orphans: [{ pid: daemon, startTime: orphans[0]!.startTime }] });
    expect(stopped).toEqual({ ok: true, value: { stopped: 1, alreadyEnded: 0, survivors: [], refused: [] } satisfies OrphanStopView });
    expect(isPidAlive(daemon)).toBe(false);
    await waitFor(() => statuses.at(-1)?.summary.orphanCount === 0, { what: 'a status event with orphanCount 0' });
    client.close();
    service.close();
  });
});
