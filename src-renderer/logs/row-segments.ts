/**
 * Cuts one line into the pieces a row renders: each piece has one style and
 * is either inside a search match or not. Pure, so it is tested without a DOM.
 */
import type { LogLine } from './line-store';
import { findAll } from './search';
import { PLAIN, type Style } from './style';

export interface Segment {
  text: string;
  style: Style;
  /** 0: not a match; 1: a match; 2: the current match. */
  match: 0 | 1 | 2;
}

/** `needle` is already case-folded (search.ts foldCase); `currentCol` is the current match's column on this line, or -1. */
export function rowSegments(line: Pick<LogLine, 'text' | 'spans'>, needle: string, currentCol: number): Segment[] {
  const text = line.text;
  const spans = line.spans ?? [{ start: 0, style: PLAIN }];
  const matches = needle.length > 0 ? findAll(text, needle) : [];
  // Every place where the style or the match state may change.
  const cuts = new Set<number>([0, text.length]);
  for (const span of spans) cuts.add(Math.min(span.start, text.length));
  for (const col of matches) {
    cuts.add(col);
    cuts.add(Math.min(col + needle.length, text.length));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const segments: Segment[] = [];
  let spanIndex = 0;
  let matchIndex = 0;
  for (let p = 0; p + 1 < points.length; p++) {
    const from = points[p] as number;
    const to = points[p + 1] as number;
    if (to <= from) continue;
    while (spanIndex + 1 < spans.length && (spans[spanIndex + 1]?.start ?? Infinity) <= from) spanIndex++;
    while (matchIndex < matches.length && (matches[matchIndex] as number) + needle.length <= from) matchIndex++;
    const col = matches[matchIndex];
    const inMatch = col !== undefined && col <= from && from < col + needle.length;
    const segment: Segment = { text: text.slice(from, to), style: spans[spanIndex]?.style ?? PLAIN, match: inMatch ? (col === currentCol ? 2 : 1) : 0 };
    const last = segments[segments.length - 1];
    if (last !== undefined && last.style === segment.style && last.match === segment.match) last.text += segment.text;
    else segments.push(segment);
  }
  return segments;
}
