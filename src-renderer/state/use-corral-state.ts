/**
 * Wires the store to the host: subscribes to `status` first (so no tick is
 * missed), then asks for the initial list and totals. The store drops the
 * initial answer if a tick already arrived, so the order of answers is safe.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { CorralApi } from '../../src-preload/contract';
import { CorralStore, type CorralSnapshot } from './corral-store';
import { errorText } from './call-result';

export function useCorralStore(api: CorralApi): { store: CorralStore; loadError: string | null } {
  const [store] = useState(() => new CorralStore());
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    const unsubscribe = api.subscribe('status', (event) => {
      store.applyStatus(event);
      setLoadError(null);
    });
    void (async () => {
      try {
        const [agents, summary] = await Promise.all([api.monitorAllAgents(), api.getProcessSummary()]);
        if (!active) return;
        if (!agents.ok) {
          setLoadError(errorText(agents.error));
          return;
        }
        store.applyInitial(agents.value, summary.ok ? summary.value : null);
      } catch (thrown) {
        if (active) setLoadError(thrown instanceof Error ? thrown.message : String(thrown));
      }
    })();
    return () => {
      active = false;
      unsubscribe();
    };
  }, [api, store]);

  return { store, loadError };
}

export function useCorralSnapshot(store: CorralStore): CorralSnapshot {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
