/**
 * Refusals are logged one line each, but any web page can knock on a loopback
 * port as often as it likes: past a handful of lines per window, further lines
 * are counted, not printed, and the count is reported once the window ends.
 */
export interface ThrottledLog {
  (line: string): void;
  /** Stops the pending report timer. */
  close(): void;
}

export function throttledLog(log: (line: string) => void, { maxLines = 10, windowMs = 10_000 } = {}): ThrottledLog {
  let windowStart = 0;
  let printed = 0;
  let suppressed = 0;
  let reportTimer: ReturnType<typeof setTimeout> | null = null;

  const report = () => {
    reportTimer = null;
    if (suppressed > 0) log(`…and ${suppressed} more refusals in the last ${Math.round(windowMs / 1000)} s, not logged one by one.`);
    suppressed = 0;
  };

  const throttled = ((line: string) => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      windowStart = now;
      printed = 0;
    }
    if (printed < maxLines) {
      printed++;
      log(line);
      return;
    }
    suppressed++;
    if (reportTimer === null) {
      reportTimer = setTimeout(report, windowStart + windowMs - now);
      // A pending report must not keep the process alive.
      reportTimer.unref?.();
    }
  }) as ThrottledLog;
  throttled.close = () => {
    if (reportTimer !== null) clearTimeout(reportTimer);
    reportTimer = null;
  };
  return throttled;
}
