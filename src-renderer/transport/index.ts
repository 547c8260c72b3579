/**
 * Picks how the renderer reaches its host: the Electron preload's
 * `window.corral` when present, else the web host's WebSocket (see
 * `wire-client.ts` for its reconnect policy). The desktop window without the
 * preload's bridge does not try the WebSocket: it says the app is damaged.
 */
import { TOKEN_PARAM, WIRE_PATH, type CorralApi } from '../../src-preload/contract';
import { ConnectFailure, damagedAppFailure, isDesktopWindow } from './connect-failure';
import { forgetPageToken, readPageToken, rememberPageToken } from './page-token';
import { createWireClient, type ConnectionState, type WireSocket, type WireSocketHandlers } from './wire-client';

export type { ConnectionState } from './wire-client';
export { ConnectFailure } from './connect-failure';

let state: ConnectionState = 'connecting';
const stateListeners = new Set<(state: ConnectionState) => void>();
let connecting: Promise<CorralApi> | null = null;

function setState(next: ConnectionState): void {
  state = next;
  for (const listener of [...stateListeners]) listener(next);
}

/**
 * Calls `listener` with the connection's state now and on every change (for
 * the "reconnecting…" banner); returns the function that stops it. In
 * Electron the state is always 'open'.
 */
export function onConnectionChange(listener: (state: ConnectionState) => void): () => void {
  stateListeners.add(listener);
  listener(state);
  return () => {
    stateListeners.delete(listener);
  };
}

/**
 * The host's API. Called more than once, it returns the same connection; after
 * a failure, the next call tries again. Rejects with a message the page shows
 * as is.
 */
export function connectCorral(): Promise<CorralApi> {
  connecting ??= connect().catch((error: unknown) => {
    connecting = null;
    throw error;
  });
  return connecting;
}

async function connect(): Promise<CorralApi> {
  if (window.corral !== undefined) {
    setState('open');
    return window.corral;
  }
  // The desktop window has no WebSocket to fall back on: without its bridge the install is broken.
  if (isDesktopWindow({ protocol: location.protocol, userAgent: navigator.userAgent })) {
    setState('closed');
    throw damagedAppFailure();
  }
  const token = readPageToken();
  if (token === null) {
    setState('closed');
    throw new ConnectFailure(`This page needs its access token: open the full URL that \`npm run serve\` printed (it ends in ?${TOKEN_PARAM}=…).`);
  }
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const client = createWireClient({
    url: `${scheme}//${location.host}${WIRE_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`,
    openSocket: openBrowserSocket,
    onStateChange: setState,
  });
  try {
    await client.ready;
  } catch (error) {
    forgetPageToken();
    throw error;
  }
  rememberPageToken(token);
  return client.api;
}

function openBrowserSocket(url: string, handlers: WireSocketHandlers): WireSocket {
  const socket = new WebSocket(url);
  socket.onopen = () => handlers.onOpen();
  socket.onmessage = (event: MessageEvent) => {
    if (typeof event.data === 'string') handlers.onMessage(event.data);
  };
  // 'error' is always followed by 'close'; the close is what ends the connection.
  socket.onclose = () => handlers.onClose();
  return { send: (text) => socket.send(text), close: () => socket.close() };
}
