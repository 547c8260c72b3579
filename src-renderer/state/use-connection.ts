/**
 * Whether the host is reachable now. While it is not (after having been),
 * every figure on the page is the last one received, so the UI marks them
 * stale and turns its actions off until the transport reconnects by itself.
 * In Electron the connection is always open.
 */
import { createContext, useContext, useEffect, useState } from 'react';
import { onConnectionChange } from '../transport';

/** The title of every action button while disconnected: why it is off, and when it comes back. */
export const OFFLINE_REASON = 'Not connected to the Corral host: actions come back once it reconnects';

/** The accessible description of stale figures. */
export const STALE_DESCRIPTION = 'Last known figures: the connection to the Corral host is down';

/** True while connected (the default, for trees rendered without a provider, e.g. Electron tests). */
export const ConnectionContext = createContext<boolean>(true);

/** For the App: follows the transport. A connection that never opened is main.tsx's to report, not ours. */
export function useConnectionTracking(): boolean {
  const [connected, setConnected] = useState(true);
  useEffect(() => {
    let wasOpen = false;
    return onConnectionChange((state) => {
      if (state === 'open') wasOpen = true;
      // Between retries the transport is 'closed' and then 'connecting' again: both are "reconnecting" to the user.
      setConnected(state === 'open' || !wasOpen);
    });
  }, []);
  return connected;
}

/** For any component under the App: false while the host is unreachable. */
export function useConnected(): boolean {
  return useContext(ConnectionContext);
}
