/**
 * The Agents tree's rows, rebuilt only when something they depend on changed.
 * A status tick replaces the views of agents whose figures moved, but the rows
 * (order, nesting, filter matches) depend on a few fields: when none of those
 * changed, the previous rows are kept (same array), so the list and the rows'
 * callbacks stay as they were and the memoised rows skip rendering.
 */
import { useRef } from 'react';
import type { AgentView } from '../../src-preload/contract';
import { buildAgentTree, type TreeFilter, type TreeRow } from './agent-tree-model';
import type { SortKey } from './list-sort';

interface Built {
  agents: ReadonlyMap<string, AgentView>;
  filter: TreeFilter;
  collapsed: ReadonlySet<string>;
  compare: (a: AgentView, b: AgentView) => number;
  rows: TreeRow[];
}

/** The fields the rows read: the filter's, the nesting, and the sort column's figure. */
function sameForTree(a: AgentView, b: AgentView, key: SortKey): boolean {
  if (a === b) return true;
  if (
    a.agentName !== b.agentName ||
    a.agentType !== b.agentType ||
    a.model !== b.model ||
    a.parentAgentId !== b.parentAgentId ||
    a.state !== b.state
  ) {
    return false;
  }
  switch (key) {
    case 'name':
    case 'state':
      return true;
    case 'cpu':
      return a.treeCpuPercent === b.treeCpuPercent;
    case 'memory':
      return a.treeMemoryMb === b.treeMemoryMb;
    case 'runtime':
      // The comparator changes with the tick time; between two, only the times matter.
      return a.startedAt === b.startedAt && a.endedAt === b.endedAt && a.runtimeSeconds === b.runtimeSeconds;
  }
}

/** Whether the rows built from `before` hold for `after` under the sort column `key`. */
export function sameAgentsForTree(before: ReadonlyMap<string, AgentView>, after: ReadonlyMap<string, AgentView>, key: SortKey): boolean {
  if (before === after) return true;
  if (before.size !== after.size) return false;
  for (const [id, agent] of after) {
    const previous = before.get(id);
    if (previous === undefined || !sameForTree(previous, agent, key)) return false;
  }
  return true;
}

export function useAgentTree(
  agents: ReadonlyMap<string, AgentView>,
  filter: TreeFilter,
  collapsed: ReadonlySet<string>,
  compare: (a: AgentView, b: AgentView) => number,
  sortKey: SortKey,
): TreeRow[] {
  const built = useRef<Built | null>(null);
  const previous = built.current;
  if (previous !== null && previous.filter === filter && previous.collapsed === collapsed && previous.compare === compare && sameAgentsForTree(previous.agents, agents, sortKey)) {
    if (previous.agents !== agents) built.current = { ...previous, agents };
    return previous.rows;
  }
  const rows = buildAgentTree(agents, filter, collapsed, compare);
  built.current = { agents, filter, collapsed, compare, rows };
  return rows;
}
