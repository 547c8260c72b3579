/**
 * The renderer's bounded window of log lines (DESIGN.md decision 5: the file
 * is the truth, the renderer holds a window and pages older bytes on demand).
 *
 * - Lines of both streams are kept in the order they were written, as far
 *   as the engine's marks of when it saw each part tell (`at`, see
 *   SeenMarkView): the feed appends both streams' first pages interleaved by
 *   those times, live lines come in arrival order, and "Load older" merges
 *   its page in by time. Each stream also has its own ordered view.
 * - Bounded: at most `maxLines` lines and `maxChars` characters; the oldest
 *   are evicted first. For each stream we remember the byte offset of its
 *   first kept line, so "Load older" can read the bytes just before it.
 * - A line longer than `maxLineChars` keeps its first `maxLineChars`
 *   characters and counts the rest (`hidden`) without storing them. We chose
 *   not to offer "expand": the file holds every byte (Open log folder), and a
 *   10 000-character row is already more than anyone reads in a list. A 50 MB
 *   line without a newline therefore costs 10 000 characters here, not 50 MB.
 * - Appending is O(new data): it touches only the open line and the new ones,
 *   and eviction pops from the front of a deque.
 * - A line is a string plus, only when it has colour, a short array of
 *   (start, style) spans whose style objects are shared (style.ts).
 *
 * Callers give the byte offset after each newline of the appended data
 * (`newlineEnds`): the n-th "\n" in the runs is the n-th 0x0A byte (ansi.ts
 * guarantees it), which gives every line its byte offset in its file.
 */
import type { LogStream } from '../../src-preload/contract';
import type { Run } from './ansi';
import { Deque } from './deque';
import { mergeOlder } from './merge-older';
import { PLAIN, type Style } from './style';

export type { LogStream };
export type StreamMode = LogStream | 'both';

export interface Span {
  readonly start: number;
  readonly style: Style;
}

export interface LogLine {
  /** Unique, increasing in display order ("Load older" lines get smaller ones). */
  readonly seq: number;
  readonly stream: LogStream;
  /** `gap`: a marker saying bytes were skipped (text says how many). */
  readonly kind: 'text' | 'gap';
  /** Byte offset of the line's first byte in its file. */
  readonly offset: number;
  /** When the engine saw its first byte (ms since the epoch, the engine's clock); null when unknown. */
  readonly at: number | null;
  /** Byte offset just after its "\n" (while open: after what has arrived). */
  readonly end: number;
  /** The stored text: at most maxLineChars characters. */
  readonly text: string;
  /** Style changes; null when the whole line is plain. */
  readonly spans: readonly Span[] | null;
  /** Characters beyond the fold, counted, not stored. */
  readonly hidden: number;
  /** No "\n" yet: more may be appended. */
  readonly open: boolean;
  /** Its beginning was evicted while it was still open. */
  readonly continued: boolean;
}

type Line = { -readonly [K in keyof LogLine]: LogLine[K] } & { spans: Span[] | null };

export interface LineStoreOptions {
  maxLines?: number;
  maxChars?: number;
  maxLineChars?: number;
}

export const DEFAULT_MAX_LINES = 50_000;
export const DEFAULT_MAX_CHARS = 16_000_000;
export const DEFAULT_MAX_LINE_CHARS = 10_000;

/** When the byte at an offset was seen (null: unknown). */
export type SeenAt = (offset: number) => number | null;
const UNKNOWN: SeenAt = () => null;

interface StreamState {
  open: Line | null;
  /** Where the next line to be created starts. */
  nextStart: number;
  /** Offset of the first kept byte of this stream. */
  firstKept: number;
  /** The next line created continues an evicted open line. */
  continues: boolean;
}

/**
 * A string that owns its characters. V8 makes `slice` results views into the
 * source string, so a short line cut from a 1 MiB chunk (most of it dropped
 * escapes, or a folded line) would keep the whole chunk alive. Concatenating
 * then slicing forces one flat copy of just this text.
 */
function detach(text: string): string {
  return text.length < 13 ? text : (text + ' ').slice(0, -1);
}

export class LineStore {
  readonly maxLines: number;
  readonly maxChars: number;
  readonly maxLineChars: number;

  /** Bumped on every change: the view re-renders when it moves. */
  version = 0;
  /** Bumped when lines were removed or inserted other than at the ends (search recomputes fully). */
  structureVersion = 0;

  private readonly all = new Deque<Line>();
  private readonly byStream: Record<LogStream, Deque<Line>> = { stdout: new Deque(), stderr: new Deque() };
  private readonly streams: Record<LogStream, StreamState> = {
    stdout: { open: null, nextStart: 0, firstKept: 0, continues: false },
    stderr: { open: null, nextStart: 0, firstKept: 0, continues: false },
  };
  private chars = 0;
  private nextSeq = 0;
  /** Extra room granted by "Load older", so the next append does not evict what the user just asked for. */
  private slackLines = 0;
  private slackChars = 0;
  private readonly listeners = new Set<() => void>();

  constructor(options: LineStoreOptions = {}) {
    this.maxLines = Math.max(1, options.maxLines ?? DEFAULT_MAX_LINES);
    this.maxChars = Math.max(1, options.maxChars ?? DEFAULT_MAX_CHARS);
    this.maxLineChars = Math.max(1, options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS);
  }

  // ── Reading ────────────────────────────────────────────────────────────────

  count(mode: StreamMode): number {
    return this.deque(mode).length;
  }

  line(mode: StreamMode, index: number): LogLine | undefined {
    return this.deque(mode).get(index);
  }

  /** Absolute index of the first line in `mode` (moves on eviction and on Load older). */
  base(mode: StreamMode): number {
    return this.deque(mode).base;
  }

  /** Index in `mode` of the first line whose seq is ≥ `seq`. */
  indexOfSeq(mode: StreamMode, seq: number): number {
    return this.deque(mode).lowerBound((line) => line.seq < seq);
  }

  /** Index in `stream`'s own view of its first line starting at or after byte `offset` (its count when none). */
  indexAtOffset(stream: LogStream, offset: number): number {
    return this.byStream[stream].lowerBound((line) => line.offset < offset);
  }

  /** Byte offset of the first kept byte of `stream`: "Load older" reads what is before it. */
  firstKeptOffset(stream: LogStream): number {
    return this.streams[stream].firstKept;
  }

  /** Where the next appended byte of `stream` must start. */
  nextOffset(stream: LogStream): number {
    const state = this.streams[stream];
    return state.open?.end ?? state.nextStart;
  }

  /** Total characters kept (for tests and the bench). */
  get keptChars(): number {
    return this.chars;
  }

  // ── Change notification ────────────────────────────────────────────────────

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }

  // ── Writing ────────────────────────────────────────────────────────────────

  /** Starts (or restarts) a stream at `offset`, dropping its lines. */
  startStream(stream: LogStream, offset: number): void {
    if (this.byStream[stream].length > 0) this.removeStreamLines(stream);
    const state = this.streams[stream];
    state.open = null;
    state.nextStart = offset;
    state.firstKept = offset;
    state.continues = false;
    this.changed();
  }

  /**
   * Appends decoded runs of `stream`. `newlineEnds[k]` is the byte offset just
   * after the k-th "\n" in `runs`; `chunkEnd` the offset after the last byte.
   */
  append(stream: LogStream, runs: readonly Run[], newlineEnds: readonly number[], chunkEnd: number, seenAt: SeenAt = UNKNOWN): void {
    const state = this.streams[stream];
    this.assemble(stream, state, runs, newlineEnds, chunkEnd, seenAt, (line) => {
      line.seq = this.nextSeq++;
      this.all.push(line);
      this.byStream[stream].push(line);
    });
    this.evict();
    this.changed();
  }

  /**
   * Puts older lines of `stream` before its first kept line. The runs must
   * cover bytes [start, firstKeptOffset(stream)) starting at a line start.
   * Returns false (and changes nothing) when the store moved on meanwhile.
   */
  prepend(stream: LogStream, runs: readonly Run[], newlineEnds: readonly number[], start: number, end: number, seenAt: SeenAt = UNKNOWN): boolean {
    const state = this.streams[stream];
    if (end !== state.firstKept || start >= end) return false;
    const lines: Line[] = [];
    const scratch: StreamState = { open: null, nextStart: start, firstKept: start, continues: false };
    this.assemble(stream, scratch, runs, newlineEnds, end, seenAt, (line) => lines.push(line));
    if (scratch.open !== null) this.closeLine(scratch.open, end);
    let chars = 0;
    for (const line of lines) chars += line.text.length;
    // A gap marker of this stream said "Load older"; the lines now say it better.
    if (this.byStream[stream].first()?.kind === 'gap') this.removeWhere((line) => line.stream === stream && line.kind === 'gap');
    const { merged, nextSeq } = mergeOlder(this.all.toArray(), lines, stream, this.nextSeq);
    this.nextSeq = nextSeq;
    this.all.replaceAll(merged, lines.length);
    this.byStream[stream].unshiftAll(lines);
    this.chars += chars;
    state.firstKept = start;
    this.slackLines = Math.min(this.maxLines, this.slackLines + lines.length);
    this.slackChars = Math.min(this.maxChars, this.slackChars + chars);
    this.structureVersion++;
    this.changed();
    return true;
  }

  /** Back to the normal bounds (the user returned to the tail): older pages may be evicted again. */
  dropSlack(): void {
    this.slackLines = 0;
    this.slackChars = 0;
  }

  /**
   * Bytes [from, to) of `stream` will not be shown (too many to fill): the
   * stream's lines are dropped, so each stream stays one contiguous byte range
   * (what "Load older" pages back from), and a marker line takes their place.
   */
  markGap(stream: LogStream, from: number, to: number): void {
    this.removeStreamLines(stream);
    const state = this.streams[stream];
    state.open = null;
    state.nextStart = to;
    state.firstKept = to;
    state.continues = false;
    const text = `… ${(to - from).toLocaleString('en-US')} bytes not shown — Load older`;
    const line: Line = { seq: this.nextSeq++, stream, kind: 'gap', offset: to, at: null, end: to, text, spans: null, hidden: 0, open: false, continued: false };
    this.all.push(line);
    this.byStream[stream].push(line);
    this.chars += text.length;
    this.evict();
    this.changed();
  }

  // ── Internals ──────────────────────────────────────────────────────────────

  private deque(mode: StreamMode): Deque<Line> {
    return mode === 'both' ? this.all : this.byStream[mode];
  }

  private assemble(
    stream: LogStream,
    state: StreamState,
    runs: readonly Run[],
    newlineEnds: readonly number[],
    chunkEnd: number,
    seenAt: SeenAt,
    created: (line: Line) => void,
  ): void {
    let newline = 0;
    const openLine = (): Line => {
      if (state.open !== null) return state.open;
      const line: Line = {
        seq: 0,
        stream,
        kind: 'text',
        offset: state.nextStart,
        at: seenAt(state.nextStart),
        end: state.nextStart,
        text: '',
        spans: null,
        hidden: 0,
        open: true,
        continued: state.continues,
      };
      state.continues = false;
      state.open = line;
      created(line);
      return line;
    };
    for (const run of runs) {
      const text = run.text;
      let pos = 0;
      for (;;) {
        const nl = text.indexOf('\n', pos);
        const end = nl === -1 ? text.length : nl;
        if (end > pos) this.addText(openLine(), text, pos, end, run.style);
        if (nl === -1) break;
        const line = openLine();
        const lineEnd = newlineEnds[newline++] ?? chunkEnd;
        this.closeLine(line, lineEnd);
        state.open = null;
        state.nextStart = lineEnd;
        pos = nl + 1;
      }
    }
    if (state.open !== null) state.open.end = chunkEnd;
  }

  private addText(line: Line, text: string, from: number, to: number, style: Style): void {
    const room = this.maxLineChars - line.text.length;
    const take = Math.min(room, to - from);
    if (take < to - from) line.hidden += to - from - take;
    if (take <= 0) return;
    if (style !== PLAIN || line.spans !== null) {
      if (line.spans === null) line.spans = line.text.length > 0 ? [{ start: 0, style: PLAIN }] : [];
      const last = line.spans[line.spans.length - 1];
      if (last === undefined || last.style !== style) {
        if (last !== undefined && last.start === line.text.length) line.spans[line.spans.length - 1] = { start: last.start, style };
        else line.spans.push({ start: line.text.length, style });
      }
    }
    line.text += from === 0 && take === text.length ? text : text.slice(from, from + take);
    this.chars += take;
  }

  private closeLine(line: Line, end: number): void {
    line.end = end;
    line.open = false;
    line.text = detach(line.text);
    if (line.spans !== null && line.spans.length === 1 && line.spans[0]?.style === PLAIN) line.spans = null;
  }

  private evict(): void {
    const maxLines = this.maxLines + this.slackLines;
    const maxChars = this.maxChars + this.slackChars;
    while (this.all.length > 1 && (this.all.length > maxLines || this.chars > maxChars)) {
      const line = this.all.shift() as Line;
      this.byStream[line.stream].shift();
      this.chars -= line.text.length;
      const state = this.streams[line.stream];
      if (line.open) {
        // Its stream is still writing it: the rest becomes a new, "continued" line.
        state.open = null;
        state.nextStart = line.end;
        state.firstKept = line.end;
        state.continues = true;
      } else {
        state.firstKept = line.end;
      }
    }
    if (this.all.length <= this.maxLines && this.chars <= this.maxChars) this.dropSlack();
  }

  private removeStreamLines(stream: LogStream): void {
    this.removeWhere((line) => line.stream === stream);
    this.byStream[stream].retain(() => false);
  }

  private removeWhere(drop: (line: Line) => boolean): void {
    let removedChars = 0;
    const kept = (line: Line) => {
      if (!drop(line)) return true;
      removedChars += line.text.length;
      return false;
    };
    this.all.retain(kept);
    for (const stream of ['stdout', 'stderr'] as const) this.byStream[stream].retain((line) => !drop(line));
    this.chars -= removedChars;
    this.structureVersion++;
  }
}
