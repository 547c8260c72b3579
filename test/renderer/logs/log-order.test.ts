/**
 * The combined view's order: both streams' pages appended in pieces ordered by
 * when the engine saw them, and "Load older" pages merged in by those times.
 * A fake host serves two files with their marks, as readLog does.
 */
import { describe, expect, it } from 'vitest';
import type { LogSliceView, LogStream, Result, SeenMarkView } from '../../../src-preload/contract';
import { interleaveByTime, LogFeed, type LogApi } from '../../../src-renderer/logs/log-feed';
import { LogModel } from '../../../src-renderer/logs/log-model';
import { encode, toBase64 } from './helpers';

/** Writes `out<i>` and `err<i>` alternately, one poll (10 ms) apart; returns each file with its marks. */
function alternating(n: number): Record<LogStream, { bytes: Uint8Array; seen: SeenMarkView[] }> {
  const files = { stdout: { text: '', seen: [] as SeenMarkView[] }, stderr: { text: '', seen: [] as SeenMarkView[] } };
  let at = 1_000;
  for (let i = 1; i <= n; i++) {
    for (const [stream, word] of [['stdout', 'out'], ['stderr', 'err']] as const) {
      files[stream].seen.push({ offset: files[stream].text.length, at: (at += 10) });
      files[stream].text += `${word}${i}\n`;
    }
  }
  return {
    stdout: { bytes: encode(files.stdout.text), seen: files.stdout.seen },
    stderr: { bytes: encode(files.stderr.text), seen: files.stderr.seen },
  };
}

function hostOf(files: ReturnType<typeof alternating>): LogApi {
  return {
    readLog: async (input): Promise<Result<LogSliceView>> => {
      const file = files[input.stream];
      const end = Math.min(input.before ?? file.bytes.length, file.bytes.length);
      const offset = Math.max(0, end - input.maxBytes);
      const seen = file.seen.filter((mark, i) => mark.offset < end && (file.seen[i + 1]?.offset ?? Infinity) > offset);
      return { ok: true, value: { agentId: input.agentId, stream: input.stream, offset, data: toBase64(file.bytes.subarray(offset, end)), size: file.bytes.length, seen } };
    },
  };
}

function texts(model: LogModel): string[] {
  return Array.from({ length: model.store.count('both') }, (_, i) => model.store.line('both', i)?.text ?? '');
}

describe('combined log order', () => {
  it('the first pages of both streams are shown in the order written, not one stream after the other', async () => {
    const model = new LogModel();
    await new LogFeed(hostOf(alternating(5)), 'a1', model).start();
    expect(texts(model)).toEqual(['out1', 'err1', 'out2', 'err2', 'out3', 'err3', 'out4', 'err4', 'out5', 'err5']);
  });

  it('Load older merges each stream page in by time; seqs stay increasing in display order', async () => {
    const model = new LogModel();
    // 10 bytes per page: "out9\nout10" worth, so paging back takes several rounds per stream.
    const feed = new LogFeed(hostOf(alternating(12)), 'a1', model, { tailBytes: 10 });
    await feed.start();
    for (let round = 0; round < 20; round++) {
      await feed.loadOlder('stdout');
      await feed.loadOlder('stderr');
    }
    const expected = Array.from({ length: 12 }, (_, i) => [`out${i + 1}`, `err${i + 1}`]).flat();
    expect(texts(model)).toEqual(expected);
    const seqs = Array.from({ length: model.store.count('both') }, (_, i) => model.store.line('both', i)!.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('pieces are cut where a mark starts mid-page, and pieces of unknown time keep their place first', () => {
    const page = (stream: LogStream, text: string, seen: SeenMarkView[]) => ({ stream, offset: 0, bytes: encode(text), seen });
    const pieces = interleaveByTime([page('stdout', 'a\nb\n', [{ offset: 0, at: 1 }, { offset: 2, at: 3 }]), page('stderr', 'x\n', [{ offset: 0, at: 2 }])]);
    expect(pieces.map((piece) => `${piece.stream}:${new TextDecoder().decode(piece.bytes)}`)).toEqual(['stdout:a\n', 'stderr:x\n', 'stdout:b\n']);
    const unknown = interleaveByTime([page('stdout', 'a\n', [{ offset: 0, at: 1 }]), page('stderr', 'x\n', [])]);
    expect(unknown.map((piece) => piece.stream)).toEqual(['stderr', 'stdout']);
  });
});
