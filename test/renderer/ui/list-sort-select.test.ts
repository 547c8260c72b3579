/**
 * The list's sort, multi-selection and per-agent address, as pure functions,
 * and the bulk bar's buttons (counts, and off while disconnected). The live
 * behaviour is the e2e suite's (test/e2e/list-*.test.ts).
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { buildAgentTree, type TreeRow } from '../../../src-renderer/agents/agent-tree-model';
import { BulkActions } from '../../../src-renderer/agents/BulkActions';
import { comparatorFor, nextSort } from '../../../src-renderer/agents/list-sort';
import { pickModeOf, rangeOf, stillListed, toggleIn } from '../../../src-renderer/agents/multi-select';
import { agentIdFromHash, hashForAgent } from '../../../src-renderer/state/agent-route';
import type { AgentActions } from '../../../src-renderer/state/use-agent-actions';
import { ConnectionContext, OFFLINE_REASON } from '../../../src-renderer/state/use-connection';
import { agentMap, agentView } from './fixtures';

const ids = (rows: { agentId: string }[]) => rows.map((row) => row.agentId);

describe('list sort', () => {
  const agents = agentMap(
    agentView('p', { agentName: 'Parent', treeCpuPercent: 5, runtimeSeconds: 100 }),
    agentView('k1', { agentName: 'Kid 1', parentAgentId: 'p', treeCpuPercent: 1 }),
    agentView('k2', { agentName: 'Kid 2', parentAgentId: 'p', treeCpuPercent: 50 }),
    agentView('busy', { agentName: 'Busy', treeCpuPercent: 90, runtimeSeconds: 3 }),
    agentView('ended', { agentName: 'Ended', state: 'completed', treeCpuPercent: null, treeMemoryMb: null }),
  );
  const sorted = (key: Parameters<typeof nextSort>[1], direction: 'ascending' | 'descending') => ids(buildAgentTree(agents, undefined, undefined, comparatorFor({ key, direction })));

  it('sorts siblings by the column and keeps children under their parent', () => {
    expect(sorted('name', 'ascending')).toEqual(['busy', 'ended', 'p', 'k1', 'k2']);
    expect(sorted('name', 'descending')).toEqual(['p', 'k2', 'k1', 'ended', 'busy']);
    expect(sorted('cpu', 'descending')).toEqual(['busy', 'p', 'k2', 'k1', 'ended']);
    expect(sorted('runtime', 'descending').slice(0, 1)).toEqual(['p']);
    expect(sorted('state', 'ascending').at(-1)).toBe('ended');
  });

  it('flips on the same column; a numeric column starts descending, name and state ascending', () => {
    expect(nextSort({ key: 'name', direction: 'ascending' }, 'name')).toEqual({ key: 'name', direction: 'descending' });
    expect(nextSort({ key: 'name', direction: 'ascending' }, 'memory')).toEqual({ key: 'memory', direction: 'descending' });
    expect(nextSort({ key: 'cpu', direction: 'descending' }, 'state')).toEqual({ key: 'state', direction: 'ascending' });
  });
});

describe('multi-select', () => {
  const rows = ['a', 'b', 'c', 'd'].map((agentId): TreeRow => ({ agentId, depth: 0, parentId: null, matches: true, expanded: undefined, posInSet: 1, setSize: 4 }));

  it('reads the click modifiers', () => {
    expect(pickModeOf({ shiftKey: true, ctrlKey: false, metaKey: false })).toBe('range');
    expect(pickModeOf({ shiftKey: false, ctrlKey: false, metaKey: true })).toBe('toggle');
    expect(pickModeOf({ shiftKey: false, ctrlKey: false, metaKey: false })).toBe('single');
  });

  it('ranges over the visible rows either way, toggles one, and drops what is no longer listed', () => {
    expect([...rangeOf(rows, 'd', 'b')]).toEqual(['b', 'c', 'd']);
    expect([...rangeOf(rows, null, 'c')]).toEqual(['c']);
    expect([...toggleIn(new Set(), 'a', 'c')].sort()).toEqual(['a', 'c']);
    expect([...toggleIn(new Set(['a', 'c']), 'c', 'c')]).toEqual(['a']);
    expect(stillListed(new Set(['a', 'gone', 'd']), rows)).toEqual(['a', 'd']);
  });
});

describe('agent route', () => {
  it('reads and writes #/agents/<id>', () => {
    expect(agentIdFromHash('#/agents/worker-1')).toBe('worker-1');
    expect(agentIdFromHash(hashForAgent('a.b_c-1'))).toBe('a.b_c-1');
    expect(agentIdFromHash('#/agents/')).toBeNull();
    expect(agentIdFromHash('#/other')).toBeNull();
    expect(agentIdFromHash('#/agents/%E0%A4%A')).toBeNull();
    expect(hashForAgent(null)).toBe('');
  });
});

describe('bulk actions bar', () => {
  const agents = agentMap(agentView('r1'), agentView('r2'), agentView('e1', { state: 'failed' }));
  const actions = {} as AgentActions;
  // React's text separators (<!-- -->) removed, so a label reads as one string.
  const render = (connected: boolean) =>
    renderToStaticMarkup(
      createElement(ConnectionContext.Provider, { value: connected }, createElement(BulkActions, { agents, ids: ['r1', 'r2', 'e1'], actions, onRemoved: () => undefined, onClear: () => undefined })),
    ).replaceAll('<!-- -->', '');

  it('counts what each action applies to', () => {
    const html = render(true);
    expect(html).toContain('3 selected');
    expect(html).toMatch(/<button[^>]*>Stop selected \(2\)<\/button>/);
    expect(html).toMatch(/<button[^>]*>Remove selected \(1\)<\/button>/);
    expect(html).not.toMatch(/disabled=""[^>]*>Stop selected/);
  });

  it('turns every bulk action off while disconnected, saying why', () => {
    const html = render(false);
    for (const label of ['Stop selected', 'Force kill selected', 'Remove selected']) {
      expect(html).toMatch(new RegExp(`<button[^>]*disabled=""[^>]*title="${OFFLINE_REASON}"[^>]*>${label}`));
    }
  });
});
