/**
 * Reading one slice of the store: a component re-renders only when its slice
 * changes, not on every snapshot (a status tick replaces the snapshot, and
 * reading the whole of it re-rendered the whole App per tick).
 */
import { useRef, useSyncExternalStore } from 'react';
import type { AgentView, SummaryView } from '../../src-preload/contract';
import type { CorralSnapshot, CorralStore } from './corral-store';

interface Cached<T> {
  snapshot: CorralSnapshot;
  select: (snapshot: CorralSnapshot) => T;
  isEqual: (a: T, b: T) => boolean;
  value: T;
}

/**
 * `select`'s answer for the current snapshot; the previous answer is kept
 * (same reference, no re-render) while `isEqual` says it is the same. Pass a
 * stable `select` and `isEqual` (module-level or useCallback): a new one is
 * re-run at once.
 */
export function useStoreSlice<T>(store: CorralStore, select: (snapshot: CorralSnapshot) => T, isEqual: (a: T, b: T) => boolean = Object.is): T {
  const cache = useRef<Cached<T> | null>(null);
  const read = (): T => {
    const snapshot = store.getSnapshot();
    const previous = cache.current;
    if (previous !== null && previous.snapshot === snapshot && previous.select === select && previous.isEqual === isEqual) return previous.value;
    const value = select(snapshot);
    if (previous !== null && isEqual(previous.value, value)) {
      cache.current = { snapshot, select, isEqual, value: previous.value };
      return previous.value;
    }
    cache.current = { snapshot, select, isEqual, value };
    return value;
  };
  return useSyncExternalStore(store.subscribe, read, read);
}

export const selectAgents = (snapshot: CorralSnapshot): ReadonlyMap<string, AgentView> => snapshot.agents;
export const selectLoaded = (snapshot: CorralSnapshot): boolean => snapshot.loaded;
export const selectSummary = (snapshot: CorralSnapshot): SummaryView | null => snapshot.summary;
export const selectLastTickAt = (snapshot: CorralSnapshot): number | null => snapshot.lastTickAt;
/** Loaded, and no agent listed: the first-run empty state. */
export const selectEmpty = (snapshot: CorralSnapshot): boolean => snapshot.loaded && snapshot.agents.size === 0;
/** For a hook that must be called but whose slice is not wanted now (e.g. the tick time of an ended agent). */
export const selectNothing = (): null => null;
