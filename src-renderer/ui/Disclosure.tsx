/**
 * A section that folds: a real button (aria-expanded, aria-controls) named by
 * its title, so it is reachable and operable from the keyboard and findable
 * by role; an optional summary beside it says what the folded part holds.
 */
import { useId, type ReactNode } from 'react';

interface DisclosureProps {
  title: string;
  open: boolean;
  onToggle: (open: boolean) => void;
  /** Shown beside the button (not part of its name). */
  summary?: ReactNode;
  className?: string;
  children: ReactNode;
}

export function Disclosure({ title, open, onToggle, summary, className, children }: DisclosureProps) {
  const panelId = useId();
  return (
    <div className={`disclosure${open ? ' is-open' : ''}${className === undefined ? '' : ` ${className}`}`}>
      <div className="disclosure-head">
        <button type="button" className="disclosure-button" aria-expanded={open} aria-controls={panelId} onClick={() => onToggle(!open)}>
          <span className="disclosure-twisty" aria-hidden="true">
            ▸
          </span>
          {title}
        </button>
        {summary !== undefined && <span className="disclosure-summary muted">{summary}</span>}
      </div>
      <div id={panelId} className="disclosure-panel" hidden={!open}>
        {open && children}
      </div>
    </div>
  );
}
