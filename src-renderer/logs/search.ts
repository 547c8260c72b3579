/**
 * Case-insensitive substring search over the kept lines of one view mode,
 * kept up to date incrementally as lines arrive: each update scans only the
 * new lines and the (at most two) lines that were still open, and forgets
 * matches of evicted lines. A full rescan happens only when the query or mode
 * changes, or lines were inserted or removed in the middle (Load older, a gap).
 *
 * Matches are capped (`maxMatches`) so searching for "e" in 50 000 long lines
 * cannot allocate millions of entries; the count then reads "N+".
 */
import type { LineStore, LogLine, StreamMode } from './line-store';

export interface Match {
  seq: number;
  col: number;
}

interface LineMatches {
  line: LogLine;
  cols: number[];
}

/** Lower case without changing the length (a few characters lowercase to two). */
export function foldCase(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  let out = '';
  for (const ch of text) {
    const l = ch.toLowerCase();
    out += l.length === ch.length ? l : ch;
  }
  return out;
}

/** Start columns of non-overlapping matches of `needle` (already case-folded) in `text`. */
export function findAll(text: string, needle: string): number[] {
  const cols: number[] = [];
  if (needle.length === 0 || text.length < needle.length) return cols;
  const hay = foldCase(text);
  let at = hay.indexOf(needle);
  while (at !== -1) {
    cols.push(at);
    at = hay.indexOf(needle, at + needle.length);
  }
  return cols;
}

export class LogSearch {
  private query = '';
  private needle = '';
  private mode: StreamMode | null = null;
  private structureVersion = -1;
  private entries: LineMatches[] = [];
  private total = 0;
  private capped = false;
  /** Seq of the last line scanned; later lines are new. */
  private lastSeq = Number.NEGATIVE_INFINITY;
  /** Lines that were open when scanned: they may have grown. */
  private openLines: LogLine[] = [];
  private current: Match | null = null;

  constructor(readonly maxMatches = 100_000) {}

  get count(): number {
    return this.total;
  }

  get isCapped(): boolean {
    return this.capped;
  }

  get currentMatch(): Match | null {
    return this.current;
  }

  get activeQuery(): string {
    return this.query;
  }

  /** Brings the matches up to date with `store`. Returns true when the query or mode changed (a fresh search). */
  update(store: LineStore, mode: StreamMode, query: string): boolean {
    const fresh = query !== this.query || mode !== this.mode;
    if (fresh || store.structureVersion !== this.structureVersion) {
      this.query = query;
      this.needle = foldCase(query);
      this.mode = mode;
      this.structureVersion = store.structureVersion;
      this.entries = [];
      this.total = 0;
      this.capped = false;
      this.lastSeq = Number.NEGATIVE_INFINITY;
      this.openLines = [];
      if (fresh) this.current = null;
    }
    if (this.needle.length === 0) {
      this.lastSeq = Number.POSITIVE_INFINITY;
      return fresh;
    }
    this.dropEvicted(store, mode);
    const stillOpen: LogLine[] = [];
    for (const line of this.openLines) {
      this.rescan(line);
      if (line.open) stillOpen.push(line);
    }
    const count = store.count(mode);
    for (let i = store.indexOfSeq(mode, this.lastSeq + 1); i < count; i++) {
      const line = store.line(mode, i);
      if (line === undefined) break;
      this.lastSeq = line.seq;
      if (line.open) stillOpen.push(line);
      if (!this.capped) this.add(line, findAll(line.text, this.needle));
    }
    this.openLines = stillOpen;
    if (this.current !== null && this.current.seq < (store.line(mode, 0)?.seq ?? Number.POSITIVE_INFINITY)) this.current = null;
    return fresh;
  }

  /** 0-based position of the current match among all, or -1. O(lines with matches); call once per render. */
  currentIndex(): number {
    if (this.current === null) return -1;
    const at = this.entryAtOrAfter(this.current.seq);
    const entry = this.entries[at];
    if (entry === undefined || entry.line.seq !== this.current.seq) return -1;
    const col = entry.cols.indexOf(this.current.col);
    if (col === -1) return -1;
    let index = col;
    for (let i = 0; i < at; i++) index += this.entries[i]?.cols.length ?? 0;
    return index;
  }

  /** Selects the first match on or after the line with `seq` (wrapping to the first). */
  selectFrom(seq: number): Match | null {
    const entry = this.entries[this.entryAtOrAfter(seq)] ?? this.entries[0];
    this.current = entry === undefined ? null : { seq: entry.line.seq, col: entry.cols[0] ?? 0 };
    return this.current;
  }

  next(): Match | null {
    if (this.entries.length === 0) return (this.current = null);
    if (this.current === null) return this.selectFrom(Number.NEGATIVE_INFINITY);
    const { seq, col } = this.current;
    const at = this.entryAtOrAfter(seq);
    const entry = this.entries[at];
    if (entry !== undefined && entry.line.seq === seq) {
      const later = entry.cols.find((c) => c > col);
      if (later !== undefined) return (this.current = { seq, col: later });
      return this.selectEntry(at + 1 < this.entries.length ? at + 1 : 0, 'first');
    }
    return this.selectEntry(at < this.entries.length ? at : 0, 'first');
  }

  previous(): Match | null {
    if (this.entries.length === 0) return (this.current = null);
    const last = this.entries.length - 1;
    if (this.current === null) return this.selectEntry(last, 'last');
    const { seq, col } = this.current;
    const at = this.entryAtOrAfter(seq);
    const entry = this.entries[at];
    if (entry !== undefined && entry.line.seq === seq) {
      const earlier = [...entry.cols].reverse().find((c) => c < col);
      if (earlier !== undefined) return (this.current = { seq, col: earlier });
    }
    return this.selectEntry(at > 0 ? at - 1 : last, 'last');
  }

  private selectEntry(index: number, which: 'first' | 'last'): Match | null {
    const entry = this.entries[index];
    if (entry === undefined) return (this.current = null);
    const col = which === 'first' ? entry.cols[0] : entry.cols[entry.cols.length - 1];
    return (this.current = { seq: entry.line.seq, col: col ?? 0 });
  }

  /** Index of the first entry whose line seq is ≥ `seq`. */
  private entryAtOrAfter(seq: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.entries[mid]?.line.seq ?? 0) < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private dropEvicted(store: LineStore, mode: StreamMode): void {
    const firstSeq = store.line(mode, 0)?.seq ?? Number.POSITIVE_INFINITY;
    const cut = this.entryAtOrAfter(firstSeq);
    if (cut === 0) return;
    for (let i = 0; i < cut; i++) this.total -= this.entries[i]?.cols.length ?? 0;
    this.entries.splice(0, cut);
    this.openLines = this.openLines.filter((line) => line.seq >= firstSeq);
  }

  /** Re-searches a line that was open when last scanned (it has grown since). */
  private rescan(line: LogLine): void {
    if (this.capped) return;
    const at = this.entryAtOrAfter(line.seq);
    const entry = this.entries[at];
    const cols = findAll(line.text, this.needle);
    if (entry !== undefined && entry.line === line) {
      this.total += cols.length - entry.cols.length;
      if (cols.length === 0) this.entries.splice(at, 1);
      else entry.cols = cols;
    } else if (cols.length > 0) {
      this.entries.splice(at, 0, { line, cols });
      this.total += cols.length;
    }
  }

  private add(line: LogLine, cols: number[]): void {
    if (cols.length === 0) return;
    const room = this.maxMatches - this.total;
    if (cols.length > room) {
      cols = cols.slice(0, Math.max(0, room));
      this.capped = true;
    }
    if (cols.length === 0) return;
    this.entries.push({ line, cols });
    this.total += cols.length;
  }
}
