/**
 * A modal on the native <dialog> element: showModal() makes the rest of the
 * page inert (so focus cannot leave it and screen readers see only it), and
 * Escape arrives as a `cancel` event we turn into onClose. Tab wraps within the
 * dialog explicitly as well, since an inert page would otherwise let focus
 * fall out to the browser's own UI. Focus returns to the element that had it
 * before opening. Mark the element to focus first with `data-autofocus`.
 */
import { useEffect, useLayoutEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

interface ModalProps {
  role?: 'dialog' | 'alertdialog';
  /** id of the element naming the dialog. */
  labelledBy: string;
  describedBy?: string;
  onClose: () => void;
  className?: string;
  children: ReactNode;
}

export function Modal({ role = 'dialog', labelledBy, describedBy, onClose, className, children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const onCloseRef = useRef(onClose);
  useLayoutEffect(() => {
    onCloseRef.current = onClose;
  });

  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    // showModal focused the first focusable element; a child marked data-autofocus
    // wins (React's autoFocus fires before showModal, while the dialog is still closed).
    const preferred = dialog.querySelector<HTMLElement>('[data-autofocus]');
    if (preferred !== null) preferred.focus();
    else if (!dialog.contains(document.activeElement)) dialog.querySelector<HTMLElement>(FOCUSABLE)?.focus();
    const onCancel = (event: Event) => {
      event.preventDefault(); // React owns whether the dialog exists
      onCloseRef.current();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      // Return focus where it was, if that element is still in the page.
      if (previous !== null && previous.isConnected) previous.focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key !== 'Tab') return;
    const dialog = ref.current;
    if (dialog === null) return;
    const focusable = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((element) => element.offsetParent !== null || element === document.activeElement);
    if (focusable.length === 0) return;
    const first = focusable[0]!;
    const last = focusable[focusable.length - 1]!;
    if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={ref}
      role={role === 'alertdialog' ? 'alertdialog' : undefined}
      aria-modal="true"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      className={`modal ${className ?? ''}`}
      onKeyDown={onKeyDown}
    >
      {children}
    </dialog>
  );
}
