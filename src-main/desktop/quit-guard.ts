/**
 * Quitting with agents running asks first: stop them all (in parallel,
 * gracefully, with progress on the taskbar), leave them running (the next
 * start re-adopts them), or cancel.
 */
import { dialog, type BrowserWindow } from 'electron';
import { LIVE_STATES, type Supervisor } from '../supervisor/index';

export type QuitChoice = 'stop-all' | 'leave-running' | 'cancel';

export async function askBeforeQuit(window: BrowserWindow | null, liveCount: number): Promise<QuitChoice> {
  const options = {
    type: 'question' as const,
    buttons: ['Stop all and quit', 'Leave running and quit', 'Cancel'],
    defaultId: 0,
    cancelId: 2,
    noLink: true,
    title: 'Agents are still running',
    message: `${liveCount} agent${liveCount === 1 ? ' is' : 's are'} still running.`,
    detail:
      'Stop all: each agent gets SIGTERM, then SIGKILL if it does not end within the stop timeouts; Corral waits for every process of every agent.\n' +
      'Leave running: agents keep working and logging; Corral re-adopts them when it starts again.',
  };
  const { response } = window !== null ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
  return (['stop-all', 'leave-running', 'cancel'] as const)[response] ?? 'cancel';
}

export async function liveAgentCount(supervisor: Supervisor): Promise<number> {
  const statuses = await supervisor.monitorAllAgents();
  return Object.values(statuses).filter((status) => LIVE_STATES.has(status.state)).length;
}

/** Stops every agent in parallel, showing how many have ended on the window's progress bar. */
export async function stopAllWithProgress(supervisor: Supervisor, window: BrowserWindow | null): Promise<void> {
  const total = await liveAgentCount(supervisor);
  let ended = 0;
  const unsubscribe = supervisor.on('state', (event) => {
    if (!LIVE_STATES.has(event.state)) {
      ended++;
      if (window !== null && !window.isDestroyed()) window.setProgressBar(Math.min(1, ended / Math.max(1, total)));
    }
  });
  try {
    if (window !== null && !window.isDestroyed()) window.setProgressBar(0);
    await supervisor.cleanup();
  } finally {
    unsubscribe();
    if (window !== null && !window.isDestroyed()) window.setProgressBar(-1);
  }
}
