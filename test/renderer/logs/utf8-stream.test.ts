import { describe, expect, it } from 'vitest';
import { leadingContinuationBytes, Utf8Stream } from '../../../src-renderer/logs/utf8-stream';
import { encode } from './helpers';

describe('Utf8Stream', () => {
  const text = 'a€b😀c — ünïcødé 中文';
  const bytes = encode(text);

  it('keeps a character split across two chunks, at every byte position', () => {
    for (let i = 0; i <= bytes.length; i++) {
      const stream = new Utf8Stream();
      expect(stream.decode(bytes.subarray(0, i)) + stream.decode(bytes.subarray(i))).toBe(text);
    }
  });

  it('decodes one byte at a time', () => {
    const stream = new Utf8Stream();
    let out = '';
    for (const byte of bytes) out += stream.decode(Uint8Array.of(byte));
    expect(out).toBe(text);
  });

  it('turns invalid bytes into U+FFFD and keeps going', () => {
    const stream = new Utf8Stream();
    expect(stream.decode(Uint8Array.of(0x61, 0xff, 0x62, 0xc3, 0x28, 0x0a))).toBe('a\uFFFDb\uFFFD(\n');
  });

  it('never swallows a newline into a broken sequence', () => {
    const stream = new Utf8Stream();
    expect(stream.decode(Uint8Array.of(0xe2, 0x82))).toBe('');
    expect(stream.decode(Uint8Array.of(0x0a))).toBe('\uFFFD\n');
  });

  it('reset() forgets a half-received character', () => {
    const stream = new Utf8Stream();
    stream.decode(Uint8Array.of(0xe2, 0x82));
    stream.reset();
    expect(stream.decode(encode('ok'))).toBe('ok');
  });

  it('counts leading continuation bytes of a slice that starts mid-character', () => {
    expect(leadingContinuationBytes(encode('€x').subarray(1))).toBe(2);
    expect(leadingContinuationBytes(encode('x'))).toBe(0);
  });
});
