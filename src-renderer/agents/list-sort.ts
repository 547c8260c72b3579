/**
 * How the Agents tree orders siblings: by one column, ascending or
 * descending, remembered across reloads (localStorage). Ties fall back to the
 * name, then the id, so rows never swap places between ticks when figures tie.
 */
import { z } from 'zod';
import { AGENT_STATES, type AgentState, type AgentView } from '../../src-preload/contract';
import { runtimeOf } from '../format/runtime';

const sortKeySchema = z.enum(['name', 'state', 'cpu', 'memory', 'runtime']);
export type SortKey = z.infer<typeof sortKeySchema>;

const listSortSchema = z.object({ key: sortKeySchema, direction: z.enum(['ascending', 'descending']) });
/** The column and direction; the direction words are aria-sort's. */
export type ListSort = z.infer<typeof listSortSchema>;

export const DEFAULT_SORT: ListSort = { key: 'name', direction: 'ascending' };

const STORAGE_KEY = 'corral.agents.sort';

/** The sort saved by an earlier visit, or the default (a missing, damaged or blocked store is not an error). */
export function loadListSort(): ListSort {
  try {
    const parsed = listSortSchema.safeParse(JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? 'null'));
    return parsed.success ? parsed.data : DEFAULT_SORT;
  } catch {
    return DEFAULT_SORT;
  }
}

export function saveListSort(sort: ListSort): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(sort));
  } catch {
    // Storage full or blocked: the sort still applies for this page's life.
  }
}

/**
 * A header click: the same column flips its direction; another column starts
 * where it is most useful (names A→Z, busiest and longest-running first).
 */
export function nextSort(current: ListSort, key: SortKey): ListSort {
  if (current.key === key) return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  return { key, direction: key === 'name' || key === 'state' ? 'ascending' : 'descending' };
}

// One collator for every sort: far cheaper than localeCompare per comparison
// on each tick, and `numeric` puts "Agent 2" before "Agent 10".
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Live states first (in the contract's lifecycle order), then the ended ones. */
const STATE_RANK: ReadonlyMap<AgentState, number> = new Map(AGENT_STATES.map((state, index) => [state, index]));

function byName(a: AgentView, b: AgentView): number {
  const name = collator.compare(a.agentName, b.agentName);
  if (name !== 0) return name;
  return a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0;
}

function keyOf(key: Exclude<SortKey, 'name'>, agent: AgentView, lastTickAt: number | null): number {
  switch (key) {
    case 'state':
      return STATE_RANK.get(agent.state) ?? AGENT_STATES.length;
    // No figure (an ended agent) sorts below every live figure.
    case 'cpu':
      return agent.treeCpuPercent ?? -1;
    case 'memory':
      return agent.treeMemoryMb ?? -1;
    case 'runtime':
      return runtimeOf(agent, lastTickAt);
  }
}

/**
 * The sibling comparator for a sort. Runtime is computed at `lastTickAt` (the
 * store's; a quiet agent's own `runtimeSeconds` is stale), or read from the
 * views when no tick arrived yet.
 */
export function comparatorFor(sort: ListSort, lastTickAt: number | null = null): (a: AgentView, b: AgentView) => number {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  if (sort.key === 'name') return (a, b) => sign * byName(a, b);
  const key = sort.key;
  return (a, b) => {
    const difference = keyOf(key, a, lastTickAt) - keyOf(key, b, lastTickAt);
    return difference !== 0 ? sign * difference : byName(a, b);
  };
}
