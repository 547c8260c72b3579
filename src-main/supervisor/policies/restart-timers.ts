/**
 * The pending restarts of agents in backoff: one timer per agent id. The time
 * itself is saved on the agent (nextRestartAt); these only fire it while
 * Corral runs, and `clear()` stops them all on close.
 */
export class RestartTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /** Fires `restart` at `atMs` (at once when past), replacing any pending one for this agent. */
  schedule(agentId: string, atMs: number, restart: () => void): void {
    this.cancel(agentId);
    const timer = setTimeout(() => {
      this.timers.delete(agentId);
      restart();
    }, Math.max(0, atMs - Date.now()));
    timer.unref();
    this.timers.set(agentId, timer);
  }

  cancel(agentId: string): void {
    clearTimeout(this.timers.get(agentId));
    this.timers.delete(agentId);
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
