import { describe, expect, it } from 'vitest';
import { CorralStore } from '../../../src-renderer/state/corral-store';
import { agentView, statusEvent, summaryView } from './fixtures';

describe('CorralStore', () => {
  it('applies the initial list, then status ticks, pushing samples only for live agents', () => {
    const store = new CorralStore(4);
    store.applyInitial({ a: agentView('a') }, summaryView());
    expect(store.getSnapshot().loaded).toBe(true);
    store.applyStatus(statusEvent(1, [agentView('a', { treeCpuPercent: 10 }), agentView('done', { state: 'completed' })]));
    store.applyStatus(statusEvent(2, [agentView('a', { treeCpuPercent: null }), agentView('done', { state: 'completed' })]));
    expect(store.samplesOf('a')?.cpu.toArray()).toEqual([10, null]);
    expect(store.samplesOf('done')).toBeUndefined();
    expect(store.totals.cpu.toArray()).toEqual([1, 2]);
    expect([...store.getSnapshot().agents.keys()]).toEqual(['a', 'done']);
  });

  it('ignores a late initial answer once a tick arrived, and never resurrects removed agents', () => {
    const store = new CorralStore();
    store.applyStatus(statusEvent(1, [agentView('a'), agentView('b')]));
    store.applyStatus(statusEvent(2, [agentView('a')], ['b']));
    store.applyInitial({ a: agentView('a'), b: agentView('b'), stale: agentView('stale') }, null);
    expect([...store.getSnapshot().agents.keys()]).toEqual(['a']);
  });

  it('notifies subscribers with a new snapshot per change and tells tick listeners', () => {
    const store = new CorralStore();
    let calls = 0;
    const seen: number[] = [];
    store.subscribe(() => (calls += 1));
    store.onTick((event) => seen.push(event.seq));
    const before = store.getSnapshot();
    store.applyStatus(statusEvent(7, [agentView('a')]));
    expect(store.getSnapshot()).not.toBe(before);
    expect(calls).toBe(1);
    expect(seen).toEqual([7]);
    store.forget('a');
    expect(store.getSnapshot().agents.has('a')).toBe(false);
    expect(calls).toBe(2);
  });
});
