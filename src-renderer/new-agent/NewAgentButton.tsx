/**
 * The "New agent" button, in the header and in the empty list: one look, one
 * shortcut hint, and off (saying why) while the host is not connected.
 */
import { OFFLINE_REASON, useConnected } from '../state/use-connection';

export function NewAgentButton({ onNewAgent, title }: { onNewAgent: () => void; title?: string }) {
  const connected = useConnected();
  return (
    <button
      type="button"
      className="button button-primary"
      onClick={onNewAgent}
      aria-keyshortcuts="Control+N Meta+N"
      disabled={!connected}
      title={connected ? title : OFFLINE_REASON}
    >
      New agent
    </button>
  );
}
