import type { IpcMainInvokeEvent, WebContents } from 'electron';

/**
 * True when an IPC request comes from the main frame of `contents` while it
 * shows one of our own pages.
 *
 * `senderFrame` is null once the frame has navigated away or been destroyed;
 * such a request is refused. Frames are compared by process and routing id,
 * which identify one frame for its whole life.
 */
export function isFromMainFrameOf(
  event: IpcMainInvokeEvent,
  contents: WebContents,
  isAppUrl: (url: string) => boolean,
): boolean {
  const frame = event.senderFrame;
  if (frame === null || contents.isDestroyed() || event.sender !== contents) {
    return false;
  }
  const mainFrame = contents.mainFrame;
  return frame.processId === mainFrame.processId && frame.routingId === mainFrame.routingId && isAppUrl(frame.url);
}
