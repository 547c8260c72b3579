import { describe, expect, it } from 'vitest';
import { agentMatches, buildAgentTree } from '../../../src-renderer/agents/agent-tree-model';
import { agentMap, agentView } from './fixtures';

const ids = (rows: { agentId: string }[]) => rows.map((row) => row.agentId);

describe('buildAgentTree', () => {
  it('nests children under their parent, depth-first, siblings by name', () => {
    const agents = agentMap(
      agentView('root-b', { agentName: 'B' }),
      agentView('root-a', { agentName: 'A' }),
      agentView('child-2', { agentName: 'Z child', parentAgentId: 'root-a' }),
      agentView('child-1', { agentName: 'Y child', parentAgentId: 'root-a' }),
      agentView('grandchild', { agentName: 'G', parentAgentId: 'child-1' }),
    );
    const rows = buildAgentTree(agents);
    expect(ids(rows)).toEqual(['root-a', 'child-1', 'grandchild', 'child-2', 'root-b']);
    expect(rows.map((row) => row.depth)).toEqual([0, 1, 2, 1, 0]);
    expect(rows[0]).toMatchObject({ parentId: null, expanded: true, posInSet: 1, setSize: 2 });
    expect(rows[1]).toMatchObject({ parentId: 'root-a', expanded: true, posInSet: 1, setSize: 2 });
    expect(rows[2]).toMatchObject({ parentId: 'child-1', expanded: undefined, posInSet: 1, setSize: 1 });
    expect(rows[4]).toMatchObject({ posInSet: 2, setSize: 2, expanded: undefined });
  });

  it('makes an agent whose parent is unknown a root', () => {
    const rows = buildAgentTree(agentMap(agentView('orphan', { parentAgentId: 'gone' }), agentView('other')));
    expect(rows.map((row) => [row.agentId, row.depth, row.parentId])).toEqual([
      ['orphan', 0, null],
      ['other', 0, null],
    ]);
  });

  it('breaks parent cycles instead of hanging, showing every agent once', () => {
    const agents = agentMap(
      agentView('a', { parentAgentId: 'c' }),
      agentView('b', { parentAgentId: 'a' }),
      agentView('c', { parentAgentId: 'b' }),
      agentView('self', { parentAgentId: 'self' }),
    );
    const rows = buildAgentTree(agents);
    expect(ids(rows).sort()).toEqual(['a', 'b', 'c', 'self']);
    // A self-parent is simply a root; true roots come first, then each cycle,
    // entered at its first agent in sort order.
    expect(rows.map((row) => [row.agentId, row.depth])).toEqual([
      ['self', 0],
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
  });

  it('handles a long chain without recursion', () => {
    const chain = Array.from({ length: 20_000 }, (_, index) => agentView(`n${index}`, { parentAgentId: index === 0 ? null : `n${index - 1}` }));
    const rows = buildAgentTree(agentMap(...chain));
    expect(rows).toHaveLength(20_000);
    expect(rows[19_999]?.depth).toBe(19_999);
  });

  it('filters by text on name, id, type and model, keeping ancestors of matches as context', () => {
    const agents = agentMap(
      agentView('lead', { agentName: 'Lead' }),
      agentView('worker', { agentName: 'Worker', parentAgentId: 'lead', model: 'opus-x' }),
      agentView('helper', { agentName: 'Helper', parentAgentId: 'worker' }),
      agentView('solo', { agentName: 'Solo', agentType: 'aider' }),
    );
    const byModel = buildAgentTree(agents, { text: 'OPUS', state: 'all' });
    expect(byModel.map((row) => [row.agentId, row.matches])).toEqual([
      ['lead', false],
      ['worker', true],
    ]);
    // The match's own non-matching child is hidden, so worker shows no expander.
    expect(byModel[1]?.expanded).toBeUndefined();
    expect(ids(buildAgentTree(agents, { text: 'aider', state: 'all' }))).toEqual(['solo']);
    expect(ids(buildAgentTree(agents, { text: 'help', state: 'all' }))).toEqual(['lead', 'worker', 'helper']);
    expect(ids(buildAgentTree(agents, { text: '  ', state: 'all' }))).toHaveLength(4);
  });

  it('filters by state', () => {
    const agents = agentMap(agentView('a', { state: 'failed' }), agentView('b'), agentView('c', { state: 'failed', parentAgentId: 'b' }));
    const rows = buildAgentTree(agents, { text: '', state: 'failed' });
    expect(rows.map((row) => [row.agentId, row.matches])).toEqual([
      ['a', true],
      ['b', false],
      ['c', true],
    ]);
  });

  it('hides the descendants of a collapsed agent, unless a text filter is active', () => {
    const agents = agentMap(agentView('p'), agentView('c1', { parentAgentId: 'p' }), agentView('g', { parentAgentId: 'c1' }), agentView('q'));
    const collapsed = new Set(['p']);
    const rows = buildAgentTree(agents, { text: '', state: 'all' }, collapsed);
    expect(ids(rows)).toEqual(['p', 'q']);
    expect(rows[0]?.expanded).toBe(false);
    expect(ids(buildAgentTree(agents, { text: 'g', state: 'all' }, collapsed))).toEqual(['p', 'c1', 'g']);
  });

  it('returns nothing for no agents', () => {
    expect(buildAgentTree(new Map())).toEqual([]);
  });
});

describe('agentMatches', () => {
  it('treats a null model as no match, not as the text "null"', () => {
    expect(agentMatches(agentView('x', { model: null }), { text: 'null', state: 'all' })).toBe(false);
  });
});

describe('sibling order', () => {
  it('sorts numbers in names as numbers', () => {
    const rows = buildAgentTree(agentMap(agentView('c', { agentName: 'Agent 10' }), agentView('a', { agentName: 'Agent 2' }), agentView('b', { agentName: 'agent 3' })));
    expect(ids(rows)).toEqual(['a', 'b', 'c']);
  });
});
