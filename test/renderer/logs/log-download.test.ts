/**
 * "Download log": every page of a stream read back to its oldest retained
 * byte, and both streams merged line by line by when each line was seen.
 * A host serves a file with its marks, as readLog does (pages of maxBytes).
 */
import { describe, expect, it } from 'vitest';
import type { LogSliceView, Result, SeenMarkView } from '../../../src-preload/contract';
import { downloadParts, readWholeStream } from '../../../src-renderer/logs/log-download';
import { encode, toBase64 } from './helpers';

function hostOf(files: Record<'stdout' | 'stderr', { text: string; seen: SeenMarkView[]; oldest?: number }>) {
  const reads: number[] = [];
  return {
    reads,
    readLog: async (input: { agentId: string; stream: 'stdout' | 'stderr'; before?: number; maxBytes: number }): Promise<Result<LogSliceView>> => {
      const file = files[input.stream];
      const bytes = encode(file.text);
      const oldest = file.oldest ?? 0;
      const end = Math.min(input.before ?? bytes.length, bytes.length);
      const offset = Math.max(oldest, end - input.maxBytes);
      reads.push(offset);
      const data = end <= oldest ? new Uint8Array(0) : bytes.subarray(offset, end);
      const seen = file.seen.filter((mark, i) => mark.offset < end && (file.seen[i + 1]?.offset ?? Infinity) > offset);
      return { ok: true, value: { agentId: input.agentId, stream: input.stream, offset: end <= oldest ? oldest : offset, data: toBase64(data), size: bytes.length, seen } };
    },
  };
}

const decode = (parts: Uint8Array[]) => parts.map((part) => new TextDecoder().decode(part)).join('');

describe('log download', () => {
  it('reads a stream page by page back to its first byte, in order', async () => {
    const text = Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join('');
    const host = hostOf({ stdout: { text, seen: [{ offset: 0, at: 1 }] }, stderr: { text: '', seen: [] } });
    const whole = await readWholeStream(host, 'a1', 'stdout', 1 << 20);
    expect(new TextDecoder().decode(whole.bytes)).toBe(text);
    expect(whole.missing).toBe(0);
    // Capped: the newest bytes are kept and the file says how many are left out.
    const capped = await readWholeStream(host, 'a1', 'stdout', 16);
    expect(new TextDecoder().decode(capped.bytes)).toBe(text.slice(-16));
    expect(decode(downloadParts({ stdout: capped }))).toMatch(new RegExp(`^\\[corral\\] stdout: the first ${text.length - 16} bytes are not included`));
  });

  it('merges both streams line by line by seen time, a last partial line ended before the other stream goes on', async () => {
    const host = hostOf({
      stdout: { text: 'o1\no2\npartial', seen: [{ offset: 0, at: 10 }, { offset: 3, at: 30 }, { offset: 6, at: 50 }] },
      stderr: { text: 'e1\ne2\n', seen: [{ offset: 0, at: 20 }, { offset: 3, at: 60 }] },
    });
    const stdout = await readWholeStream(host, 'a1', 'stdout');
    const stderr = await readWholeStream(host, 'a1', 'stderr');
    expect(decode(downloadParts({ stdout, stderr }))).toBe('o1\ne1\no2\npartial\ne2\n');
  });

  it('starts at the oldest retained byte and says what came before it', async () => {
    const host = hostOf({ stdout: { text: 'gone\nkept\n', seen: [], oldest: 5 }, stderr: { text: '', seen: [] } });
    const whole = await readWholeStream(host, 'a1', 'stdout');
    expect(decode(downloadParts({ stdout: whole }))).toBe('[corral] stdout: the first 5 bytes are not included (rotated away or over the download\'s size cap)\nkept\n');
  });
});
