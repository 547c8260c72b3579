/**
 * The starts a user asks for, over the engine's registry of runners: a new
 * agent or Run again (a request: refused whole when no process comes of it,
 * start-undo.ts), Restart (a stop, then the same request again as a new run
 * of the agent), and Clear finished (every ended agent forgotten).
 */
import { randomUUID } from 'node:crypto';
import { CorralError } from '../errors';
import { refusal } from '../request-schema';
import type { DeploymentRequest, DeploymentResponse } from '../types';
import type { AgentRun } from './agent-record';
import { AgentRunner } from './agent-runner';
import { idConflict } from './id-conflict';
import type { RequestReplay } from './request-replay';
import type { RunnerContext } from './runner-context';
import { missingSecretsMessage } from './secrets';
import { StartUndo } from './start-undo';

/** What these starts need of the engine. */
export interface StartRegistry {
  readonly runners: Map<string, AgentRunner>;
  readonly requests: RequestReplay;
  readonly ctx: RunnerContext;
  /** Writes state.json now (which also clears the spawn journal's entries it covers). */
  flush(): void;
}

/**
 * Starts a parsed request. One the OS refuses before any process exists (program
 * or working directory missing, not executable, E2BIG…) leaves nothing: no
 * agent, no run, no state-file or journal entry, so no notice; the caller gets
 * the `failed` answer with its error kind. Its request id is not remembered,
 * so the same request may be sent again once fixed.
 */
export function startRequest(registry: StartRegistry, request: DeploymentRequest): Promise<DeploymentResponse> {
  const { runners, requests, ctx } = registry;
  const existing = runners.get(request.agentId);
  const conflict = idConflict(runners, request.agentId); // the same id live, or one differing only in case
  if (conflict !== null) return Promise.resolve(refusal(request, 'already-running', conflict));
  const runner = existing ?? AgentRunner.create(ctx, request);
  // The runner is the record's only writer: the undo restores it from within the runner's own launch.
  const undo = new StartUndo(runner.record as AgentRun, existing === undefined);
  runners.set(request.agentId, runner);
  const answer = runner.start(request, 'user', undo).then((response) => {
    if (!undo.refused) return response;
    if (undo.fresh && runners.get(request.agentId) === runner) {
      runner.close();
      runners.delete(request.agentId);
      undo.removeFreshFolder();
    }
    requests.forget(request.requestId);
    registry.flush(); // the write-ahead entry of the refused run is gone with it
    return response;
  });
  requests.remember(request.requestId, answer);
  return answer;
}

/** Run again: a new request for an ended agent, with the request of its last run. */
export function runAgainRequest(runner: AgentRunner): DeploymentRequest {
  const { record } = runner;
  if (record.missingSecrets.length > 0) throw new CorralError('invalid-argument', missingSecretsMessage(runner.agentId, record.missingSecrets));
  return { ...structuredClone(record.request), requestId: randomUUID() };
}

/**
 * Restart: a graceful stop of what runs (or of a restart that is due), then a
 * new run of the same request, trigger `user`. Not a new request: a program
 * gone meanwhile is recorded as a spawn-failed run, as a policy restart is.
 */
export async function restartRunner(registry: StartRegistry, runner: AgentRunner): Promise<DeploymentResponse> {
  const request = runAgainRequest(runner);
  if (runner.isLive || runner.isStopping || runner.record.state === 'backoff') {
    const report = await runner.stop();
    if (report.outcome === 'unkillable') {
      const who = report.survivors.map((survivor) => `pid ${survivor.pid} (${survivor.name})`).join(', ');
      throw new CorralError('already-running', `Could not restart "${runner.agentId}": ${who} survived SIGKILL.`);
    }
  }
  // Started again by someone else while it stopped, or removed meanwhile.
  if (registry.runners.get(runner.agentId) !== runner) throw new CorralError('not-found', `Agent "${runner.agentId}" was removed while it restarted.`);
  const conflict = idConflict(registry.runners, runner.agentId);
  if (conflict !== null) return refusal(request, 'already-running', conflict);
  const answer = runner.start(request, 'user');
  registry.requests.remember(request.requestId, answer);
  return answer;
}

/** Whether Clear finished forgets it: ended for good, neither live, stopping nor waiting to restart. */
export function isFinished(runner: AgentRunner): boolean {
  return !runner.isLive && !runner.isStopping && runner.record.state !== 'backoff';
}
