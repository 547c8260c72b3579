/**
 * The list's multi-selection, apart from the keyboard cursor: which agents a
 * bulk action applies to. Pure helpers over the visible rows, so a range is
 * what the user sees between the two clicks (filter, sort and collapsed
 * parents included).
 */
import type { TreeRow } from './agent-tree-model';

/** How a row was clicked: plain (select and open), Ctrl/⌘ (toggle), Shift (range from the anchor). */
export type PickMode = 'single' | 'toggle' | 'range';

export function pickModeOf(event: { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }): PickMode {
  if (event.shiftKey) return 'range';
  if (event.ctrlKey || event.metaKey) return 'toggle';
  return 'single';
}

/** The ids of the visible rows from `anchorId` to `targetId`, both included; just the target when the anchor is not shown. */
export function rangeOf(rows: readonly TreeRow[], anchorId: string | null, targetId: string): Set<string> {
  const to = rows.findIndex((row) => row.agentId === targetId);
  const from = anchorId === null ? -1 : rows.findIndex((row) => row.agentId === anchorId);
  if (to < 0) return new Set();
  if (from < 0) return new Set([targetId]);
  const [low, high] = from <= to ? [from, to] : [to, from];
  return new Set(rows.slice(low, high + 1).map((row) => row.agentId));
}

/**
 * Ctrl/⌘ click: flips one row. The first such click while nothing is marked
 * keeps the row already under the cursor too, as file managers do.
 */
export function toggleIn(marked: ReadonlySet<string>, cursorId: string | null, targetId: string): Set<string> {
  const next = new Set(marked);
  if (next.size === 0 && cursorId !== null && cursorId !== targetId) next.add(cursorId);
  if (!next.delete(targetId)) next.add(targetId);
  return next;
}

/** The marked ids still listed (an agent removed elsewhere drops out). */
export function stillListed(marked: ReadonlySet<string>, rows: readonly TreeRow[]): string[] {
  if (marked.size === 0) return [];
  return rows.filter((row) => marked.has(row.agentId)).map((row) => row.agentId);
}
