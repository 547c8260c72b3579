/**
 * The list's multi-selection kept across a reload: in this tab's
 * sessionStorage (it dies with the tab, like the selection it restores), one
 * entry per data folder, so a page of another host on the same origin does not
 * inherit it. Ids no longer listed after the reload are dropped silently.
 */
import { useEffect, useRef, type Dispatch, type SetStateAction } from 'react';
import { z } from 'zod';
import { agentIdSchema } from '../../src-preload/contract';

const savedSelectionSchema = z.array(agentIdSchema);

const KEY_PREFIX = 'corral.agents.selection:';

/** The storage entry of one data folder's selection. */
export function selectionStorageKey(dataDir: string): string {
  return `${KEY_PREFIX}${dataDir}`;
}

/** The ids saved under `key` that are still listed, in saved order; empty when none (a missing, damaged or blocked store is not an error). */
export function loadSavedSelection(storage: Storage | null, key: string, listed: (agentId: string) => boolean): string[] {
  try {
    const parsed = savedSelectionSchema.safeParse(JSON.parse(storage?.getItem(key) ?? 'null'));
    return parsed.success ? parsed.data.filter(listed) : [];
  } catch {
    return [];
  }
}

/** Saves the selection under `key` (an empty one removes the entry). */
export function saveSelection(storage: Storage | null, key: string, ids: ReadonlySet<string>): void {
  try {
    if (ids.size === 0) storage?.removeItem(key);
    else storage?.setItem(key, JSON.stringify([...ids]));
  } catch {
    // Storage full or blocked: the selection still holds for this page's life.
  }
}

/** sessionStorage can throw (storage disabled); the selection then is not kept. */
function sessionStore(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * Restores the saved multi-selection once both the data folder (`dataDir`,
 * from getHostInfo) and the first list are known, then saves every change.
 * Nothing is saved before the restore, so the page's initial empty selection
 * never overwrites the one being restored.
 */
export function useSavedSelection(
  dataDir: string | null,
  /** True once the first list arrived. */
  loaded: boolean,
  /** Whether an agent is listed now (read once, at the restore). */
  listed: (agentId: string) => boolean,
  marked: ReadonlySet<string>,
  setMarked: Dispatch<SetStateAction<ReadonlySet<string>>>,
): void {
  const restoredFor = useRef<string | null>(null);
  const key = dataDir === null ? null : selectionStorageKey(dataDir);

  useEffect(() => {
    if (key === null || !loaded) return;
    if (restoredFor.current !== key) {
      restoredFor.current = key;
      const ids = loadSavedSelection(sessionStore(), key, listed);
      // A user who already picked rows before the list arrived keeps their pick.
      if (ids.length > 0 && marked.size === 0) {
        setMarked(new Set(ids));
        return;
      }
    }
    saveSelection(sessionStore(), key, marked);
  }, [key, loaded, listed, marked, setMarked]);
}
