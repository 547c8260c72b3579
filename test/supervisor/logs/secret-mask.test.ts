/**
 * Secret masking of log bytes (`secret-mask.ts`): every occurrence becomes as
 * many `*` as it has bytes, and a secret split across chunks is still caught.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { heldBackLength, LogMasker, maskInPlace } from '../../../src-main/supervisor/logs/secret-mask';
import type { LogEvent } from '../../../src-main/supervisor/types';

const b = (text: string): Buffer => Buffer.from(text, 'utf8');
const text = (data: Uint8Array): string => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
const stars = (secret: string): string => '*'.repeat(Buffer.byteLength(secret, 'utf8'));
const maskedText = (input: string, secrets: readonly string[]): string => text(maskInPlace(b(input), secrets.map(b)));

/** Byte-level reference: every byte covered by any occurrence (overlapping ones too) of any secret becomes `*`. */
function reference(input: Buffer, secrets: readonly Buffer[]): Buffer {
  const out = Buffer.from(input);
  for (const secret of secrets) {
    for (let at = input.indexOf(secret); at >= 0; at = input.indexOf(secret, at + 1)) out.fill(0x2a, at, at + secret.length);
  }
  return out;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('maskInPlace', () => {
  it('replaces every occurrence with as many * as it has bytes, in place', () => {
    const data = b('token=hunter2; again hunter2.');
    const out = maskInPlace(data, [b('hunter2')]);
    expect(out).toBe(data);
    expect(text(data)).toBe('token=*******; again *******.');
  });

  it('counts bytes, not characters, for a multi-byte UTF-8 secret', () => {
    const secret = 'pässwörd';
    expect(Buffer.byteLength(secret)).toBe(10);
    const input = `pw=${secret} ok`;
    const out = maskInPlace(b(input), [b(secret)]);
    expect(out.length).toBe(Buffer.byteLength(input));
    expect(text(out)).toBe('pw=********** ok');
  });

  it('masks adjacent occurrences and several secrets', () => {
    expect(maskedText('hunter2hunter2', ['hunter2'])).toBe('*'.repeat(14));
    expect(maskedText('a hunter2 b s3cr3t c hunter2s3cr3t d', ['hunter2', 's3cr3t'])).toBe('a ******* b ****** c ************* d');
    expect(maskedText('nothing here', ['hunter2', 's3cr3t'])).toBe('nothing here');
  });

  it('leaves data alone when there are no secrets or no data', () => {
    const data = b('hunter2');
    expect(maskInPlace(data, [])).toBe(data);
    expect(text(data)).toBe('hunter2');
    const empty = new Uint8Array(0);
    expect(maskInPlace(empty, [b('x')])).toBe(empty);
  });

  it('masks only inside the view it is given (a subarray of a larger buffer)', () => {
    const whole = b('hunter2|hunter2|hunter2');
    const middle = whole.subarray(8, 15);
    maskInPlace(middle, [b('hunter2')]);
    expect(whole.toString()).toBe('hunter2|*******|hunter2');
  });

  it('works on a plain Uint8Array', () => {
    const data = new Uint8Array(b('x hunter2 y'));
    expect(maskInPlace(data, [b('hunter2')])).toBe(data);
    expect(text(data)).toBe('x ******* y');
  });

  it('masks overlapping occurrences of one secret entirely', () => {
    // "abab" occurs at 0 and at 2 in "ababab": every byte belongs to an occurrence.
    expect(maskedText('ababab', ['abab'])).toBe('******');
    expect(maskedText('xaaay', ['aa'])).toBe('x***y');
  });

  it('masks occurrences of two secrets that overlap each other entirely', () => {
    // "hunter2" at 0 and "er2xyz" at 4: no byte of either may be left in clear.
    expect(maskedText('hunter2xyz', ['hunter2', 'er2xyz'])).toBe('**********');
    expect(maskedText('abcd', ['bcd', 'abc'])).toBe('****');
  });
});

describe('heldBackLength', () => {
  const secrets = [b('hunter2'), b('pässwörd')];

  it('is the longest tail that is a proper prefix of a secret', () => {
    expect(heldBackLength(b('log line h'), secrets)).toBe(1);
    expect(heldBackLength(b('log line hun'), secrets)).toBe(3);
    expect(heldBackLength(b('log line hunter'), secrets)).toBe(6);
    expect(heldBackLength(b('log line päss'), secrets)).toBe(Buffer.byteLength('päss'));
    // Half a character: the first byte of "ä".
    expect(heldBackLength(Buffer.concat([b('x p'), b('ä').subarray(0, 1)]), secrets)).toBe(2);
  });

  it('is 0 when the tail cannot begin a secret, or is a whole one', () => {
    expect(heldBackLength(b('log line'), secrets)).toBe(0);
    expect(heldBackLength(b('hunter2'), secrets)).toBe(0);
    expect(heldBackLength(b('hunx'), secrets)).toBe(0);
    expect(heldBackLength(b(''), secrets)).toBe(0);
    expect(heldBackLength(b('hun'), [])).toBe(0);
  });

  it('may be the whole chunk when the chunk is a secret start', () => {
    expect(heldBackLength(b('hunte'), secrets)).toBe(5);
  });

  it('picks the longest across secrets', () => {
    expect(heldBackLength(b('abc'), [b('cxx'), b('abcd'), b('bcz')])).toBe(3);
  });
});

describe('LogMasker', () => {
  const SECRETS = ['hunter2', 'pässwörd'];
  const STREAM = 'start hunt hunter2 mid pässw pässwördhunter2 h end hunte';
  const MASKED = STREAM.replaceAll('hunter2', stars('hunter2')).replaceAll('pässwörd', stars('pässwörd'));
  const BASE = 1000;

  function harness(secretsOf: (agentId: string) => readonly Buffer[] = () => SECRETS.map(b)) {
    const events: LogEvent[] = [];
    // Copy at emission: what a consumer would have sent on at that moment.
    const masker = new LogMasker(secretsOf, (event) => events.push({ ...event, data: Buffer.from(event.data) }));
    return { masker, events };
  }

  function checkEmitted(events: LogEvent[], expected: string, base = BASE): void {
    let offset = base;
    for (const event of events) {
      expect(event.agentId).toBe('a1');
      expect(event.stream).toBe('stdout');
      expect(event.offset).toBe(offset);
      offset += event.data.length;
      for (const secret of SECRETS) expect(Buffer.from(event.data).includes(b(secret))).toBe(false);
    }
    const joined = Buffer.concat(events.map((e) => e.data));
    for (const secret of SECRETS) expect(joined.includes(b(secret))).toBe(false);
    expect(joined.toString('utf8')).toBe(expected);
  }

  function pushChunks(masker: LogMasker, bytes: Buffer, cuts: number[]): void {
    const points = [0, ...cuts, bytes.length];
    for (let k = 0; k + 1 < points.length; k++) {
      masker.push({ agentId: 'a1', stream: 'stdout', offset: BASE + points[k]!, data: new Uint8Array(bytes.subarray(points[k], points[k + 1])) });
    }
  }

  it('the reference stream masks as expected', () => {
    expect(MASKED).toBe('start hunt ******* mid pässw ***************** h end hunte');
    expect(reference(b(STREAM), SECRETS.map(b)).toString()).toBe(MASKED);
  });

  it('split into two events at every byte position: the output is the masked stream, contiguous, never a secret', () => {
    const bytes = b(STREAM);
    const maskedBytes = b(MASKED);
    const held = Buffer.byteLength('hunte');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { masker, events } = harness();
      pushChunks(masker, bytes, [cut]);
      // The stream ends with a possible secret start: held back until it is old enough.
      checkEmitted(events, maskedBytes.subarray(0, maskedBytes.length - held).toString('utf8'));
      masker.releaseOlderThan(0);
      checkEmitted(events, MASKED);
    }
  });

  it('split into three events at every pair of positions: the same', () => {
    const bytes = b(STREAM);
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        const { masker, events } = harness();
        pushChunks(masker, bytes, [i, j]);
        masker.releaseOlderThan(0);
        checkEmitted(events, MASKED);
      }
    }
  });

  it('property: any text made of secrets, their pieces and filler, cut anywhere, comes out masked', () => {
    const pieces = ['hunter2', 'hunt', 'er2', 'h', 'pässwörd', 'päss', 'wörd', 'p', 'ö', 'x', ' ', '\n'];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pieces), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (parts, rawCuts) => {
          const bytes = b(parts.join(''));
          const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
          const { masker, events } = harness();
          pushChunks(masker, bytes, cuts);
          masker.releaseOlderThan(0);
          checkEmitted(events, reference(bytes, SECRETS.map(b)).toString('utf8'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('releases a held-back tail only once it is older than the given age, and keeps its age across chunks', () => {
    const now = vi.spyOn(Date, 'now').mockReturnValue(10_000);
    const { masker, events } = harness();
    masker.push({ agentId: 'a1', stream: 'stdout', offset: BASE, data: b('ok h') });
    expect(events.map((e) => [e.offset, text(e.data)])).toEqual([[BASE, 'ok ']]);
    now.mockReturnValue(10_500);
    masker.push({ agentId: 'a1', stream: 'stdout', offset: BASE + 4, data: b('un') });
    expect(events).toHaveLength(1); // "hun" is still a possible start of hunter2
    masker.releaseOlderThan(1000, 10_999);
    expect(events).toHaveLength(1);
    masker.releaseOlderThan(1000, 11_000); // held since 10 000, not since the second chunk
    expect(events.map((e) => [e.offset, text(e.data)])).toEqual([
      [BASE, 'ok '],
      [BASE + 3, 'hun'],
    ]);
    masker.releaseOlderThan(0, 99_999);
    expect(events).toHaveLength(2); // released once
    // The stream goes on after the release, at the next offset.
    masker.push({ agentId: 'a1', stream: 'stdout', offset: BASE + 6, data: b('ter2 x') });
    expect(events.map((e) => [e.offset, text(e.data)]).at(-1)).toEqual([BASE + 6, 'ter2 x']);
  });

  it('a held tail completed by the next chunk is masked with it', () => {
    const { masker, events } = harness();
    masker.push({ agentId: 'a1', stream: 'stdout', offset: 0, data: b('key=hunt') });
    masker.push({ agentId: 'a1', stream: 'stdout', offset: 8, data: b('er2\n') });
    expect(events.map((e) => [e.offset, text(e.data)])).toEqual([
      [0, 'key='],
      [4, '*******\n'],
    ]);
  });

  it('a gap in offsets releases the held tail first, then handles the new chunk on its own', () => {
    const { masker, events } = harness();
    masker.push({ agentId: 'a1', stream: 'stdout', offset: 0, data: b('abc hun') });
    masker.push({ agentId: 'a1', stream: 'stdout', offset: 500, data: b('ter2 hunter2 z') });
    expect(events.map((e) => [e.offset, text(e.data)])).toEqual([
      [0, 'abc '],
      [4, 'hun'],
      [500, 'ter2 ******* z'],
    ]);
  });

  it('agents without secrets pass through unchanged: the same event object', () => {
    const emitted: LogEvent[] = [];
    const masker = new LogMasker((agentId) => (agentId === 'secretive' ? [b('hunter2')] : []), (event) => emitted.push(event));
    const event: LogEvent = { agentId: 'plain', stream: 'stderr', offset: 42, data: b('hunter2 hun') };
    masker.push(event);
    expect(emitted).toHaveLength(1);
    expect(emitted[0]).toBe(event);
    expect(text(event.data)).toBe('hunter2 hun'); // not masked in place either
  });

  it('does not mask the caller’s event data in place', () => {
    const { masker } = harness();
    const data = b('x hunter2 y');
    masker.push({ agentId: 'a1', stream: 'stdout', offset: 0, data });
    expect(data.toString()).toBe('x hunter2 y');
  });

  it('keeps a held tail per agent and per stream', () => {
    const events: LogEvent[] = [];
    const masker = new LogMasker(() => [b('hunter2')], (event) => events.push({ ...event, data: Buffer.from(event.data) }));
    masker.push({ agentId: 'a1', stream: 'stdout', offset: 0, data: b('1 hun') });
    masker.push({ agentId: 'a1', stream: 'stderr', offset: 0, data: b('2 hunt') });
    masker.push({ agentId: 'a2', stream: 'stdout', offset: 0, data: b('3 h') });
    masker.push({ agentId: 'a1', stream: 'stderr', offset: 6, data: b('er2') });
    masker.push({ agentId: 'a1', stream: 'stdout', offset: 5, data: b('gry') });
    masker.push({ agentId: 'a2', stream: 'stdout', offset: 3, data: b('unter2!') });
    const view = events.map((e) => `${e.agentId}/${e.stream}@${e.offset}:${text(e.data)}`);
    expect(view).toEqual(['a1/stdout@0:1 ', 'a1/stderr@0:2 ', 'a2/stdout@0:3 ', 'a1/stderr@2:*******', 'a1/stdout@2:hungry', 'a2/stdout@2:*******!']);
  });

  it('forget drops an agent’s held tails without emitting them', () => {
    const { masker, events } = harness();
    masker.push({ agentId: 'a1', stream: 'stdout', offset: 0, data: b('x hun') });
    expect(events).toHaveLength(1);
    masker.forget('a1');
    masker.releaseOlderThan(0, Number.MAX_SAFE_INTEGER);
    expect(events).toHaveLength(1);
  });
});
