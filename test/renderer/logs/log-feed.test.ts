import { describe, expect, it } from 'vitest';
import type { LogSliceView, LogStream, Result } from '../../../src-preload/contract';
import { LogFeed, type LogApi } from '../../../src-renderer/logs/log-feed';
import { LogModel } from '../../../src-renderer/logs/log-model';
import { encode, toBase64 } from './helpers';

/** A fake host: two growable files and a log of readLog calls. */
function fakeHost(initial: Partial<Record<LogStream, string>> = {}) {
  const files: Record<LogStream, Uint8Array> = { stdout: encode(initial.stdout ?? ''), stderr: encode(initial.stderr ?? '') };
  const reads: { stream: LogStream; before?: number; maxBytes: number }[] = [];
  const api: LogApi = {
    readLog: async (input): Promise<Result<LogSliceView>> => {
      reads.push({ stream: input.stream, before: input.before, maxBytes: input.maxBytes });
      const file = files[input.stream];
      const end = Math.min(input.before ?? file.length, file.length);
      const offset = Math.max(0, end - input.maxBytes);
      return { ok: true, value: { agentId: input.agentId, stream: input.stream, offset, data: toBase64(file.subarray(offset, end)), size: file.length, seen: [] } };
    },
  };
  const write = (stream: LogStream, text: string) => {
    const bytes = encode(text);
    const offset = files[stream].length;
    const next = new Uint8Array(offset + bytes.length);
    next.set(files[stream]);
    next.set(bytes, offset);
    files[stream] = next;
    return { agentId: 'a1', stream, offset, data: toBase64(bytes) };
  };
  return { api, reads, write };
}

function texts(model: LogModel, mode: 'stdout' | 'stderr' | 'both' = 'both'): string[] {
  const out: string[] = [];
  for (let i = 0; i < model.store.count(mode); i++) out.push(model.store.line(mode, i)?.text ?? '');
  return out;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('LogFeed', () => {
  it('reads the tail of both files, then appends events in order', async () => {
    const host = fakeHost({ stdout: 'o1\n', stderr: 'e1\n' });
    const model = new LogModel();
    const feed = new LogFeed(host.api, 'a1', model);
    await feed.start();
    feed.onEvent(host.write('stdout', 'o2\n'));
    feed.onEvent(host.write('stderr', 'e2\n'));
    await settle();
    expect(texts(model)).toEqual(['o1', 'e1', 'o2', 'e2']);
  });

  it('ignores other agents and bytes it already has', async () => {
    const host = fakeHost();
    const model = new LogModel();
    const feed = new LogFeed(host.api, 'a1', model);
    const early = host.write('stdout', 'early\n'); // arrives while the tail is read: the tail covers it
    const started = feed.start();
    feed.onEvent(early);
    await started;
    feed.onEvent({ ...host.write('stdout', 'x\n'), agentId: 'other' });
    feed.onEvent(early);
    await settle();
    expect(texts(model)).toEqual(['early']);
  });

  it('starts the tail at a line start when the file is longer than the tail', async () => {
    const host = fakeHost({ stdout: 'aaaa\nbbbb\ncccc\n' });
    const model = new LogModel();
    await new LogFeed(host.api, 'a1', model, { tailBytes: 8 }).start();
    expect(texts(model)).toEqual(['cccc']);
    expect(model.store.firstKeptOffset('stdout')).toBe(10);
  });

  it('fills a dropped event by reading the missing bytes', async () => {
    const host = fakeHost();
    const model = new LogModel();
    const feed = new LogFeed(host.api, 'a1', model);
    await feed.start();
    host.write('stdout', 'lost 1\nlost 2\n'); // the host dropped this event
    feed.onEvent(host.write('stdout', 'after\n'));
    await settle();
    await settle();
    expect(texts(model)).toEqual(['lost 1', 'lost 2', 'after']);
    expect(host.reads.some((r) => r.before === 14 && r.maxBytes === 14)).toBe(true);
  });

  it('marks a gap too big to fill, and carries on from the new bytes', async () => {
    const host = fakeHost();
    const model = new LogModel();
    const feed = new LogFeed(host.api, 'a1', model, { maxFillBytes: 10 });
    await feed.start();
    host.write('stdout', 'x'.repeat(100) + '\n');
    feed.onEvent(host.write('stdout', 'after\n'));
    await settle();
    expect(texts(model)).toEqual(['… 101 bytes not shown — Load older', 'after']);
  });

  it('catches up with bytes no event brought (dropped at the very end)', async () => {
    const host = fakeHost();
    const model = new LogModel();
    const feed = new LogFeed(host.api, 'a1', model);
    await feed.start();
    host.write('stderr', 'last words\n');
    feed.catchUp();
    await settle();
    await settle();
    expect(texts(model)).toEqual(['last words']);
  });

  it('loads older lines before the first kept one', async () => {
    const host = fakeHost({ stdout: 'one\ntwo\nthree\n' });
    const model = new LogModel();
    const feed = new LogFeed(host.api, 'a1', model, { tailBytes: 6 });
    await feed.start();
    expect(texts(model)).toEqual(['three']);
    expect(await feed.loadOlder('stdout')).toBe(true);
    expect(texts(model)).toEqual(['two', 'three']);
    expect(await feed.loadOlder('stdout')).toBe(true);
    expect(texts(model)).toEqual(['one', 'two', 'three']);
    expect(model.store.firstKeptOffset('stdout')).toBe(0);
    expect(await feed.loadOlder('stdout')).toBe(false);
  });

  it('stops touching the model once disposed', async () => {
    const host = fakeHost();
    const model = new LogModel();
    const feed = new LogFeed(host.api, 'a1', model);
    await feed.start();
    feed.dispose();
    feed.onEvent(host.write('stdout', 'late\n'));
    await settle();
    expect(texts(model)).toEqual([]);
  });
});
