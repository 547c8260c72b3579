/**
 * Pause and resume of one agent: its whole tree frozen in place, then let go.
 * With a cgroup, the kernel's freezer (`cgroup.freeze`): nothing in it runs,
 * forks or handles a signal until thawed (SIGKILL still ends it), confirmed by
 * `frozen 1` in cgroup.events. Without one, SIGSTOP to every member and its
 * group until a scan finds them all stopped (process/tree-pause.ts), SIGCONT
 * to let go. `paused` is a state of its own: the stall and guard watches look
 * only at running agents (observe.ts), and no restart policy is asked, since
 * nothing ended. A stop thaws it first, or its SIGTERM stages could not be handled.
 */
import { performance } from 'node:perf_hooks';
import { CorralError, messageOf } from '../errors';
import type { AgentCgroup } from '../process/cgroup/agent-cgroup';
import { continueTree, stopTree } from '../process/tree-pause';
import type { StopTarget } from '../process/stop-members';
import type { AgentState } from '../types';
import { anchorOf, type AgentRun } from './agent-record';
import type { RunnerContext } from './runner-context';

/** How long every member may take to be seen frozen (or stopped) before the pause is called off. */
const PAUSE_WAIT_MS = 2000;
/** The freezer's safety poll while a pause or resume waits (its change is announced; this catches a missed notice within a pause's patience). */
const FREEZER_POLL_MS = 100;

type Transition = (state: AgentState) => void;

/** Freezes a running agent's tree; `paused` once asked (a stop meanwhile sees it and thaws). Paused already: nothing to do. */
export async function pauseRun(run: AgentRun, ctx: RunnerContext, transition: Transition): Promise<void> {
  if (run.state === 'paused') return;
  if (run.state !== 'running') throw notInState(run, 'only a running agent can be paused');
  const cgroup = cgroupOf(run, ctx);
  if (cgroup && !cgroup.freeze(true)) throw new CorralError('io-error', `Could not pause "${run.request.agentId}": writing ${cgroup.dir}/cgroup.freeze failed.`);
  run.guard.reset();
  transition('paused');
  const stillPausing = (): boolean => run.state === 'paused';
  let problem: string | null = null;
  try {
    const left = cgroup
      ? (await cgroup.whenFrozen(true, Date.now() + PAUSE_WAIT_MS, FREEZER_POLL_MS)) ? 0 : cgroup.pids().length
      : (await stopTree(targetOf(run), ctx, performance.now() + PAUSE_WAIT_MS, stillPausing)).length;
    if (left > 0) problem = `${left} of its processes did not stop within ${PAUSE_WAIT_MS / 1000} s (uninterruptible?)`;
  } catch (error) {
    problem = messageOf(error);
  }
  // Done, or a stop or the end overtook the pause (they let go of what it froze).
  if (problem === null || !stillPausing()) return;
  await letGo(run, ctx);
  if (stillPausing()) transition('running');
  throw new CorralError('io-error', `Could not pause "${run.request.agentId}": ${problem}; it runs on.`);
}

/** Lets a paused agent's tree run again; the stall clock starts over. Running already: nothing to do. */
export async function resumeRun(run: AgentRun, ctx: RunnerContext, transition: Transition): Promise<void> {
  if (run.state === 'running') return;
  if (run.state !== 'paused') throw notInState(run, 'only a paused agent can be resumed');
  await letGo(run, ctx);
  if (run.state !== 'paused') return; // a stop began meanwhile: it owns the state now
  run.guard.reset();
  run.resumedAtMs = Date.now();
  transition('running');
}

/** Before a stop's first signal: a frozen cgroup is thawed (a stopped process gets SIGCONT with each SIGTERM: terminate.ts). */
export function thawForStop(run: AgentRun, ctx: RunnerContext): void {
  if (run.state === 'paused') cgroupOf(run, ctx)?.freeze(false);
}

/** A paused run ended (its root died): what is left of its tree is let go, so nothing stays frozen after it. */
export function releasePause(run: AgentRun, ctx: RunnerContext): void {
  if (run.state !== 'paused') return;
  letGo(run, ctx).catch((error: unknown) => ctx.warn(`Could not let go of the paused tree of "${run.request.agentId}": ${messageOf(error)}`));
}

/** Thaws the cgroup the pause froze, or SIGCONTs the members it stopped. */
async function letGo(run: AgentRun, ctx: RunnerContext): Promise<void> {
  const cgroup = cgroupOf(run, ctx);
  if (cgroup?.freezeAsked()) {
    cgroup.freeze(false);
    await cgroup.whenFrozen(false, Date.now() + PAUSE_WAIT_MS, FREEZER_POLL_MS);
    return;
  }
  await continueTree(targetOf(run), ctx);
}

/**
 * The run's cgroup; for an agent re-adopted after Corral restarted whose record lost it, its agent
 * cgroup when the root is in it (the pause froze that one, so the resume must thaw it).
 */
function cgroupOf(run: AgentRun, ctx: RunnerContext): AgentCgroup | null {
  if (run.cgroup) return run.cgroup;
  const cgroup = ctx.containment?.agent(run.request.agentId) ?? null;
  return cgroup && run.pid !== null && cgroup.pids().includes(run.pid) ? cgroup : null;
}

function targetOf(run: AgentRun): StopTarget {
  return { agentId: run.request.agentId, ...anchorOf(run) };
}

function notInState(run: AgentRun, rule: string): CorralError {
  return new CorralError('not-running', `Agent "${run.request.agentId}" is ${run.state}: ${rule}. Nothing was changed.`);
}
