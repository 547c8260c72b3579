/**
 * Keeps a LogModel in step with one agent's log files: reads the tail of each
 * file first, then applies `log` events in order per stream, and mends what
 * the events miss. The host may drop events under backpressure (the next
 * event's offset then jumps past what we have): a small gap is read back from
 * the file in ≤ 1 MiB slices; a big one becomes a marker ("… N bytes not
 * shown — Load older") and the view continues from the new bytes.
 *
 * The first pages of both streams are read together and appended in pieces
 * ordered by when the engine saw them (SeenMarkView), so the combined view
 * starts in the order the lines were written, also after a reload; "Load
 * older" pages are merged in by the same times (line-store.ts).
 *
 * Each stream is processed by one async loop at a time, so reads and events
 * apply in offset order. What waits is bounded (MAX_QUEUED_BYTES); past it the
 * oldest waiting events are dropped, which is just another gap.
 * Pure TypeScript with an injected API, so it is unit-tested without a DOM.
 */
import { LOG_READ_MAX_BYTES, type CorralApi, type LogEventView, type LogSliceView, type Result, type SeenMarkView } from '../../src-preload/contract';
import { decodeBase64 } from './base64';
import { lineStartWithin, seenAtOf, type LogModel } from './log-model';
import type { LogStream } from './line-store';

export type LogApi = Pick<CorralApi, 'readLog'>;

export const TAIL_BYTES = 256 * 1024;
/** Gaps up to this size are read back from the file; bigger ones become a marker. */
export const MAX_FILL_BYTES = 4 * 1024 * 1024;
export const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
const STREAMS: readonly LogStream[] = ['stdout', 'stderr'];

type Job = { kind: 'bytes'; offset: number; bytes: Uint8Array; seen: SeenMarkView[] | undefined } | { kind: 'catch-up' };

/** One stream's bytes from `offset`, with the marks of when they were seen. */
export interface TimedPage {
  stream: LogStream;
  offset: number;
  bytes: Uint8Array;
  seen: readonly SeenMarkView[];
}

/**
 * Cuts each page where its marks say a later poll saw the bytes, and orders
 * the pieces of all pages by that time (each page's own order kept; on a tie,
 * the earlier page first; pieces of unknown time first, as before marks
 * existed). Appending the pieces in this order creates the lines in the order
 * they were written.
 */
export function interleaveByTime(pages: readonly TimedPage[]): TimedPage[] {
  const queues = pages.map((page) => piecesOf(page));
  const out: TimedPage[] = [];
  const timeOf = (piece: TimedPage) => piece.seen[0]?.at ?? Number.NEGATIVE_INFINITY;
  for (;;) {
    let best = -1;
    for (let q = 0; q < queues.length; q++) {
      const head = queues[q]![0];
      if (head !== undefined && (best === -1 || timeOf(head) < timeOf(queues[best]![0]!))) best = q;
    }
    if (best === -1) return out;
    out.push(queues[best]!.shift()!);
  }
}

function piecesOf(page: TimedPage): TimedPage[] {
  const end = page.offset + page.bytes.length;
  const at = seenAtOf(page.seen);
  const cuts = [page.offset, ...page.seen.map((mark) => mark.offset).filter((offset) => offset > page.offset && offset < end), end];
  const pieces: TimedPage[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const time = at(cuts[i]!);
    const bytes = page.bytes.subarray(cuts[i]! - page.offset, cuts[i + 1]! - page.offset);
    pieces.push({ stream: page.stream, offset: cuts[i]!, bytes, seen: time === null ? [] : [{ offset: cuts[i]!, at: time }] });
  }
  return pieces;
}

export interface LogFeedOptions {
  /** Told about failed reads (the view shows them); the feed keeps going. */
  onError?: (message: string) => void;
  tailBytes?: number;
  maxFillBytes?: number;
}

export class LogFeed {
  private readonly queues: Record<LogStream, Job[]> = { stdout: [], stderr: [] };
  private readonly queuedBytes: Record<LogStream, number> = { stdout: 0, stderr: 0 };
  private readonly busy: Record<LogStream, boolean> = { stdout: false, stderr: false };
  private readonly olderBusy: Record<LogStream, boolean> = { stdout: false, stderr: false };
  private ready = false;
  private disposed = false;
  private readonly tailBytes: number;
  private readonly maxFillBytes: number;
  /** When the last event arrived (ms): the view checks the files only when events have stopped. */
  lastEventAt = 0;

  constructor(
    private readonly api: LogApi,
    private readonly agentId: string,
    private readonly model: LogModel,
    private readonly options: LogFeedOptions = {},
  ) {
    // One byte is added to every page read (see lineStartWithin).
    this.tailBytes = Math.min(options.tailBytes ?? TAIL_BYTES, LOG_READ_MAX_BYTES - 1);
    this.maxFillBytes = options.maxFillBytes ?? MAX_FILL_BYTES;
  }

  /** Reads the tail of both files, then applies events that arrived meanwhile. */
  async start(): Promise<void> {
    const pages = await Promise.all(STREAMS.map((stream) => this.loadTail(stream)));
    if (this.disposed) return;
    for (const piece of interleaveByTime(pages.filter((page) => page !== null))) this.model.append(piece.stream, piece.bytes, piece.seen);
    this.ready = true;
    for (const stream of STREAMS) void this.drain(stream);
  }

  dispose(): void {
    this.disposed = true;
    for (const stream of STREAMS) {
      this.queues[stream] = [];
      this.queuedBytes[stream] = 0;
    }
  }

  /** A `log` event: ignored unless it is this agent's. */
  onEvent(event: LogEventView): void {
    if (this.disposed || event.agentId !== this.agentId) return;
    if (event.stream !== 'stdout' && event.stream !== 'stderr') return;
    const bytes = decodeBase64(event.data);
    if (bytes.length === 0) return;
    this.lastEventAt = Date.now();
    const queue = this.queues[event.stream];
    queue.push({ kind: 'bytes', offset: event.offset, bytes, seen: event.seen });
    this.queuedBytes[event.stream] += bytes.length;
    // Bounded: drop the oldest waiting bytes; the next one's offset shows the gap.
    while (this.queuedBytes[event.stream] > MAX_QUEUED_BYTES && queue.length > 1) {
      const dropped = queue.shift();
      if (dropped?.kind === 'bytes') this.queuedBytes[event.stream] -= dropped.bytes.length;
    }
    if (this.ready) void this.drain(event.stream);
  }

  /**
   * Checks the files for bytes no event brought (the last events before an
   * agent ended may have been dropped, and no later event would reveal the gap).
   */
  catchUp(): void {
    if (this.disposed) return;
    for (const stream of STREAMS) {
      this.queues[stream].push({ kind: 'catch-up' });
      if (this.ready) void this.drain(stream);
    }
  }

  /** Reads up to `TAIL_BYTES` before the first kept byte of `stream` and shows them first. */
  async loadOlder(stream: LogStream): Promise<boolean> {
    const before = this.model.store.firstKeptOffset(stream);
    if (this.disposed || before <= 0 || this.olderBusy[stream]) return false;
    this.olderBusy[stream] = true;
    try {
      const slice = await this.read(stream, before, Math.min(this.tailBytes, before) + 1);
      if (slice === null || this.disposed) return false;
      return this.model.prepend(stream, slice.offset, decodeBase64(slice.data), slice.seen);
    } finally {
      this.olderBusy[stream] = false;
    }
  }

  /** Starts `stream` at the first line of its tail and returns that tail, for start() to append in time order. */
  private async loadTail(stream: LogStream): Promise<TimedPage | null> {
    const slice = await this.read(stream, undefined, this.tailBytes + 1);
    if (this.disposed) return null;
    if (slice === null) {
      this.model.start(stream, 0);
      return null;
    }
    const bytes = decodeBase64(slice.data);
    const cut = lineStartWithin(bytes, slice.offset);
    this.model.start(stream, slice.offset + cut);
    return { stream, offset: slice.offset + cut, bytes: bytes.subarray(cut), seen: slice.seen };
  }

  private async drain(stream: LogStream): Promise<void> {
    if (this.busy[stream]) return;
    this.busy[stream] = true;
    try {
      const queue = this.queues[stream];
      while (!this.disposed && queue.length > 0) {
        const job = queue.shift() as Job;
        if (job.kind === 'bytes') {
          this.queuedBytes[stream] -= job.bytes.length;
          await this.applyBytes(stream, job.offset, job.bytes, job.seen);
        } else {
          await this.applyCatchUp(stream);
        }
      }
    } finally {
      this.busy[stream] = false;
    }
  }

  private async applyBytes(stream: LogStream, offset: number, bytes: Uint8Array, seen: SeenMarkView[] | undefined): Promise<void> {
    let expected = this.model.expected(stream);
    const end = offset + bytes.length;
    if (end <= expected) return; // already have them (the tail read covered this event)
    if (offset > expected) {
      await this.fill(stream, expected, offset);
      if (this.disposed) return;
      expected = this.model.expected(stream);
      if (expected < offset) {
        // The fill could not reach the event (the read failed): skip to it.
        this.model.skip(stream, expected, offset);
        expected = offset;
      }
      if (end <= expected) return;
    }
    this.model.append(stream, bytes.subarray(expected - offset), seen);
  }

  private async applyCatchUp(stream: LogStream): Promise<void> {
    const probe = await this.read(stream, undefined, 1);
    if (probe === null || this.disposed) return;
    const expected = this.model.expected(stream);
    if (probe.size <= expected) return;
    if (probe.size - expected <= this.maxFillBytes) {
      await this.fill(stream, expected, probe.size);
      return;
    }
    // Far behind: show the last TAIL_BYTES, with a marker for what lies between.
    const slice = await this.read(stream, probe.size, this.tailBytes + 1);
    if (slice === null || this.disposed || this.model.expected(stream) !== expected) return;
    const bytes = decodeBase64(slice.data);
    const cut = lineStartWithin(bytes, slice.offset);
    this.model.skip(stream, expected, slice.offset + cut);
    this.model.append(stream, bytes.subarray(cut), slice.seen);
  }

  /** Reads [from, to) into the model in ≤ 1 MiB slices, or marks it skipped when it is too big or unreadable. */
  private async fill(stream: LogStream, from: number, to: number): Promise<void> {
    if (to - from > this.maxFillBytes) {
      this.model.skip(stream, from, to);
      return;
    }
    let at = from;
    while (at < to) {
      const want = Math.min(LOG_READ_MAX_BYTES, to - at);
      const slice = await this.read(stream, at + want, want);
      if (this.disposed) return;
      if (slice === null || slice.offset !== at || this.model.expected(stream) !== at) return;
      const bytes = decodeBase64(slice.data);
      if (bytes.length === 0) return;
      this.model.append(stream, bytes, slice.seen);
      at += bytes.length;
    }
  }

  private async read(stream: LogStream, before: number | undefined, maxBytes: number): Promise<LogSliceView | null> {
    let result: Result<LogSliceView>;
    try {
      result = await this.api.readLog({ agentId: this.agentId, stream, maxBytes: Math.max(1, maxBytes), ...(before === undefined ? {} : { before }) });
    } catch (thrown) {
      this.options.onError?.(`Could not read ${stream}: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
      return null;
    }
    if (!result.ok) {
      this.options.onError?.(`Could not read ${stream}: ${result.error.message}`);
      return null;
    }
    return result.value;
  }
}
