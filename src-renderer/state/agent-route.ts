/**
 * Each agent's own address: `#/agents/<agentId>` after the page URL (the web
 * host's `?token=` stays where it is, in the query). The hash follows the
 * opened agent (replaceState: switching agents does not pile up history), and
 * a hash typed, pasted or changed by the user opens that agent: the selection
 * survives a reload and a view can be shared.
 */
import { useEffect, useRef } from 'react';

const PREFIX = '#/agents/';

/** The agent id a hash names, or null for any other hash (none, `#/`, junk). */
export function agentIdFromHash(hash: string): string | null {
  if (!hash.startsWith(PREFIX)) return null;
  let id: string;
  try {
    id = decodeURIComponent(hash.slice(PREFIX.length));
  } catch {
    return null;
  }
  return id === '' ? null : id;
}

/** The hash for an opened agent; none when nothing is open. */
export function hashForAgent(agentId: string | null): string {
  return agentId === null ? '' : `${PREFIX}${encodeURIComponent(agentId)}`;
}

/**
 * Keeps `openedId` and the page's hash in step. `onRoute` is called with the
 * id the hash names at load and on every hashchange (Back/Forward, an edited
 * address); `openedId` changing writes the hash back.
 */
export function useAgentRoute(openedId: string | null, onRoute: (agentId: string) => void): void {
  useEffect(() => {
    const follow = () => {
      const id = agentIdFromHash(window.location.hash);
      if (id !== null) onRoute(id);
    };
    follow();
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, [onRoute]);

  // At load nothing is open yet while the hash may name an agent: the first pass must not erase it.
  const loading = useRef(true);
  useEffect(() => {
    const first = loading.current;
    loading.current = false;
    if (first && openedId === null) return;
    const wanted = hashForAgent(openedId);
    if (window.location.hash === wanted || (wanted === '' && agentIdFromHash(window.location.hash) === null)) return;
    // Path and query (the web host's token) kept; only the fragment changes.
    const url = `${window.location.pathname}${window.location.search}${wanted}`;
    window.history.replaceState(window.history.state, '', url);
  }, [openedId]);
}
