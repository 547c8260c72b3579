/**
 * Reading an agent's logs over the contract: the last N lines (paging back
 * with `readLog`), and following new bytes (`followLogs` events, with a read
 * to close any gap between the two, and a final read once the agent ends so
 * nothing written at the end is lost).
 */
import type { LogStream } from '../../src-preload/contract';
import type { CorralClient } from '../client/index';
import { valueOf } from './agents';

const CHUNK = 256 * 1024;

interface Slice {
  offset: number;
  data: Buffer;
  size: number;
}

async function read(client: CorralClient, agentId: string, stream: LogStream, before: number | undefined, maxBytes: number): Promise<Slice> {
  const slice = valueOf(await client.call('readLog', { agentId, stream, maxBytes, ...(before === undefined ? {} : { before }) }), `read the ${stream} log of ${agentId}`);
  return { offset: slice.offset, data: Buffer.from(slice.data, 'base64'), size: slice.size };
}

/** The last `lines` lines (all of it when null) and the offset where the file ended. */
export async function readTail(client: CorralClient, agentId: string, stream: LogStream, lines: number | null): Promise<{ data: Buffer; end: number }> {
  const first = await read(client, agentId, stream, undefined, CHUNK);
  const chunks = [first.data];
  let offset = first.offset;
  const newlines = () => chunks.reduce((count, chunk) => count + chunk.reduce((n, byte) => n + (byte === 10 ? 1 : 0), 0), 0);
  // One more newline than lines asked for: the last line may end with one.
  while (offset > 0 && (lines === null || newlines() <= lines)) {
    const earlier = await read(client, agentId, stream, offset, CHUNK);
    if (earlier.data.length === 0) break;
    chunks.unshift(earlier.data);
    offset = earlier.offset;
  }
  let data = Buffer.concat(chunks);
  if (lines !== null) {
    const text = data;
    let cut = text.length;
    // Skip a final newline, then walk back `lines` newlines.
    let seen = 0;
    for (let at = text.length - 2; at >= 0; at--) {
      if (text[at] === 10 && ++seen === lines) {
        cut = at + 1;
        break;
      }
    }
    data = lines === 0 ? Buffer.alloc(0) : seen < lines ? text : text.subarray(cut);
  }
  return { data, end: first.offset + first.data.length };
}

/** Bytes [from, to) of a log, read in slices from the end. */
async function readRange(client: CorralClient, agentId: string, stream: LogStream, from: number, to: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let before = to;
  while (before > from) {
    const slice = await read(client, agentId, stream, before, Math.min(CHUNK, before - from));
    if (slice.data.length === 0) break;
    chunks.unshift(slice.data);
    before = slice.offset;
  }
  return Buffer.concat(chunks);
}

export type Sinks = Partial<Record<LogStream, (data: Buffer) => void>>;

/** Follows `agentId`'s logs from `start` offsets, writing each stream's new bytes once, in order. */
export class LogFollower {
  private readonly next: Record<LogStream, number>;
  private readonly unsubscribe: () => void;
  private queue = Promise.resolve();

  constructor(
    private readonly client: CorralClient,
    private readonly agentId: string,
    private readonly sinks: Sinks,
    start: Record<LogStream, number>,
  ) {
    this.next = { ...start };
    this.unsubscribe = client.subscribe('log', (event) => {
      if (event.agentId !== agentId || this.sinks[event.stream] === undefined) return;
      const data = Buffer.from(event.data, 'base64');
      // In order with any catch-up read running meanwhile.
      this.queue = this.queue.then(() => this.write(event.stream, event.offset, data));
    });
  }

  /** Starts the events (and reads whatever was written since `start`). */
  async begin(): Promise<void> {
    valueOf(await this.client.call('followLogs', { agentIds: [this.agentId] }), `follow the logs of ${this.agentId}`);
    await this.catchUp();
  }

  /** Reads and writes everything up to the current end of each file. */
  catchUp(): Promise<void> {
    this.queue = this.queue.then(async () => {
      for (const stream of Object.keys(this.sinks) as LogStream[]) {
        const { size } = await read(this.client, this.agentId, stream, undefined, 1);
        // A rotated (shorter) file starts again from its beginning.
        if (size < this.next[stream]) this.next[stream] = 0;
        if (size > this.next[stream]) this.write(stream, this.next[stream], await readRange(this.client, this.agentId, stream, this.next[stream], size));
      }
    });
    return this.queue;
  }

  stop(): void {
    this.unsubscribe();
  }

  private write(stream: LogStream, offset: number, data: Buffer): void {
    const end = offset + data.length;
    if (end <= this.next[stream]) return;
    const fresh = offset >= this.next[stream] ? data : data.subarray(this.next[stream] - offset);
    this.next[stream] = end;
    this.sinks[stream]?.(fresh);
  }
}
