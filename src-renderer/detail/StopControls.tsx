/**
 * The detail's action bar. Each button is present always (stable layout,
 * predictable for keyboard users) and disabled when it does not apply, with
 * a title saying why. Restart is a graceful stop, then the same request as a
 * new run; Duplicate opens New agent filled from this agent's request.
 * Stop, Force kill and Remove ask first (in the App):
 * Force kill sits next to Stop and skips its graceful stages.
 * Pause freezes a running agent's whole tree; the same button resumes it.
 */
import type { AgentView, CorralApi } from '../../src-preload/contract';
import { isActive, isLive } from '../state/agent-state';
import type { CorralStore } from '../state/corral-store';
import type { AgentActionStatus } from '../state/use-agent-actions';
import { OFFLINE_REASON, useConnected } from '../state/use-connection';
import { usePause } from './use-pause';

interface StopControlsProps {
  api: CorralApi;
  store: CorralStore;
  agent: AgentView;
  status: AgentActionStatus;
  canOpenFolders: boolean;
  onStop: () => void;
  onForceKill: () => void;
  onRunAgain: () => void;
  onRestart: () => void;
  onDuplicate: () => void;
  onRemove: () => void;
  onOpenFolder: () => void;
  onReapZombies: () => void;
}

export function StopControls(props: StopControlsProps) {
  const { agent, status, canOpenFolders, onStop, onForceKill, onRunAgain, onRestart, onDuplicate, onRemove, onOpenFolder, onReapZombies } = props;
  const live = isLive(agent.state);
  // Waiting to restart: Stop cancels the restart; there is nothing to kill, run again or remove yet.
  const active = isActive(agent.state);
  const stopping = status.pending.has('stop') || status.pending.has('force') || agent.state === 'stopping';
  const forcing = status.pending.has('force') || (agent.stopProgress?.forced ?? false);
  // Disconnected: every action is off, saying why (the figures it would act on are stale too).
  const offline = !useConnected();
  const why = (title: string) => (offline ? OFFLINE_REASON : title);
  const pause = usePause(props.api, props.store, agent);
  const canRestart = agent.state === 'running' || agent.state === 'paused';
  return (
    <>
      <div className="controls" role="group" aria-label="Agent actions">
        <button
          type="button"
          className="button"
          onClick={onStop}
          disabled={offline || !active || stopping}
          title={why(live ? 'Stop gracefully: SIGTERM, again, then SIGKILL' : active ? 'Cancel the pending restart' : 'Already ended')}
        >
          Stop
        </button>
        <button type="button" className="button button-danger" onClick={onForceKill} disabled={offline || !live || forcing} title={why(live ? 'Kill the whole process tree now (SIGKILL)' : 'Already ended')}>
          Force kill
        </button>
        <button
          type="button"
          className="button"
          onClick={pause.toggle}
          disabled={offline || pause.next === null || pause.pending || stopping}
          aria-label={pause.next === 'running' ? 'Resume' : 'Pause'}
          title={why(pause.next === 'running' ? 'Let its whole tree run again' : pause.next === 'paused' ? 'Freeze its whole tree in place (no CPU, no output) until resumed' : 'Available while it runs')}
        >
          {pause.next === 'running' ? (pause.pending ? 'Resuming…' : 'Resume') : pause.pending ? 'Pausing…' : 'Pause'}
        </button>
        <button type="button" className="button" onClick={onRunAgain} disabled={offline || active || status.pending.has('run')} title={why(active ? 'Available once it has ended' : 'Start it again with the same request')}>
          {status.pending.has('run') ? 'Starting…' : 'Run again'}
        </button>
        <button
          type="button"
          className="button"
          onClick={onRestart}
          disabled={offline || !canRestart || stopping || status.pending.has('restart')}
          aria-label="Restart"
          title={why(canRestart ? 'Stop gracefully, then start the same request again as a new run' : 'Available while it runs')}
        >
          {status.pending.has('restart') ? 'Restarting…' : 'Restart'}
        </button>
        <button type="button" className="button" onClick={onDuplicate} disabled={offline} title={why('Open New agent filled from this agent’s request')}>
          Duplicate
        </button>
        <button type="button" className="button" onClick={onRemove} disabled={offline || active || status.pending.has('remove')} title={why(active ? 'Stop it first' : 'Forget this agent and delete its logs')}>
          Remove
        </button>
        {agent.zombieDescendants > 0 && (
          <button type="button" className="button" onClick={onReapZombies} disabled={offline || status.pending.has('reap')} title={why('Ask the parents of zombie processes to collect them (SIGCHLD)')}>
            Reap zombies
          </button>
        )}
        {canOpenFolders && (
          <button type="button" className="button button-quiet" onClick={onOpenFolder} disabled={offline || status.pending.has('open')} title={offline ? OFFLINE_REASON : undefined}>
            Open log folder
          </button>
        )}
      </div>
      {pause.error !== null && (
        <p className="inline-alert" role="alert">
          {pause.error}
        </p>
      )}
    </>
  );
}
