/**
 * The contract service over a real engine: every call's malformed payloads are
 * refused with a typed error and change nothing; the calls the UI relies on do
 * what they say; events reach a client batched.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALL_NAMES, calls, type EventName, type EventPayloads, type Result } from '../../src-preload/contract';
import { createContractService } from '../../src-main/api/index';
import { fixture, idPrefix, NODE, useSupervisor, waitForLog } from '../helpers/agents';
import { testHost } from '../helpers/host-adapter';
import { waitFor } from '../helpers/wait';

async function setUp(prefix: string) {
  const engine = await useSupervisor(prefix, { sampleIntervalMs: 100, stopTimeouts: { firstTermMs: 1500, secondTermMs: 500, killMs: 1000 } });
  const service = createContractService(engine, testHost);
  const received: { event: EventName; payload: EventPayloads[EventName] }[] = [];
  const client = service.connect((event, payload) => received.push({ event, payload }));
  const call = async (name: string, input?: unknown) => client.call(name, input);
  const ok = async <T>(name: string, input?: unknown): Promise<T> => {
    const result = (await call(name, input)) as Result<T>;
    if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`);
    return result.value;
  };
  return { engine, service, client, received, call, ok };
}

function spawnInput(prefix: string, n: number, command: string[], extra: Record<string, unknown> = {}) {
  return { requestId: `${prefix}-r${n}`, agentId: `${prefix}-${n}`, agentName: `Agent ${n}`, agentType: 'test', command, ...extra };
}

describe('contract service: refusing bad input', () => {
  it('refuses unknown call names without touching the engine', async () => {
    const { call, engine } = await setUp(idPrefix('svc-unknown'));
    for (const name of ['nope', '__proto__', 'constructor', 'toString', '', 42, null, undefined, { a: 1 }]) {
      const result = await call(name as string, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    }
    expect(await engine.monitorAllAgents()).toEqual({});
  });

  it('refuses malformed payloads of every call with invalid-argument, and nothing changes', async () => {
    const prefix = idPrefix('svc-fuzz');
    const { call, engine, ok } = await setUp(prefix);
    await ok('spawnAgent', spawnInput(prefix, 1, [NODE, fixture('sleeper.mjs')]));
    const before = Object.keys(await engine.monitorAllAgents());
    for (const name of CALL_NAMES) {
      const schema = calls[name].input;
      await fc.assert(
        fc.asyncProperty(
          fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true }),
          async (payload) => {
            fc.pre(!schema.safeParse(payload).success);
            const result = await call(name, payload);
            expect(result.ok, `${name} accepted ${fc.stringify(payload)}`).toBe(false);
            if (!result.ok) expect(result.error.code).toBe('invalid-argument');
          },
        ),
        { numRuns: 60 },
      );
    }
    expect(Object.keys(await engine.monitorAllAgents())).toEqual(before);
  });

  it('refuses hand-made hostile inputs: bad ids, NUL bytes, bad env keys, extra fields', async () => {
    const prefix = idPrefix('svc-hostile');
    const { call, engine } = await setUp(prefix);
    const bad: [string, unknown][] = [
      ['getAgent', { agentId: '../etc' }],
      ['getAgent', { agentId: 'a/b' }],
      ['getAgent', { agentId: 'x'.repeat(65) }],
      ['getAgent', { agentId: 'a\0b' }],
      ['getAgent', { agentId: 'ok', extra: 1 }],
      ['stopAgent', { agentId: 'ok', force: 'yes' }],
      ['readLog', { agentId: 'ok', stream: 'stdin', maxBytes: 10 }],
      ['readLog', { agentId: 'ok', stream: 'stdout', maxBytes: 10 * 1024 * 1024 }],
      ['readLog', { agentId: 'ok', stream: 'stdout', maxBytes: 10, before: -1 }],
      ['followLogs', { agentIds: ['../x'] }],
      ['spawnAgent', spawnInput(prefix, 1, [NODE, 'a\0b'])],
      ['spawnAgent', spawnInput(prefix, 2, [])],
      ['spawnAgent', spawnInput(prefix, 3, [''])],
      ['spawnAgent', spawnInput(prefix, 4, [NODE], { env: { '': 'x' } })],
      ['spawnAgent', spawnInput(prefix, 5, [NODE], { env: { 'A=B': 'x' } })],
      ['spawnAgent', spawnInput(prefix, 6, [NODE], { shell: true })],
      ['spawnAgent', { ...spawnInput(prefix, 7, [NODE]), agentId: '..' }],
    ];
    for (const [name, input] of bad) {
      const result = await call(name, input);
      expect(result, `${name} ${JSON.stringify(input)}`).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    }
    expect(await engine.monitorAllAgents()).toEqual({});
  });

  it('answers an unknown agent with not-found', async () => {
    const { call } = await setUp(idPrefix('svc-404'));
    for (const name of ['getAgent', 'getAgentRequest', 'getAgentHistory', 'getProcessTree', 'stopAgent', 'removeAgent', 'runAgain']) {
      expect(await call(name, { agentId: 'nobody-here' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    }
    expect(await call('readLog', { agentId: 'nobody-here', stream: 'stdout', maxBytes: 10 })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('says the web host cannot open folders', async () => {
    const prefix = idPrefix('svc-folder');
    const { call, ok } = await setUp(prefix);
    await ok('spawnAgent', spawnInput(prefix, 1, [NODE, '-e', '']));
    expect(await call('openLogFolder', { agentId: `${prefix}-1` })).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });
});

describe('contract service: calls', () => {
  it('runs an agent, shows its request without env values, its process tree with commands, its logs, and stops it with a report', async () => {
    const prefix = idPrefix('svc-flow');
    const { ok, received } = await setUp(prefix);
    const id = `${prefix}-1`;
    const spawned = await ok<{ status: string }>(
      'spawnAgent',
      spawnInput(prefix, 1, [NODE, fixture('tree.mjs'), '2'], { env: { SECRET_TOKEN: 'hunter2' }, prompt: 'do "things" $(now)' }),
    );
    expect(spawned.status).toBe('running');

    const request = await ok<{ envKeys: string[]; prompt: string; cmdline: string }>('getAgentRequest', { agentId: id });
    expect(request.envKeys).toEqual(['SECRET_TOKEN']);
    expect(JSON.stringify(request)).not.toContain('hunter2');
    expect(request.prompt).toBe('do "things" $(now)');

    const tree = await waitFor(async () => {
      const processes = await ok<{ pid: number; command: string | null }[]>('getProcessTree', { agentId: id });
      return processes.length >= 2 ? processes : null;
    }, { what: 'the tree fixture to start its children' });
    expect(tree[0]!.command).toContain('tree.mjs');

    await ok('followLogs', { agentIds: [id] });
    const status = await waitFor(() => received.find((item) => item.event === 'status' && id in (item.payload as EventPayloads['status']).agents));
    expect((status.payload as EventPayloads['status']).summary.byState.running).toBe(1);

    const report = await ok<{ outcome: string; processCount: number }>('stopAgent', { agentId: id });
    expect(report.outcome).toBe('stopped');
    expect(report.processCount).toBeGreaterThanOrEqual(2);
    const agent = await ok<{ state: string; stopReport: unknown; stopProgress: unknown }>('getAgent', { agentId: id });
    expect(agent.state).toBe('cancelled');
    expect(agent.stopProgress).toBeNull();
    expect(agent.stopReport).toMatchObject({ outcome: 'stopped' });
  });

  it('pages a log file from the end and from an offset', async () => {
    const prefix = idPrefix('svc-readlog');
    const { ok, engine } = await setUp(prefix);
    const id = `${prefix}-1`;
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i}`).join('\n');
    await ok('spawnAgent', spawnInput(prefix, 1, [NODE, '-e', `process.stdout.write(${JSON.stringify(lines)})`]));
    await waitFor(async () => (await engine.getAgentStatus(id)).state === 'completed');
    const tail = await ok<{ offset: number; data: string; size: number }>('readLog', { agentId: id, stream: 'stdout', maxBytes: 100 });
    expect(tail.size).toBe(Buffer.byteLength(lines));
    expect(tail.offset).toBe(tail.size - 100);
    expect(Buffer.from(tail.data, 'base64').toString()).toBe(lines.slice(-100));
    const older = await ok<{ offset: number; data: string }>('readLog', { agentId: id, stream: 'stdout', maxBytes: 50, before: tail.offset });
    expect(older.offset).toBe(tail.offset - 50);
    expect(Buffer.from(older.data, 'base64').toString()).toBe(lines.slice(tail.offset - 50, tail.offset));
    const empty = await ok<{ data: string; size: number }>('readLog', { agentId: id, stream: 'stderr', maxBytes: 100 });
    expect(empty).toMatchObject({ data: '', size: 0 });
  });

  it('runs an ended agent again and removes an ended agent with its logs, but not a live one', async () => {
    const prefix = idPrefix('svc-again');
    const { ok, call, engine } = await setUp(prefix);
    const id = `${prefix}-1`;
    await ok('spawnAgent', spawnInput(prefix, 1, [NODE, fixture('sleeper.mjs')]));
    expect(await call('removeAgent', { agentId: id })).toMatchObject({ ok: false, error: { code: 'already-running' } });
    await ok('stopAgent', { agentId: id });
    const again = await ok<{ status: string }>('runAgain', { agentId: id });
    expect(again.status).toBe('running');
    expect((await engine.getAgentStatus(id)).state).toBe('running');
    await ok('stopAgent', { agentId: id, force: true });
    const { logDir } = await engine.getAgentStatus(id);
    await ok('removeAgent', { agentId: id });
    expect(await engine.monitorAllAgents()).toEqual({});
    const { existsSync } = await import('node:fs');
    expect(existsSync(logDir)).toBe(false);
  });

  it('lists presets with the demo agent available and a missing program explained', async () => {
    const { ok } = await setUp(idPrefix('svc-presets'));
    const presets = await ok<{ id: string; available: boolean; unavailableReason: string | null; command: string[] }[]>('listPresets');
    expect(presets.map((preset) => preset.id)).toEqual(['demo', 'claude-code', 'codex', 'aider', 'custom']);
    expect(presets[0]).toMatchObject({ available: true, unavailableReason: null });
    expect(presets[0]!.command).toContain('{prompt}');
    for (const preset of presets.filter((one) => !one.available)) expect(preset.unavailableReason).toMatch(/not on PATH/);
  });

  it('shows a stop in progress with its stage and deadline', async () => {
    const prefix = idPrefix('svc-stage');
    const { ok, engine } = await setUp(prefix);
    const id = `${prefix}-1`;
    await ok('spawnAgent', spawnInput(prefix, 1, [NODE, fixture('ignore-term.mjs')]));
    await waitForLog(engine, id, 'ready'); // printed once its SIGTERM handler is in place
    const stopping = ok('stopAgent', { agentId: id });
    const progress = await waitFor(async () => (await ok<{ stopProgress: { stage: string; deadline: number } | null }>('getAgent', { agentId: id })).stopProgress);
    expect(progress.stage).toBe('term1');
    expect(progress.deadline).toBeGreaterThan(Date.now());
    await stopping;
  });
});

describe('contract service: events', () => {
  it('sends a followed agent\'s log, coalesced, and nothing of agents not followed', async () => {
    const prefix = idPrefix('svc-logs');
    const { ok, received } = await setUp(prefix);
    const script = 'let i=0;const t=setInterval(()=>{console.log("tick "+i++);if(i===60){clearInterval(t)}},5)';
    await ok('followLogs', { agentIds: [`${prefix}-1`] });
    await ok('spawnAgent', spawnInput(prefix, 1, [NODE, '-e', script]));
    await ok('spawnAgent', spawnInput(prefix, 2, [NODE, '-e', script]));
    const text = await waitFor(() => {
      const all = received
        .filter((item) => item.event === 'log')
        .map((item) => item.payload as EventPayloads['log'])
        .filter((event) => event.agentId === `${prefix}-1`)
        .sort((a, b) => a.offset - b.offset)
        .map((event) => Buffer.from(event.data, 'base64').toString())
        .join('');
      return all.includes('tick 59') ? all : null;
    }, { what: 'the followed agent\'s last line' });
    expect(text).toBe(Array.from({ length: 60 }, (_, i) => `tick ${i}\n`).join(''));
    const logEvents = received.filter((item) => item.event === 'log');
    // 60 lines over ~300 ms arrive in a handful of messages, not 60.
    expect(logEvents.length).toBeLessThan(20);
    expect(logEvents.every((item) => (item.payload as EventPayloads['log']).agentId === `${prefix}-1`)).toBe(true);
  });

  it('notifies when an agent fails, even one that failed before its first tick', async () => {
    const prefix = idPrefix('svc-notice-fast');
    const { ok, received, engine } = await setUp(prefix);
    await engine.sampleNow(); // the service has seen a tick: agents from now on are new in this session
    await ok('spawnAgent', spawnInput(prefix, 1, [NODE, '-e', 'process.exit(4)']));
    const notice = await waitFor(() => received.find((item) => item.event === 'notice' && (item.payload as EventPayloads['notice']).kind === 'failed'));
    expect(notice.payload).toMatchObject({ agentId: `${prefix}-1` });
    expect((notice.payload as EventPayloads['notice']).body).toContain('4');
  });

  it('notifies when an agent fails', async () => {
    const prefix = idPrefix('svc-notice');
    const { ok, received, engine } = await setUp(prefix);
    const id = `${prefix}-1`;
    const script = "process.on('SIGUSR2', () => process.exit(3)); console.log('ready'); setInterval(() => {}, 1000)";
    const { pid } = await ok<{ pid: number }>('spawnAgent', spawnInput(prefix, 1, [NODE, '-e', script]));
    await waitForLog(engine, id, 'ready');
    // It fails only once the service has seen it running (the other test covers a failure before the first tick).
    await waitFor(() => received.some((item) => item.event === 'status' && (item.payload as EventPayloads['status']).agents[id]?.state === 'running'), { what: 'a status event with it running' });
    process.kill(pid, 'SIGUSR2');
    const notice = await waitFor(() => received.find((item) => item.event === 'notice' && (item.payload as EventPayloads['notice']).kind === 'failed'));
    expect(notice.payload).toMatchObject({ kind: 'failed', agentId: `${prefix}-1` });
    expect((notice.payload as EventPayloads['notice']).body).toContain('3');
  });

  it('stops sending to a closed client', async () => {
    const prefix = idPrefix('svc-close');
    const { client, received, ok, engine } = await setUp(prefix);
    client.close();
    const count = received.length;
    await engine.sampleNow();
    expect(received.length).toBe(count);
    void ok;
  });
});
