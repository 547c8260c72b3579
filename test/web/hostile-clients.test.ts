/**
 * Hostile and racing clients of the real web host: two windows sending the
 * same request at once, a prompt with every unicode plane over the wire, and
 * raw frames fuzzed with fast-check. Real engine, real processes, real sockets.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALL_NAMES, spawnRequestSchema, wireRequestSchema, type LogSliceView, type Result, type SpawnResultView } from '../../src-preload/contract';
import { fixture, idPrefix, liveAgentProcesses, NODE } from '../helpers/agents';
import { waitFor } from '../helpers/wait';
import { connectClient, startHarness, type WireTestClient } from './web-harness';

const prefix = idPrefix('webhostile');
let counter = 0;
const nextId = () => `${prefix}-${++counter}`;

function spawnInput(id: string, command: string[], extra: Record<string, unknown> = {}) {
  return { requestId: `${id}-req`, agentId: id, agentName: `Hostile ${id}`, agentType: 'test', command, ...extra };
}

function liveOf(agentId: string) {
  return liveAgentProcesses(prefix).filter((p) => p.agentId === agentId);
}

describe('web host: two windows at once', () => {
  it('answers the same requestId from two clients sent at once with one agent process and the identical answer', async () => {
    const harness = await startHarness(prefix);
    const [a, b] = [await connectClient(harness), await connectClient(harness)];
    for (let round = 0; round < 5; round++) {
      const id = nextId();
      const input = spawnInput(id, [NODE, fixture('sleeper.mjs')]);
      const [ra, rb] = await Promise.all([a.call('spawnAgent', input), b.call('spawnAgent', input)]);
      expect(ra).toMatchObject({ ok: true, value: { agentId: id, status: 'running' } });
      expect(rb).toEqual(ra);
      const pid = (ra as { value: SpawnResultView }).value.pid;
      expect(liveOf(id).map((p) => p.pid)).toEqual([pid]);
    }
    expect(Object.keys(await harness.engine.monitorAllAgents())).toHaveLength(5);
  });

  it('runs one of two different requests for the same agentId sent at once, and answers the other already-running', async () => {
    const harness = await startHarness(prefix);
    const [a, b] = [await connectClient(harness), await connectClient(harness)];
    for (let round = 0; round < 5; round++) {
      const id = nextId();
      const [ra, rb] = (await Promise.all([
        a.call('spawnAgent', { ...spawnInput(id, [NODE, fixture('sleeper.mjs')]), requestId: `${id}-from-a` }),
        b.call('spawnAgent', { ...spawnInput(id, [NODE, fixture('sleeper.mjs')]), requestId: `${id}-from-b` }),
      ])) as Result<SpawnResultView>[];
      const values = [ra, rb].map((r) => (r?.ok ? r.value : null));
      expect(values.every((v) => v !== null)).toBe(true);
      const running = values.filter((v) => v!.status === 'running');
      const refused = values.filter((v) => v!.status === 'failed');
      expect(running).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({ errorCode: 'already-running', pid: null, error: expect.stringContaining(`"${id}" is already`) });
      expect(liveOf(id).map((p) => p.pid)).toEqual([running[0]!.pid]);
    }
  });
});

describe('web host: a prompt with every unicode plane', () => {
  it('reaches the agent byte for byte, as one argument and on stdin, over the WebSocket', async () => {
    const harness = await startHarness(prefix);
    const client = await connectClient(harness);
    const planes = [0x00e9, 0x1f980, 0x20000, 0x30000, 0x40000, 0x50001, 0x60002, 0x70003, 0x80004, 0x90005, 0xa0006, 0xb0007, 0xc0008, 0xd0009, 0xe0001, 0xf0000, 0x10fffd];
    const prompt = `${String.fromCodePoint(...planes)} '"\`$(){}[];&|<>*?!#~\\ $(id) \${PATH}\nnext\r\n\u202eRTL\u202c end`;
    const id = nextId();
    const refused = await client.call('spawnAgent', spawnInput(id, [NODE, fixture('echo-args.mjs'), `${prompt}\0`], { prompt }));
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringContaining('NUL') } });
    const spawned = await client.call('spawnAgent', spawnInput(id, [NODE, fixture('echo-args.mjs'), prompt], { prompt, stdin: prompt, requestId: `${id}-ok` }));
    expect(spawned.ok).toBe(true);
    await waitFor(async () => (await harness.engine.getAgentStatus(id)).state === 'completed');
    const slice = (await client.call('readLog', { agentId: id, stream: 'stdout', maxBytes: 65536 })) as { ok: true; value: LogSliceView };
    const echoed = JSON.parse(Buffer.from(slice.value.data, 'base64').toString('utf8')) as { argv: string[]; stdin: string };
    expect(echoed.argv).toHaveLength(1);
    expect(Buffer.from(echoed.argv[0]!).equals(Buffer.from(prompt))).toBe(true);
    expect(Buffer.from(echoed.stdin).equals(Buffer.from(prompt))).toBe(true);
  });
});

type Frame = { kind: 'text'; data: string } | { kind: 'bytes'; data: Uint8Array } | { kind: 'binary'; data: Uint8Array };

const json = fc.jsonValue({ maxDepth: 3 });
const loose = fc.oneof(json, fc.constant(undefined), fc.string({ unit: 'binary', maxLength: 40 }));
/** Objects shaped like spawn requests, with hostile values. */
const spawnLike = fc.record(
  {
    requestId: fc.oneof(fc.string({ maxLength: 10 }), json),
    agentId: fc.oneof(fc.constantFrom('../x', 'a/b', 'a\0b', 'a'.repeat(1000), '..', '', `${prefix}-fuzz`), fc.string({ unit: 'binary', maxLength: 20 }), json),
    agentName: fc.oneof(fc.string({ maxLength: 10 }), json),
    agentType: fc.oneof(fc.string({ maxLength: 10 }), json),
    command: fc.oneof(fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 10 }), fc.constant('a\0b')), { maxLength: 4 }), json),
    env: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom('', 'A=B', 'LD_PRELOAD', 'DYLD_INSERT_LIBRARIES', 'OK', 'N\0UL'), fc.string({ maxLength: 8 })), fc.string({ maxLength: 8 }), { maxKeys: 3 }), json),
    allowLoaderEnv: loose,
    cwd: loose,
    stdin: loose,
    prompt: loose,
    shell: loose,
  },
  { requiredKeys: [] },
);
const callName = fc.oneof(fc.constantFrom(...CALL_NAMES), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', ''), fc.string({ maxLength: 30 }));
const requestLike = fc.record(
  {
    id: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.string({ maxLength: 5 }), fc.constant(null), fc.constant(Number.MAX_SAFE_INTEGER + 2)),
    call: fc.oneof(callName, json),
    input: fc.oneof(loose, spawnLike, fc.record({ agentId: loose, force: loose, stream: loose, maxBytes: loose, before: loose, agentIds: loose }, { requiredKeys: [] })),
    extra: loose,
  },
  { requiredKeys: [] },
);
const frames: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((data) => ({ kind: 'text' as const, data })) },
  { weight: 2, arbitrary: json.map((value) => ({ kind: 'text' as const, data: JSON.stringify(value) ?? 'null' })) },
  { weight: 6, arbitrary: requestLike.map((value) => ({ kind: 'text' as const, data: JSON.stringify(value) })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((data) => ({ kind: 'bytes' as const, data })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((data) => ({ kind: 'binary' as const, data })) },
);

/** A frame that would really start an agent is not hostile input; the fuzz skips it (as the service fuzz does). */
function wouldSpawn(frame: Frame): boolean {
  if (frame.kind !== 'text') return false;
  try {
    const parsed = wireRequestSchema.safeParse(JSON.parse(frame.data));
    return parsed.success && (parsed.data.call === 'spawnAgent' || parsed.data.call === 'runAgain') && spawnRequestSchema.safeParse(parsed.data.input).success;
  } catch {
    return false;
  }
}

/** The id the host must answer a text frame under: the frame's own when usable, else -1. */
function expectedId(text: string): number {
  try {
    const id = (JSON.parse(text) as { id?: unknown } | null)?.id;
    return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : -1;
  } catch {
    return -1;
  }
}

describe('web host: raw frames fuzzed', () => {
  it('answers every random frame with a result or a protocol close, never crashes, and creates no agent', async () => {
    const harness = await startHarness(prefix);
    let client: WireTestClient = await connectClient(harness);
    const closes = new Map<number, number>();
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(frames, async (frame) => {
        fc.pre(!wouldSpawn(frame));
        if (client.ws.readyState !== client.ws.OPEN) client = await connectClient(harness);
        client.messages.length = 0;
        if (frame.kind === 'text') client.sendRaw(frame.data);
        else client.sendRaw(Buffer.from(frame.data), frame.kind === 'binary');
        const outcome = await client.waitFor((m) => m.type === 'result', 'a result').then(
          (message) => ({ kind: 'result' as const, message }),
          async () => ({ kind: 'close' as const, code: (await client.closed).code }),
        );
        if (outcome.kind === 'close') {
          closes.set(outcome.code, (closes.get(outcome.code) ?? 0) + 1);
          // Protocol closes only: a binary frame (1003) or a text frame that is not UTF-8 (1007).
          expect(frame.kind === 'binary' ? [1003] : frame.kind === 'bytes' ? [1007] : [], `${frame.kind} ${String(frame.data).slice(0, 80)}`).toContain(outcome.code);
          return;
        }
        expect(frame.kind, 'a binary frame must close the connection').not.toBe('binary');
        answered++;
        const message = outcome.message as { type: 'result'; id: number; result: Result<unknown> };
        const text = frame.kind === 'text' ? frame.data : Buffer.from(frame.data).toString('utf8');
        expect(message.id).toBe(expectedId(text));
        if (!message.result.ok) expect(message.result.error.code).not.toBe('internal');
        const parsed = (() => {
          try {
            return wireRequestSchema.safeParse(JSON.parse(text));
          } catch {
            return null;
          }
        })();
        if (!parsed?.success || !Object.hasOwn(Object.fromEntries(CALL_NAMES.map((name) => [name, 1])), parsed.data.call)) {
          expect(message.result).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
        }
      }),
      { numRuns: 400 },
    );
    // Still serving, on a fresh connection and on the last one if it is open.
    const fresh = await connectClient(harness);
    expect(await fresh.call('monitorAllAgents')).toEqual({ ok: true, value: {} });
    if (client.ws.readyState === client.ws.OPEN) expect(await client.call('getProcessSummary')).toMatchObject({ ok: true });
    expect(await harness.engine.monitorAllAgents()).toEqual({});
    expect(existsSync(path.join(harness.engine.dataDir, 'agents'))).toBe(false);
    expect(liveAgentProcesses(prefix)).toEqual([]);
    // The fuzz really did reach both answers and both protocol closes.
    expect(answered).toBeGreaterThan(250);
    expect(closes.get(1003) ?? 0).toBeGreaterThan(0);
    expect(closes.get(1007) ?? 0).toBeGreaterThan(0);
  });
});
