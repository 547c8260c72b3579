/**
 * Host warnings (e.g. a corrupt state file was set aside): shown once per
 * page load, each dismissible. They come from getHostInfo at start.
 */
import { useState } from 'react';

export function HostWarnings({ warnings }: { warnings: readonly string[] }) {
  const [dismissed, setDismissed] = useState<ReadonlySet<number>>(() => new Set());
  const shown = warnings.map((text, index) => ({ text, index })).filter(({ index }) => !dismissed.has(index));
  if (shown.length === 0) return null;
  return (
    <>
      {shown.map(({ text, index }) => (
        <div key={index} className="banner banner-warn" role="alert">
          <span className="banner-text">{text}</span>
          <button type="button" className="icon-button" aria-label="Dismiss warning" onClick={() => setDismissed((previous) => new Set(previous).add(index))}>
            ×
          </button>
        </div>
      ))}
    </>
  );
}
