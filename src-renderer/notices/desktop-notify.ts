/**
 * Browser notifications for notices, where the page may show them. Permission
 * is asked only from a user gesture (browsers ignore or penalise asking on
 * load, and users dislike it); the Electron host shows its own desktop
 * notification for every notice, so the page never doubles it there.
 */
import type { NoticeView } from '../../src-preload/contract';

function supported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

/** Call from a click or key handler. Does nothing unless the user has not decided yet. */
export function askNotificationPermissionOnce(): void {
  if (!supported() || Notification.permission !== 'default') return;
  try {
    void Notification.requestPermission().catch(() => undefined);
  } catch {
    // Old callback-only implementations throw on the promise form; a missed prompt is harmless.
  }
}

export function showDesktopNotice(notice: NoticeView): void {
  if (!supported() || Notification.permission !== 'granted') return;
  try {
    // The tag folds repeats of one agent's notice kind into one OS notification.
    new Notification(notice.title, { body: notice.body, tag: `${notice.kind}:${notice.agentId ?? ''}` });
  } catch {
    // Some platforms allow notifications only from a service worker: the toast is enough.
  }
}
