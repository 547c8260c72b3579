/**
 * Turns the flat agent map into the rows the Agents tree shows: children under
 * their parent (by `parentAgentId`), depth for indentation, ARIA positions.
 * Pure, so it is unit-tested and cheap enough to rerun on every status tick
 * (one pass to index children, one depth-first walk; no recursion, so a long
 * chain of sub-agents cannot overflow the stack).
 *
 * Rules:
 * - An agent whose parent is unknown (never started here, or removed) is a root.
 * - Parent links that form a cycle (a → b → a, or a → a) are broken: the first
 *   agent of the cycle in sort order becomes a root, so every agent shows once.
 * - Siblings are sorted by the given comparator (list-sort.ts; by default by
 *   name, numbers in names compare as numbers, then id): children stay under
 *   their parent whatever the column.
 * - Filtering keeps the ancestors of every match (marked `matches: false`, shown
 *   dimmed) so a matching sub-agent is still seen in its place; descendants of a
 *   match that do not match themselves are hidden.
 * - A collapsed agent hides its descendants, except while a text filter is
 *   active: a search must never hide what it found.
 */
import type { AgentState, AgentView } from '../../src-preload/contract';
import { comparatorFor, DEFAULT_SORT } from './list-sort';

export interface TreeFilter {
  /** Case-insensitive substring of name, id, type or model; blank matches all. */
  text: string;
  state: AgentState | 'all';
}

export interface TreeRow {
  agentId: string;
  /** 0 for roots. */
  depth: number;
  /** The parent as shown in the tree (null for roots, including broken cycles and orphans). */
  parentId: string | null;
  /** False for an ancestor kept only to show where a match lives. */
  matches: boolean;
  /** Undefined when the row has no visible children; otherwise whether they are shown. */
  expanded: boolean | undefined;
  /** 1-based position among its visible siblings, and their count (aria-posinset / aria-setsize). */
  posInSet: number;
  setSize: number;
}

export const NO_FILTER: TreeFilter = { text: '', state: 'all' };

export function agentMatches(agent: AgentView, filter: TreeFilter): boolean {
  if (filter.state !== 'all' && agent.state !== filter.state) return false;
  const needle = filter.text.trim().toLowerCase();
  if (needle === '') return true;
  return (
    agent.agentName.toLowerCase().includes(needle) ||
    agent.agentId.toLowerCase().includes(needle) ||
    agent.agentType.toLowerCase().includes(needle) ||
    (agent.model ?? '').toLowerCase().includes(needle)
  );
}

const BY_NAME = comparatorFor(DEFAULT_SORT);

/** Builds the visible rows in display order. */
export function buildAgentTree(
  agents: ReadonlyMap<string, AgentView>,
  filter: TreeFilter = NO_FILTER,
  collapsed: ReadonlySet<string> = new Set(),
  compare: (a: AgentView, b: AgentView) => number = BY_NAME,
): TreeRow[] {
  const sorted = [...agents.values()].sort(compare);

  // Children by shown parent. A self-parent or unknown parent makes a root candidate.
  const children = new Map<string, AgentView[]>();
  const roots: AgentView[] = [];
  for (const agent of sorted) {
    const parent = agent.parentAgentId;
    if (parent === null || parent === agent.agentId || !agents.has(parent)) {
      roots.push(agent);
    } else {
      let list = children.get(parent);
      if (list === undefined) children.set(parent, (list = []));
      list.push(agent);
    }
  }

  // Depth-first order from the roots; then every agent not reached sits on a
  // cycle: promote the first such one (in sort order) to a root and walk again.
  const order: { agent: AgentView; depth: number; parentId: string | null }[] = [];
  const visited = new Set<string>();
  const walk = (root: AgentView) => {
    const stack: { agent: AgentView; depth: number; parentId: string | null }[] = [{ agent: root, depth: 0, parentId: null }];
    while (stack.length > 0) {
      const entry = stack.pop()!;
      if (visited.has(entry.agent.agentId)) continue;
      visited.add(entry.agent.agentId);
      order.push(entry);
      const kids = children.get(entry.agent.agentId);
      if (kids === undefined) continue;
      // Reverse so the first child is popped first.
      for (let i = kids.length - 1; i >= 0; i -= 1) {
        const kid = kids[i]!;
        if (!visited.has(kid.agentId)) stack.push({ agent: kid, depth: entry.depth + 1, parentId: entry.agent.agentId });
      }
    }
  };
  for (const root of roots) walk(root);
  if (visited.size < sorted.length) {
    for (const agent of sorted) if (!visited.has(agent.agentId)) walk(agent);
  }

  // Which rows stay: matches, and ancestors of matches. `order` is pre-order,
  // so walking it backwards sees every descendant before its ancestor.
  const matched = new Set<string>();
  const keep = new Set<string>();
  for (let i = order.length - 1; i >= 0; i -= 1) {
    const { agent, parentId } = order[i]!;
    if (agentMatches(agent, filter)) matched.add(agent.agentId);
    if (matched.has(agent.agentId) || keep.has(agent.agentId)) {
      keep.add(agent.agentId);
      if (parentId !== null) keep.add(parentId);
    }
  }

  const searching = filter.text.trim() !== '';
  const hasVisibleChildren = new Set<string>();
  for (const { agent, parentId } of order) {
    if (parentId !== null && keep.has(agent.agentId)) hasVisibleChildren.add(parentId);
  }

  const rows: TreeRow[] = [];
  // Rows under a collapsed ancestor are skipped: track the depth at which hiding began.
  let hideBelowDepth = Number.POSITIVE_INFINITY;
  for (const { agent, depth, parentId } of order) {
    if (depth <= hideBelowDepth) hideBelowDepth = Number.POSITIVE_INFINITY;
    if (depth > hideBelowDepth || !keep.has(agent.agentId)) continue;
    const id = agent.agentId;
    const isCollapsed = !searching && collapsed.has(id);
    rows.push({
      agentId: id,
      depth,
      parentId,
      matches: matched.has(id),
      expanded: hasVisibleChildren.has(id) ? !isCollapsed : undefined,
      posInSet: 0,
      setSize: 0,
    });
    if (isCollapsed && hasVisibleChildren.has(id)) hideBelowDepth = depth;
  }

  // Positions among visible siblings (same shown parent).
  const siblings = new Map<string | null, TreeRow[]>();
  for (const row of rows) {
    let list = siblings.get(row.parentId);
    if (list === undefined) siblings.set(row.parentId, (list = []));
    list.push(row);
  }
  for (const list of siblings.values()) {
    list.forEach((row, index) => {
      row.posInSet = index + 1;
      row.setSize = list.length;
    });
  }
  return rows;
}
