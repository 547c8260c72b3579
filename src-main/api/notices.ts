/**
 * Decides what the user should be told about now, from one agent's previous
 * and current view. The one place that decides notifications; hosts only
 * show them (and the settings decide which kinds are shown, see index.ts).
 *
 * Each notice fires on an edge (a change between two views), never on a
 * level, so a condition that lasts is told once. `previous` undefined means
 * the agent was already like this when first seen (old news): nothing is told.
 */
import type { AgentView, GuardAlertView, NoticeView } from '../../src-preload/contract';
import { assertNever } from '../supervisor/index';

export function noticesBetween(previous: AgentView | undefined, next: AgentView, at: string): NoticeView[] {
  const notices: NoticeView[] = [];
  const name = `${next.agentName} (${next.agentId})`;
  const tell = (kind: NoticeView['kind'], title: string, body: string) => notices.push({ kind, agentId: next.agentId, title, body, at });

  // Only the terminal `failed` state: a run that ends and is restarted passes through `backoff` instead, so a
  // restarting agent is not told about on every run; when it gives up (crash-looping) it is told once, below.
  if (next.state === 'failed' && previous !== undefined && previous.state !== 'failed') {
    tell('failed', `${name} failed`, next.lastExit?.summary ?? next.error ?? describeEnd(next));
  }
  if (next.state === 'crash-looping' && previous !== undefined && previous.state !== 'crash-looping') {
    const why = next.lastExit?.summary ?? next.error ?? describeEnd(next);
    tell('crash-looping', `${name} keeps failing`, `Restarted ${plural(next.restarts, 'time')} in a row; no more restarts. Last run: ${why}`);
  }
  if (next.stalledSince !== null && previous !== undefined && previous.stalledSince === null) {
    tell('stalled', `${name} looks stalled`, describeStall(next, at));
  }
  const alert = next.guardAlert;
  if (alert !== null && previous !== undefined && isNewFiredAlert(previous.guardAlert, alert)) {
    tell('threshold', `${name} is over its ${alert.metric === 'memory' ? 'memory' : 'CPU'} limit`, describeAlert(alert, at));
  }
  const unkillable = next.stopReport?.outcome === 'unkillable';
  if (unkillable && previous?.stopReport?.outcome !== 'unkillable') {
    const who = next.stopReport!.survivors.map((survivor) => `pid ${survivor.pid} (${survivor.name})`).join(', ');
    tell('unkillable', `${name} could not be stopped`, `${who} survived SIGKILL.`);
  }
  const zombies = next.zombieDescendants > 0 || next.health === 'zombie';
  const hadZombies = previous !== undefined && (previous.zombieDescendants > 0 || previous.health === 'zombie');
  if (zombies && !hadZombies) {
    const count = next.health === 'zombie' ? 'Its main process is a zombie.' : `${next.zombieDescendants} zombie process(es) in its tree.`;
    tell('zombie', `${name} has zombie processes`, `${count} Use "Reap zombies" or stop the agent.`);
  }
  return notices;
}

function describeEnd(view: AgentView): string {
  if (view.signal !== null) return `Ended by ${view.signal}.`;
  if (view.exitCode !== null) return `Exited with code ${view.exitCode}.`;
  return 'It ended unexpectedly.';
}

/** "No output for 6 min, CPU under 5 %: it may be waiting for input, or hung." */
function describeStall(view: AgentView, at: string): string {
  // Quiet since its last output (or its start, if it never wrote); the stall began `quietMs` after that.
  const quietFrom = view.lastOutputAt ?? view.startedAt;
  const quietMs = quietFrom === null ? null : Date.parse(at) - Date.parse(quietFrom);
  const quiet = quietMs === null || !Number.isFinite(quietMs) ? 'No output for a while' : `No output for ${formatDuration(quietMs)}`;
  const cpu = view.policies.stall === null ? '' : `, CPU under ${view.policies.stall.cpuBelowPercent} %`;
  return `${quiet}${cpu}: it may be waiting for input, or hung.`;
}

/** A fired alert that was not already told: none before, not fired before, or another alert (another metric, or a new excess). */
function isNewFiredAlert(previous: GuardAlertView | null, next: GuardAlertView): boolean {
  if (!next.fired) return false;
  if (previous === null || !previous.fired) return true;
  return previous.metric !== next.metric || previous.since !== next.since;
}

/** "Memory 612 MB over its 500 MB limit for 31 s; Corral stopped it." */
function describeAlert(alert: GuardAlertView, at: string): string {
  const figure = (value: number) => (alert.metric === 'memory' ? `${Math.round(value)} MB` : `${Math.round(value)} %`);
  const forMs = Date.parse(at) - Date.parse(alert.since);
  const lasted = Number.isFinite(forMs) && forMs >= 0 ? ` for ${formatDuration(forMs)}` : '';
  const metric = alert.metric === 'memory' ? 'Memory' : 'CPU';
  return `${metric} ${figure(alert.value)} over its ${figure(alert.limit)} limit${lasted}; ${describeAction(alert.action)}`;
}

function describeAction(action: GuardAlertView['action']): string {
  switch (action) {
    case 'notify':
      return 'it keeps running (the guard only notifies).';
    case 'stop':
      return 'Corral is stopping it.';
    case 'restart':
      return 'Corral is restarting it.';
    default:
      return assertNever(action);
  }
}

/** "45 s", "6 min", "2 h 5 min". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
