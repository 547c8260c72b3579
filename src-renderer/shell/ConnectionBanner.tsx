/**
 * Tells the user when the host went away after having been reachable: the
 * transport reconnects by itself (the host keeps its token across restarts),
 * and until then the figures are the last known and actions are off. Nothing
 * is shown during the very first connection: main.tsx covers that.
 */
import { useConnected } from '../state/use-connection';

export function ConnectionBanner() {
  if (useConnected()) return null;
  return (
    <div className="banner banner-bad" role="alert">
      <span className="spinner" aria-hidden="true" />
      Lost the connection to the Corral host — reconnecting… Figures shown are the last known, and actions are off until it is back.
    </div>
  );
}
