/**
 * Decides what the user should be told about now, from one agent's previous
 * and current view. The one place that decides notifications; hosts only
 * show them.
 */
import type { AgentView, NoticeView } from '../../src-preload/contract';

export function noticesBetween(previous: AgentView | undefined, next: AgentView, at: string): NoticeView[] {
  const notices: NoticeView[] = [];
  const name = `${next.agentName} (${next.agentId})`;
  if (next.state === 'failed' && previous !== undefined && previous.state !== 'failed') {
    notices.push({ kind: 'failed', agentId: next.agentId, title: `${name} failed`, body: next.error ?? describeEnd(next), at });
  }
  const unkillable = next.stopReport?.outcome === 'unkillable';
  if (unkillable && previous?.stopReport?.outcome !== 'unkillable') {
    const who = next.stopReport!.survivors.map((survivor) => `pid ${survivor.pid} (${survivor.name})`).join(', ');
    notices.push({ kind: 'unkillable', agentId: next.agentId, title: `${name} could not be stopped`, body: `${who} survived SIGKILL.`, at });
  }
  const zombies = next.zombieDescendants > 0 || next.health === 'zombie';
  const hadZombies = previous !== undefined && (previous.zombieDescendants > 0 || previous.health === 'zombie');
  if (zombies && !hadZombies) {
    const count = next.health === 'zombie' ? 'Its main process is a zombie.' : `${next.zombieDescendants} zombie process(es) in its tree.`;
    notices.push({ kind: 'zombie', agentId: next.agentId, title: `${name} has zombie processes`, body: `${count} Use "Reap zombies" or stop the agent.`, at });
  }
  return notices;
}

function describeEnd(view: AgentView): string {
  if (view.signal !== null) return `Ended by ${view.signal}.`;
  if (view.exitCode !== null) return `Exited with code ${view.exitCode}.`;
  return 'It ended unexpectedly.';
}
