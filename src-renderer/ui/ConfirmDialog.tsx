/**
 * "Are you sure?" as an alertdialog: the title names the action and its
 * target, the confirm button repeats the verb. Focus starts on Cancel for
 * destructive actions so a stray Enter does not confirm.
 */
import { useId, type ReactNode } from 'react';
import { Modal } from './Modal';

interface ConfirmDialogProps {
  title: string;
  confirmLabel: string;
  children?: ReactNode;
  onConfirm: () => void;
  onCancel: () => void;
  danger?: boolean;
  /** Set: the confirm button is off, with this as its title (e.g. while the host is unreachable). */
  confirmDisabledReason?: string | undefined;
}

export function ConfirmDialog({ title, confirmLabel, children, onConfirm, onCancel, danger = true, confirmDisabledReason }: ConfirmDialogProps) {
  const titleId = useId();
  const bodyId = useId();
  return (
    <Modal role="alertdialog" labelledBy={titleId} describedBy={children === undefined ? undefined : bodyId} onClose={onCancel} className="confirm">
      <h2 id={titleId} className="modal-title">
        {title}
      </h2>
      {children !== undefined && (
        <div id={bodyId} className="modal-body">
          {children}
        </div>
      )}
      <div className="modal-actions">
        <button type="button" className="button" onClick={onCancel} data-autofocus={danger ? '' : undefined}>
          Cancel
        </button>
        <button
          type="button"
          className={`button ${danger ? 'button-danger' : 'button-primary'}`}
          onClick={onConfirm}
          data-autofocus={danger ? undefined : ''}
          disabled={confirmDisabledReason !== undefined}
          title={confirmDisabledReason}
        >
          {confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
