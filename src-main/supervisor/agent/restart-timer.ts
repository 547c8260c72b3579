/**
 * One agent's pending restart: at most one timer at a time, unref'd so it
 * never keeps the host alive. The time itself is saved on the agent
 * (nextRestartAt); this only fires it while Corral runs.
 */
export class RestartTimer {
  private timer: NodeJS.Timeout | null = null;

  /** Fires `restart` at `atMs` (at once when past), replacing a pending one. */
  schedule(atMs: number, restart: () => void): void {
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = null;
      restart();
    }, Math.max(0, atMs - Date.now()));
    this.timer.unref();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
