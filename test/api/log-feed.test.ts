import { describe, expect, it } from 'vitest';
import type { LogEventView } from '../../src-preload/contract';
import { LogFeed, MAX_PENDING_BYTES } from '../../src-main/api/log-feed';

function feedFor(agentIds: string[]) {
  const sent: LogEventView[] = [];
  const feed = new LogFeed((event) => sent.push(event));
  feed.follow(agentIds);
  return { feed, sent };
}

const chunk = (offset: number, text: string, agentId = 'a', stream: 'stdout' | 'stderr' = 'stdout') => ({
  agentId,
  stream,
  offset,
  data: Buffer.from(text),
});

describe('log feed', () => {
  it('coalesces contiguous chunks of one stream into one message per flush', () => {
    const { feed, sent } = feedFor(['a']);
    feed.push(chunk(0, 'one\n'));
    feed.push(chunk(4, 'two\n'));
    feed.push(chunk(0, 'err\n', 'a', 'stderr'));
    feed.flush();
    feed.close();
    expect(sent.map((event) => [event.stream, event.offset, Buffer.from(event.data, 'base64').toString()])).toEqual([
      ['stdout', 0, 'one\ntwo\n'],
      ['stderr', 0, 'err\n'],
    ]);
  });

  it('ignores agents it does not follow and forgets them when unfollowed', () => {
    const { feed, sent } = feedFor(['a']);
    feed.push(chunk(0, 'x', 'b'));
    feed.push(chunk(0, 'y', 'a'));
    feed.follow([]);
    feed.flush();
    feed.close();
    expect(sent).toEqual([]);
  });

  it('keeps what waits bounded: past the bound the waiting bytes are dropped and the offset shows the gap', () => {
    const { feed, sent } = feedFor(['a']);
    const piece = 'z'.repeat(256 * 1024);
    let offset = 0;
    for (let i = 0; i < 12; i++) {
      feed.push(chunk(offset, piece));
      offset += piece.length;
    }
    feed.flush();
    feed.close();
    expect(sent).toHaveLength(1);
    const [event] = sent;
    const bytes = Buffer.from(event!.data, 'base64').length;
    expect(bytes).toBeLessThanOrEqual(MAX_PENDING_BYTES);
    // The message ends where the file does: the UI sees the gap before it and reads it from the file.
    expect(event!.offset + bytes).toBe(offset);
    expect(event!.offset).toBeGreaterThan(0);
  });

  it('sends a non-contiguous chunk as its own message', () => {
    const { feed, sent } = feedFor(['a']);
    feed.push(chunk(0, 'aaa'));
    feed.push(chunk(100, 'bbb'));
    feed.flush();
    feed.close();
    expect(sent.map((event) => event.offset)).toEqual([0, 100]);
  });
});
