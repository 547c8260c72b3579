/**
 * SIGTERM / SIGINT / SIGHUP inside Electron: when and how the desktop app's
 * own answer (`shutdown.ts`, as the headless host's) gets to run at all.
 *
 * Why listeners registered while the app's code loads never run: Electron
 * runs the main script first, then, when its message loop is created
 * (`ElectronBrowserMainParts::PostCreateMainMessageLoop`, before `ready`),
 * calls Chromium's `InstallShutdownSignalHandlers`, whose sigaction() replaces
 * whatever handler libuv had installed for the three signals: a signal then
 * becomes `app.quit()` once, and the handler resets itself to SIG_DFL ("one
 * shot at graceful shutdown"), so a second signal kills the process — under
 * `npm start` a single Ctrl-C arrives twice (the terminal's process group and
 * Electron's CLI wrapper forwarding it, electron/electron#13867) and Electron
 * dies before `will-quit` has saved state (electron/electron#5273).
 * (shell/browser/electron_browser_main_parts{,_posix}.cc.)
 *
 * How they are taken back: libuv calls sigaction() for a signal only when its
 * first watcher for that signal starts (uv__signal_start: `first_handle ==
 * NULL`), and Node keeps one watcher per signal while the signal has any
 * listener. So, after `ready`: remove every listener of the signal (Node closes
 * its watcher and libuv puts SIG_DFL back, for the few microseconds until the
 * next line), then add them back: the new watcher re-installs libuv's handler
 * over Chromium's, and
 * every listener — ours, and those of libraries loaded earlier (conf's
 * when-exit) — runs again. Windows has no POSIX signals (Node emulates SIGINT
 * from the console), so nothing is taken back there.
 *
 * Plain Node: tested with a real child process whose handlers are replaced by
 * a foreign sigaction(), as Chromium's are.
 */
import { handleShutdownSignals, SHUTDOWN_SIGNALS, type ShutdownHooks } from '../shutdown';

type SignalTarget = Pick<NodeJS.Process, 'on' | 'off' | 'rawListeners' | 'removeAllListeners'>;

/**
 * Re-installs libuv's handler for each signal (over any foreign one, Chromium's),
 * keeping every listener and its order. `once` listeners stay once.
 */
export function takeBackSignals(signals: readonly NodeJS.Signals[] = SHUTDOWN_SIGNALS, target: SignalTarget = process): void {
  if (process.platform === 'win32') return;
  for (const signal of signals) {
    // rawListeners: a `once` wrapper re-added as is still removes itself after its one call.
    const listeners = target.rawListeners(signal) as ((...args: unknown[]) => void)[];
    if (listeners.length === 0) continue;
    target.removeAllListeners(signal);
    for (const listener of listeners) target.on(signal, listener);
  }
}

/**
 * The desktop's signal handling: `handleShutdownSignals(hooks)` registered once
 * `ready` has resolved (Chromium's handlers are installed by then), then taken
 * back from Chromium. Resolves with the function that stops handling them.
 */
export async function handleDesktopSignals(hooks: ShutdownHooks, ready: Promise<unknown>, target: SignalTarget = process): Promise<() => void> {
  await ready;
  const stop = handleShutdownSignals(hooks, target);
  takeBackSignals(SHUTDOWN_SIGNALS, target);
  return stop;
}
