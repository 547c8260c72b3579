/**
 * Wires the store to the host: subscribes to `status` first (so no tick is
 * missed), then asks for the initial list and totals. The store drops the
 * initial answer if a tick already arrived, so the order of answers is safe.
 *
 * The feed starts as soon as the connection is open, before React renders the
 * App (main.tsx): the list's round trip to the host then overlaps the App's
 * first render instead of waiting for its effects, which is most of the first
 * useful paint's time on a busy host.
 */
import { useSyncExternalStore } from 'react';
import type { CorralApi } from '../../src-preload/contract';
import { CorralStore } from './corral-store';
import { errorText } from './call-result';

/** The store, fed by the host for the page's life, and why the initial list failed to load (null when it did not). */
export interface CorralFeed {
  readonly store: CorralStore;
  loadError(): string | null;
  onLoadError(listener: () => void): () => void;
}

/** Subscribes `store` to status ticks and loads the initial list now. */
export function startCorralFeed(api: CorralApi, store = new CorralStore()): CorralFeed {
  let loadError: string | null = null;
  const listeners = new Set<() => void>();
  const setLoadError = (next: string | null) => {
    if (next === loadError) return;
    loadError = next;
    for (const listener of [...listeners]) listener();
  };
  api.subscribe('status', (event) => {
    store.applyStatus(event);
    setLoadError(null);
  });
  void (async () => {
    try {
      const [agents, summary] = await Promise.all([api.monitorAllAgents(), api.getProcessSummary()]);
      if (!agents.ok) return setLoadError(errorText(agents.error));
      store.applyInitial(agents.value, summary.ok ? summary.value : null);
    } catch (thrown) {
      setLoadError(thrown instanceof Error ? thrown.message : String(thrown));
    }
  })();
  return {
    store,
    loadError: () => loadError,
    onLoadError(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useCorralStore(feed: CorralFeed): { store: CorralStore; loadError: string | null } {
  const loadError = useSyncExternalStore(feed.onLoadError, feed.loadError);
  return { store: feed.store, loadError };
}
