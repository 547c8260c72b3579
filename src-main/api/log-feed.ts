/**
 * One client's live log feed: bytes of the agents it follows, coalesced so a
 * flooding agent costs at most one message per stream per flush (≤ ~20 per
 * second per agent), with a bound on what waits. Past the bound the waiting
 * bytes are dropped; the next message's offset shows the gap and the UI reads
 * the missing range from the file (DESIGN.md decision 5: the file is the truth).
 */
import type { LogEventView, SeenMarkView } from '../../src-preload/contract';
import type { LogEvent } from '../supervisor/index';

export const LOG_FLUSH_MS = 100;
/** Most bytes waiting per stream between two flushes. */
export const MAX_PENDING_BYTES = 2 * 1024 * 1024;

interface Pending {
  agentId: string;
  stream: LogEvent['stream'];
  offset: number;
  parts: Uint8Array[];
  bytes: number;
  /** When each coalesced chunk was seen: a mark where the time changes. */
  seen: SeenMarkView[];
}

export class LogFeed {
  private followed = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly send: (event: LogEventView) => void) {}

  follow(agentIds: readonly string[]): void {
    this.followed = new Set(agentIds);
    for (const [key, waiting] of this.pending) if (!this.followed.has(waiting.agentId)) this.pending.delete(key);
  }

  push(event: LogEvent): void {
    if (!this.followed.has(event.agentId)) return;
    const key = `${event.agentId}\0${event.stream}`;
    const waiting = this.pending.get(key);
    const contiguous = waiting !== undefined && waiting.offset + waiting.bytes === event.offset;
    if (waiting === undefined || !contiguous || waiting.bytes + event.data.length > MAX_PENDING_BYTES) {
      if (waiting !== undefined && !contiguous) this.flushOne(waiting);
      const seen = event.seenAt === undefined ? [] : [{ offset: event.offset, at: event.seenAt }];
      this.pending.set(key, { agentId: event.agentId, stream: event.stream, offset: event.offset, parts: [event.data], bytes: event.data.length, seen });
    } else {
      waiting.parts.push(event.data);
      waiting.bytes += event.data.length;
      if (event.seenAt !== undefined && waiting.seen[waiting.seen.length - 1]?.at !== event.seenAt) waiting.seen.push({ offset: event.offset, at: event.seenAt });
    }
    this.timer ??= setTimeout(() => this.flush(), LOG_FLUSH_MS);
  }

  flush(): void {
    this.timer = null;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const one of waiting) this.flushOne(one);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
    this.followed.clear();
  }

  private flushOne(waiting: Pending): void {
    const data = Buffer.concat(waiting.parts, waiting.bytes).toString('base64');
    this.send({ agentId: waiting.agentId, stream: waiting.stream, offset: waiting.offset, data, ...(waiting.seen.length === 0 ? {} : { seen: waiting.seen }) });
  }
}
