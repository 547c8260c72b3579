/**
 * How the lifecycle extras read (restart backoff, stalls, resource guard
 * alerts): one place, so the list row and the detail header say the same.
 */
import type { GuardAlertView } from '../../src-preload/contract';
import { formatCpu, formatMemory, formatRestartCountdown, formatTimestamp } from '../format/format';
import { assertNever } from '../state/assert-never';
import { useNow } from '../state/use-now';

/** What `paused` means, for a title wherever the state word is shown. */
export const PAUSED_DESCRIPTION = 'Paused: its whole process tree is frozen (no CPU, no output) until resumed; stall detection and resource guards wait meanwhile.';

/** "restarting in 4 s", ticking by itself (the list's rows re-render only when a figure changes). */
export function RestartCountdown({ nextRestartAt }: { nextRestartAt: number | null }) {
  const now = useNow(250, nextRestartAt !== null);
  return <>{formatRestartCountdown(nextRestartAt, now)}</>;
}

function guardFigure(metric: GuardAlertView['metric'], value: number): string {
  return metric === 'memory' ? formatMemory(value) : formatCpu(value);
}

/** The row badge: short. */
export function guardAlertBadge(alert: GuardAlertView): string {
  return `${alert.metric === 'memory' ? 'memory' : 'CPU'} limit`;
}

/** The whole story, for a title and the detail header. */
export function describeGuardAlert(alert: GuardAlertView): string {
  const what = alert.metric === 'memory' ? 'Memory' : 'CPU';
  const figures = `${what} ${guardFigure(alert.metric, alert.value)} over the ${guardFigure(alert.metric, alert.limit)} limit since ${formatTimestamp(alert.since)}`;
  if (!alert.fired) return `${figures}; the guard will ${alert.action} if it lasts.`;
  switch (alert.action) {
    case 'notify':
      return `${figures}; notified.`;
    case 'stop':
      return `${figures}; the guard stopped it.`;
    case 'restart':
      return `${figures}; the guard restarted it.`;
    default:
      return assertNever(alert.action);
  }
}
