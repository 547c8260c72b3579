/**
 * The Notifications region: each notice is a dismissible toast with role
 * status (announced politely). Toasts stay until dismissed: a failure or an
 * unkillable process should not vanish while the user looks elsewhere.
 * "Show" opens the agent the notice is about.
 */
import { NOTICE_KIND_LABEL } from './notice-kinds';
import type { Toast } from './use-notices';

interface NotificationsProps {
  toasts: Toast[];
  knownAgent: (agentId: string) => boolean;
  onDismiss: (id: number) => void;
  onDismissAll: () => void;
  onShowAgent: (agentId: string) => void;
}

export function Notifications({ toasts, knownAgent, onDismiss, onDismissAll, onShowAgent }: NotificationsProps) {
  return (
    <section className="notifications" aria-label="Notifications">
      {toasts.length > 1 && (
        <button type="button" className="button button-small dismiss-all" onClick={onDismissAll}>
          Dismiss all
        </button>
      )}
      {toasts.map(({ id, notice }) => (
        <div key={id} role="status" className={`toast toast-${notice.kind}`}>
          <div className="toast-body">
            <p className="toast-title">
              <span className="toast-kind">{NOTICE_KIND_LABEL[notice.kind]}</span> {notice.title}
            </p>
            {notice.body !== '' && <p className="toast-text">{notice.body}</p>}
            {notice.agentId !== null && knownAgent(notice.agentId) && (
              <button type="button" className="link-button" onClick={() => onShowAgent(notice.agentId!)}>
                Show {notice.agentId}
              </button>
            )}
          </div>
          <button type="button" className="icon-button" aria-label={`Dismiss: ${notice.title}`} onClick={() => onDismiss(id)}>
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
