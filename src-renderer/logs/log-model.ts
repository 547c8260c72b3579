/**
 * Bytes in, lines out: one agent's two streams, each with its own decoding
 * state (UTF-8 → ANSI → visible controls), feeding one LineStore. Pure and
 * synchronous; log-feed.ts decides which bytes arrive here and when.
 */
import type { SeenMarkView } from '../../src-preload/contract';
import { AnsiParser, type Run } from './ansi';
import { LineStore, type LineStoreOptions, type LogStream, type SeenAt } from './line-store';
import { Utf8Stream, leadingContinuationBytes } from './utf8-stream';
import { ControlVisibility } from './visible';

class StreamDecoder {
  private readonly utf8 = new Utf8Stream();
  private readonly ansi = new AnsiParser();
  private readonly visible = new ControlVisibility();

  decode(bytes: Uint8Array): Run[] {
    return this.visible.push(this.ansi.push(this.utf8.decode(bytes)));
  }

  reset(): void {
    this.utf8.reset();
    this.ansi.reset();
    this.visible.reset();
  }
}

/** Byte offsets just after each 0x0A in `bytes`, which starts at `offset`. */
export function newlineEnds(bytes: Uint8Array, offset: number): number[] {
  const ends: number[] = [];
  let at = bytes.indexOf(0x0a);
  while (at !== -1) {
    ends.push(offset + at + 1);
    at = bytes.indexOf(0x0a, at + 1);
  }
  return ends;
}

/**
 * Where a slice that starts at `offset` mid-file should really start: after
 * its first newline (the partial line before it belongs to older bytes), or,
 * with no newline at all, after any continuation bytes of a split character.
 * Callers read one byte more than they want to show: when that extra first
 * byte is a newline, the rest starts exactly at a line start and is kept whole.
 */
export function lineStartWithin(bytes: Uint8Array, offset: number): number {
  if (offset === 0) return 0;
  const nl = bytes.indexOf(0x0a);
  return nl === -1 ? leadingContinuationBytes(bytes) : nl + 1;
}

/** When the byte at an offset was seen, by `seen` (in offset order): the last mark at or before it. */
export function seenAtOf(seen: readonly SeenMarkView[] | undefined): SeenAt {
  if (seen === undefined || seen.length === 0) return () => null;
  return (offset) => {
    let lo = 0;
    let hi = seen.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seen[mid]!.offset <= offset) lo = mid + 1;
      else hi = mid;
    }
    return (seen[lo - 1] ?? seen[0])!.at;
  };
}

export class LogModel {
  readonly store: LineStore;
  private readonly decoders: Record<LogStream, StreamDecoder> = { stdout: new StreamDecoder(), stderr: new StreamDecoder() };
  /** Offset after the last byte handed to each decoder (it may still hold part of a character). */
  private readonly next: Record<LogStream, number> = { stdout: 0, stderr: 0 };

  constructor(options: LineStoreOptions = {}) {
    this.store = new LineStore(options);
  }

  /** The offset the next appended byte of `stream` must have. */
  expected(stream: LogStream): number {
    return this.next[stream];
  }

  /** Starts `stream` afresh at `offset` (its lines and decoding state are dropped). */
  start(stream: LogStream, offset: number): void {
    this.decoders[stream].reset();
    this.next[stream] = offset;
    this.store.startStream(stream, offset);
  }

  /** Appends bytes that start exactly at `expected(stream)`; `seen` says when they were seen. */
  append(stream: LogStream, bytes: Uint8Array, seen?: readonly SeenMarkView[]): void {
    const offset = this.expected(stream);
    if (bytes.length === 0) return;
    const runs = this.decoders[stream].decode(bytes);
    this.next[stream] = offset + bytes.length;
    this.store.append(stream, runs, newlineEnds(bytes, offset), offset + bytes.length, seenAtOf(seen));
  }

  /** Bytes [from, to) are skipped: a marker says so, and decoding restarts at `to`. */
  skip(stream: LogStream, from: number, to: number): void {
    this.decoders[stream].reset();
    this.next[stream] = to;
    this.store.markGap(stream, from, to);
  }

  /**
   * Puts `bytes` (starting at `offset`, ending at the stream's first kept
   * byte) before what is kept, decoded on their own. Returns false when they
   * no longer fit (the store evicted meanwhile).
   */
  prepend(stream: LogStream, offset: number, bytes: Uint8Array, seen?: readonly SeenMarkView[]): boolean {
    const end = offset + bytes.length;
    if (end !== this.store.firstKeptOffset(stream)) return false;
    const cut = lineStartWithin(bytes, offset);
    const page = bytes.subarray(cut);
    if (page.length === 0) return false;
    const decoder = new StreamDecoder();
    const runs = decoder.decode(page);
    return this.store.prepend(stream, runs, newlineEnds(page, offset + cut), offset + cut, end, seenAtOf(seen));
  }
}
