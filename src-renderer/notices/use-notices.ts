/**
 * The notice toasts: every `notice` event becomes one (newest first, at most
 * MAX_TOASTS kept), and a browser notification where allowed. A kind the user
 * turned off in Settings is dropped here too (the host should not send it;
 * this covers the moment between the switch and the host's save).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CorralApi, NoticeKind, NoticeView } from '../../src-preload/contract';
import { showDesktopNotice } from './desktop-notify';

export const MAX_TOASTS = 5;

export interface Toast {
  id: number;
  notice: NoticeView;
}

export function useNotices(
  api: CorralApi,
  desktop: boolean,
  /** Per kind, whether it is shown; null (not loaded) shows every kind. */
  shown: Readonly<Record<NoticeKind, boolean>> | null = null,
): { toasts: Toast[]; dismiss: (id: number) => void; dismissAll: () => void } {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const desktopRef = useRef(desktop);
  const shownRef = useRef(shown);
  useEffect(() => {
    desktopRef.current = desktop;
    shownRef.current = shown;
  }, [desktop, shown]);

  useEffect(
    () =>
      api.subscribe('notice', (notice) => {
        if (shownRef.current?.[notice.kind] === false) return;
        const id = nextId.current++;
        setToasts((previous) => [{ id, notice }, ...previous].slice(0, MAX_TOASTS));
        if (desktopRef.current) showDesktopNotice(notice);
      }),
    [api],
  );

  const dismiss = useCallback((id: number) => setToasts((previous) => previous.filter((toast) => toast.id !== id)), []);
  const dismissAll = useCallback(() => setToasts([]), []);
  return { toasts, dismiss, dismissAll };
}
