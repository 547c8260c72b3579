/**
 * The desktop binds its window before the engine has started (the window paints while the engine
 * opens the folder and waits for the keychain): calls made meanwhile wait for the real service and
 * get its answer; events flow once it is there; a start that failed answers every call with why.
 */
import { describe, expect, it } from 'vitest';
import type { EventName } from '../../src-preload/contract';
import { deferredService } from '../../src-main/api/deferred-service';
import { createContractService, type ContractService } from '../../src-main/api/index';
import { fixture, idPrefix, NODE, useSupervisor } from '../helpers/agents';
import { testHost } from '../helpers/host-adapter';
import { waitFor } from '../helpers/wait';

describe('deferred contract service', () => {
  it('holds calls made before the engine is ready, then answers them from it; events follow', async () => {
    const prefix = idPrefix('deferred');
    let arrive!: (service: ContractService) => void;
    const deferred = deferredService(new Promise<ContractService>((resolve) => (arrive = resolve)));
    const events: EventName[] = [];
    const client = deferred.connect((event) => events.push(event));

    let answered = false;
    const early = client.call('spawnAgent', { requestId: `${prefix}-r`, agentId: prefix, agentName: 'Early', agentType: 'test', command: [NODE, fixture('sleeper.mjs')] });
    void early.then(() => (answered = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);

    const engine = await useSupervisor(prefix, { sampleIntervalMs: 100 });
    const service = createContractService(engine, testHost);
    arrive(service);
    expect(await early).toMatchObject({ ok: true, value: { status: 'running' } });
    expect(Object.keys(await engine.monitorAllAgents())).toEqual([prefix]);
    await waitFor(() => events.includes('status'), { timeoutMs: 5000, what: 'a status event through the deferred service' });

    client.close();
    service.close();
    await engine.cleanup({ force: true });
  });

  it('answers every call with the start-up failure, as a closed result, when the engine never comes', async () => {
    const deferred = deferredService(Promise.reject(new Error('The data folder is in use by another Corral desktop (pid 42).')));
    const client = deferred.connect(() => {});
    expect(await client.call('monitorAllAgents', undefined)).toEqual({
      ok: false,
      error: { code: 'closed', message: 'Corral could not start: The data folder is in use by another Corral desktop (pid 42).' },
    });
    deferred.close();
  });
});
