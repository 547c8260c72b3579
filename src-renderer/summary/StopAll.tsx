/**
 * Stop all: the button (the confirmation lives in the App), then the
 * progress ("Stopping N agents…") and the outcome, announced politely.
 */
import type { CleanupView } from '../../src-preload/contract';
import { plural } from '../format/format';
import { OFFLINE_REASON, useConnected } from '../state/use-connection';

export type StopAllState =
  | { phase: 'idle' }
  | { phase: 'running'; count: number }
  | { phase: 'done'; result: CleanupView }
  | { phase: 'error'; message: string };

export function describeCleanup(result: CleanupView): string {
  const parts = [`Stopped ${plural(result.stopped.length, 'agent')}`];
  if (result.alreadyEnded.length > 0) parts.push(`${result.alreadyEnded.length} had already ended`);
  if (result.unkillable.length > 0) parts.push(`${result.unkillable.length} could not be killed: ${result.unkillable.join(', ')}`);
  return `${parts.join('; ')}.`;
}

/** The button, in the header. Disabled while a stop-all runs or nothing is live. */
export function StopAllButton({ state, liveCount, onStopAll }: { state: StopAllState; liveCount: number; onStopAll: () => void }) {
  const connected = useConnected();
  return (
    <button
      type="button"
      className="button button-danger-quiet"
      onClick={onStopAll}
      disabled={!connected || state.phase === 'running' || liveCount === 0}
      title={!connected ? OFFLINE_REASON : liveCount === 0 ? 'No agent is running' : 'Stop every running agent'}
    >
      Stop all
    </button>
  );
}

/**
 * Progress and outcome, as a slim bar under the header (so the header itself
 * never reflows). The live region is always in the page, so the change of
 * text is announced.
 */
export function StopAllStatus({ state, onDismiss }: { state: StopAllState; onDismiss: () => void }) {
  const bad = state.phase === 'error' || (state.phase === 'done' && state.result.unkillable.length > 0);
  return (
    <div className={`stop-all-status${state.phase === 'idle' ? ' is-idle' : ''}${bad ? ' is-bad' : ''}`} aria-live="polite">
      {state.phase === 'running' && (
        <>
          <span className="spinner" aria-hidden="true" /> <span className="banner-text">Stopping {plural(state.count, 'agent')}…</span>
        </>
      )}
      {state.phase === 'done' && <span className="banner-text">{describeCleanup(state.result)}</span>}
      {state.phase === 'error' && <span className="banner-text">Stop all failed: {state.message}</span>}
      {(state.phase === 'done' || state.phase === 'error') && (
        <button type="button" className="icon-button" aria-label="Dismiss stop all result" onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  );
}
