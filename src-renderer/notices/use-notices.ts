/**
 * The notice toasts: every `notice` event becomes one (newest first, at most
 * MAX_TOASTS kept), and a browser notification where allowed.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CorralApi, NoticeView } from '../../src-preload/contract';
import { showDesktopNotice } from './desktop-notify';

export const MAX_TOASTS = 5;

export interface Toast {
  id: number;
  notice: NoticeView;
}

export function useNotices(api: CorralApi, desktop: boolean): { toasts: Toast[]; dismiss: (id: number) => void; dismissAll: () => void } {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const desktopRef = useRef(desktop);
  useEffect(() => {
    desktopRef.current = desktop;
  }, [desktop]);

  useEffect(
    () =>
      api.subscribe('notice', (notice) => {
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
