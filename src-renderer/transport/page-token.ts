/**
 * The web host's token, as the page received it: in the URL `npm run serve`
 * printed. Once a connection works, the token leaves the address bar (so it
 * is not shoulder-surfed, bookmarked or copied along with the URL) and stays
 * in this tab's sessionStorage, so a reload still connects. sessionStorage is
 * per tab and dies with it; only our own scripts run on this origin (CSP).
 */
import { TOKEN_PARAM } from '../../src-preload/contract';

const STORAGE_KEY = 'corral.webToken';

/** The token from the URL, else from this tab's earlier visit; null when neither has one. */
export function readPageToken(): string | null {
  const fromUrl = new URLSearchParams(location.search).get(TOKEN_PARAM);
  if (fromUrl !== null && fromUrl !== '') return fromUrl;
  return safeSessionStorage()?.getItem(STORAGE_KEY) ?? null;
}

/** After a successful connection: keep the token for reloads, and take it out of the address bar. */
export function rememberPageToken(token: string): void {
  safeSessionStorage()?.setItem(STORAGE_KEY, token);
  const url = new URL(location.href);
  if (!url.searchParams.has(TOKEN_PARAM)) return;
  url.searchParams.delete(TOKEN_PARAM);
  history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`);
}

/** After a failed first connection: a remembered token is stale (the host restarted with a new one). */
export function forgetPageToken(): void {
  safeSessionStorage()?.removeItem(STORAGE_KEY);
}

/** sessionStorage can throw (storage disabled); the token then lives only in the URL. */
function safeSessionStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}
