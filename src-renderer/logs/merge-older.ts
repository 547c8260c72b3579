/**
 * "Load older" in the combined view: older lines of one stream go into the
 * kept lines by the time each was seen, and get sequence numbers between
 * their neighbours'. Kept lines keep theirs: search and the view hold them.
 */
import type { LogStream } from '../../src-preload/contract';

/** What the merge reads of a line, and the `seq` it writes on the added ones. */
export interface Mergeable {
  seq: number;
  readonly stream: LogStream;
  readonly at: number | null;
}

/**
 * Each of `older` (lines of `stream`, oldest first) goes before the first kept line seen later,
 * and always before its own stream's kept lines; without times, before everything. Numbers the
 * added lines in place and returns the merged order and the next free seq.
 */
export function mergeOlder<L extends Mergeable>(kept: readonly L[], older: readonly L[], stream: LogStream, nextSeq: number): { merged: L[]; nextSeq: number } {
  const merged: L[] = [];
  let k = 0;
  for (const line of older) {
    while (k < kept.length && !goesBefore(line, kept[k]!, stream)) merged.push(kept[k++]!);
    merged.push(line);
  }
  while (k < kept.length) merged.push(kept[k++]!);
  numberAdded(merged, new Set(older), nextSeq);
  const last = merged.at(-1);
  return { merged, nextSeq: last === undefined ? nextSeq : Math.max(nextSeq, Math.floor(last.seq) + 1) };
}

function goesBefore(line: Mergeable, kept: Mergeable, stream: LogStream): boolean {
  if (kept.stream === stream) return true;
  if (line.at === null || kept.at === null) return line.at === null;
  return line.at < kept.at;
}

/** Runs of added lines between kept neighbours (or before the first, or after the last) get evenly spaced seqs. */
function numberAdded(merged: Mergeable[], added: ReadonlySet<Mergeable>, nextSeq: number): void {
  let i = 0;
  while (i < merged.length) {
    if (!added.has(merged[i]!)) {
      i++;
      continue;
    }
    let j = i;
    while (j < merged.length && added.has(merged[j]!)) j++;
    const before = i > 0 ? merged[i - 1]!.seq : null;
    const after = j < merged.length ? merged[j]!.seq : null;
    const n = j - i;
    for (let m = 0; m < n; m++) {
      if (before === null) merged[i + m]!.seq = (after ?? nextSeq) - n + m;
      else if (after === null) merged[i + m]!.seq = before + 1 + m;
      else merged[i + m]!.seq = before + ((after - before) * (m + 1)) / (n + 1);
    }
    i = j;
  }
}
