/**
 * Corral's own end on SIGTERM / SIGINT / SIGHUP (logout, a closed terminal,
 * Ctrl-C), shared by the web host and Electron main. Imports neither Electron
 * nor the web host: each host hands in what "stop the agents", "close" and
 * "exit" mean for it. Electron main registers it through
 * `desktop/desktop-signals.ts`, after `ready`: registered earlier, Chromium's
 * own handlers replace it.
 *
 * - `leave-running` (default): close (state saved; agents keep running and are
 *   re-adopted by the next start), exit 0. A second signal exits at once (1).
 * - `stop-all`: stop every agent in parallel with the staged stop, close, exit
 *   0. A second signal forces (the SIGKILL stage for whatever is left), then
 *   closes and exits; a third exits at once. Never a half-stopped state: a
 *   stop in progress is either finished here or resumed by the next start.
 *
 * The echo trap: conf (through atomically → when-exit) re-raises SIGINT and
 * SIGTERM on its own process once it has flushed, so each signal may arrive
 * twice. A repeat within `echoMs` of the previous one is that echo, not the user.
 */

export type OnSignal = 'leave-running' | 'stop-all';

export const ON_SIGNAL_VALUES: readonly OnSignal[] = ['leave-running', 'stop-all'];

export const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Parses `--on-signal` / `CORRAL_ON_SIGNAL`; undefined or empty means the default. */
export function parseOnSignal(value: string | undefined): OnSignal | { error: string } {
  if (value === undefined || value === '') return 'leave-running';
  return (ON_SIGNAL_VALUES as readonly string[]).includes(value)
    ? (value as OnSignal)
    : { error: `on-signal must be ${ON_SIGNAL_VALUES.join(' or ')}; got ${JSON.stringify(value)}.` };
}

export interface ShutdownHooks {
  mode: OnSignal;
  /** Stops every agent (all in parallel); `force` skips to SIGKILL. Resolves when they are gone (or unkillable). */
  stopAll(force: boolean): Promise<{ unkillable: number }>;
  /** Closes the host and the engine (state saved, timers stopped). */
  close(): Promise<void>;
  exit(code: number): void;
  log(line: string): void;
  /** Gives up and exits 1 if closing (after any stop) takes longer. Default 15 s. */
  closeDeadlineMs?: number;
  /** Longest a graceful stop-all may take (the sum of the stop stages) before the deadline starts. */
  stopDeadlineMs?: number;
  /** A repeat within this window is conf's echo. Default 1 s. */
  echoMs?: number;
}

/** Handles the three signals on `target` (default: this process); returns the function that stops handling them. */
export function handleShutdownSignals(hooks: ShutdownHooks, target: Pick<NodeJS.Process, 'on' | 'off'> = process): () => void {
  const echoMs = hooks.echoMs ?? 1000;
  const closeDeadlineMs = hooks.closeDeadlineMs ?? 15_000;
  let signals = 0;
  let lastAt = 0;
  let forced: Promise<unknown> | null = null;

  const fail = (message: string) => {
    hooks.log(message);
    hooks.exit(1);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (signals > 0 && now - lastAt < echoMs) return; // conf's echo
    signals++;
    lastAt = now;
    if (signals === 1) {
      begin(signal);
    } else if (signals === 2 && hooks.mode === 'stop-all') {
      hooks.log(`${signal} again: forcing (SIGKILL) whatever is left, then exiting.`);
      forced = hooks.stopAll(true);
    } else {
      fail(`${signal} again: exiting without waiting.`);
    }
  };

  const begin = (signal: NodeJS.Signals) => {
    const stopping = hooks.mode === 'stop-all';
    hooks.log(stopping ? `${signal}: stopping every agent, then closing.` : `${signal}: closing; agents keep running and are re-adopted on the next start.`);
    // If closing ever hangs, do not keep the terminal (or the session's logout) hostage.
    const deadline = setTimeout(() => fail('Closing took too long; exiting anyway.'), (stopping ? (hooks.stopDeadlineMs ?? 0) : 0) + closeDeadlineMs);
    deadline.unref();
    void (async () => {
      let code = 0;
      if (stopping) {
        const { unkillable } = await hooks.stopAll(false);
        // A forced stop asked for meanwhile overtakes the graceful one; wait for it too.
        const after = (await forced) as { unkillable: number } | null;
        if (unkillable > 0 || (after !== null && after.unkillable > 0)) {
          hooks.log('Some agents survived SIGKILL; they stay in the state file and are tracked on the next start.');
          code = 1;
        }
      }
      await hooks.close();
      clearTimeout(deadline);
      hooks.exit(code);
    })().catch((error: unknown) => fail(`Could not close cleanly: ${error instanceof Error ? error.message : String(error)}`));
  };

  for (const signal of SHUTDOWN_SIGNALS) target.on(signal, onSignal);
  return () => {
    for (const signal of SHUTDOWN_SIGNALS) target.off(signal, onSignal);
  };
}
