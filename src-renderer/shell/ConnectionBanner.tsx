/**
 * Tells the user when the host went away after having been reachable (the
 * transport reconnects by itself; this says why the figures froze). Nothing
 * is shown during the very first connection: main.tsx covers that.
 */
import { useEffect, useState } from 'react';
import { onConnectionChange } from '../transport';

type ConnectionState = 'connecting' | 'open' | 'closed';

export function useConnectionState(): { state: ConnectionState; wasOpen: boolean } {
  const [state, setState] = useState<ConnectionState>('open');
  const [wasOpen, setWasOpen] = useState(false);
  useEffect(
    () =>
      onConnectionChange((next) => {
        setState(next);
        if (next === 'open') setWasOpen(true);
      }),
    [],
  );
  return { state, wasOpen };
}

export function ConnectionBanner() {
  const { state, wasOpen } = useConnectionState();
  if (!wasOpen || state === 'open') return null;
  return (
    <div className="banner banner-bad" role="alert">
      <span className="spinner" aria-hidden="true" />
      {state === 'connecting'
        ? 'Lost the connection to the Corral host — reconnecting… Figures shown are from before the loss.'
        : 'The connection to the Corral host is closed. If it was restarted, open the new URL it printed.'}
    </div>
  );
}
