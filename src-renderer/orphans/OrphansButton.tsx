/**
 * The header's `Orphans N` button: shown only while the engine's last sweep
 * found processes of ours that no live agent accounts for. Its accessible
 * name is `Orphans` (the count is its visible text and its description).
 */
import { plural } from '../format/format';
import { OFFLINE_REASON, useConnected } from '../state/use-connection';

export function OrphansButton({ count, onOpen }: { count: number; onOpen: () => void }) {
  const connected = useConnected();
  if (count <= 0) return null;
  return (
    <button
      type="button"
      className="button button-danger-quiet orphans-button"
      aria-label="Orphans"
      title={connected ? `${plural(count, 'orphan process', 'orphan processes')}: their agent ended or was forgotten` : OFFLINE_REASON}
      disabled={!connected}
      onClick={onOpen}
    >
      Orphans <span className="num">{count}</span>
    </button>
  );
}
