/**
 * What `apply` and `down` will do, decided from the file and the host's
 * agents alone (pure: no I/O), so it can be shown before it is done and
 * tested without processes.
 *
 * How a file's agents are recognised: by id (`<project>.<name>`, or the name)
 * and by the fingerprint variable every agent `apply` starts carries
 * (fingerprint.ts). A live agent with the id but no fingerprint was started
 * some other way: `apply` refuses to replace it, `down` leaves it alone.
 */
import type { AgentState } from '../../../src-preload/contract';
import { fingerprintIn } from './fingerprint';
import type { AgentsFile, FileAgent } from './load';
import type { CurrentAgent } from './target';

/** States in which an agent is running (or paused: its processes are there), or will run again without being asked (backoff). */
const UP_STATES: ReadonlySet<AgentState> = new Set<AgentState>(['spawning', 'running', 'paused', 'backoff']);

export type ApplyReason =
  /** start: the host has no agent with this id. */
  | 'new'
  /** start / restart: the file's request differs from the one the agent runs (or ran) with. */
  | 'changed'
  /** start: unchanged, but it ended without completing (failed, stopped, lost, crash-looping). */
  | 'not-running'
  /** restart: it is being stopped; it is started again once the stop is over. */
  | 'stopping'
  /** start: an ended agent with this id that no agents file started is replaced. */
  | 'not-from-file'
  /** leave: unchanged and running (or waiting out a restart backoff). */
  | 'unchanged'
  /** leave: unchanged and completed (exit code 0): it did what the file asks. */
  | 'completed';

export interface ApplyStep {
  /** start: spawn it; restart: stop it, then spawn it; leave: nothing. */
  action: 'start' | 'restart' | 'leave';
  reason: ApplyReason;
  agent: FileAgent;
}

export interface ApplyPlan {
  /** Steps by wave (the file's dependency waves): a wave's agents may start together once their dependencies' conditions hold. */
  waves: ApplyStep[][];
  /** How many steps start or restart something: 0 means the file is applied already. */
  changes: number;
}

/** Why a plan cannot be made. */
export interface PlanError {
  kind: 'id-conflict';
  /** The live agents that would be replaced. */
  agentIds: string[];
  message: string;
}

export type PlanResult = { ok: true; value: ApplyPlan } | { ok: false; error: PlanError };

/** The steps that bring the host to what `file` says, given its `current` agents. */
export function planApply(file: AgentsFile, current: readonly CurrentAgent[]): PlanResult {
  const byId = new Map(current.map((agent) => [agent.agentId, agent]));
  const byName = new Map(file.agents.map((agent) => [agent.name, agent]));
  const conflicts: string[] = [];
  const stepOf = (agent: FileAgent): ApplyStep => {
    const running = byId.get(agent.agentId);
    if (running === undefined) return { action: 'start', reason: 'new', agent };
    const fingerprint = fingerprintIn(running.envKeys);
    const up = UP_STATES.has(running.state);
    if (running.state === 'stopping') return { action: 'restart', reason: 'stopping', agent };
    if (fingerprint === null) {
      if (up) conflicts.push(agent.agentId);
      return { action: 'start', reason: 'not-from-file', agent };
    }
    if (fingerprint !== agent.fingerprint) return { action: up ? 'restart' : 'start', reason: 'changed', agent };
    if (up) return { action: 'leave', reason: 'unchanged', agent };
    if (running.state === 'completed') return { action: 'leave', reason: 'completed', agent };
    return { action: 'start', reason: 'not-running', agent };
  };
  const waves = file.waves.map((names) => names.map((name) => stepOf(byName.get(name)!)));
  if (conflicts.length > 0) {
    const ids = conflicts.join(', ');
    return {
      ok: false,
      error: {
        kind: 'id-conflict',
        agentIds: conflicts,
        message: `${ids} ${conflicts.length > 1 ? 'are' : 'is'} running but ${conflicts.length > 1 ? 'were' : 'was'} not started from an agents file; stop ${conflicts.length > 1 ? 'them' : 'it'} (corral stop ${conflicts.join(' ')}) or give the file's agent${conflicts.length > 1 ? 's' : ''} another name or a project`,
      },
    };
  }
  const changes = waves.flat().filter((step) => step.action !== 'leave').length;
  return { ok: true, value: { waves, changes } };
}

export interface DownStep {
  /** stop: its tree is stopped; skip: nothing to do (`reason` says why). */
  action: 'stop' | 'skip';
  reason: 'running' | 'not-running' | 'unknown' | 'not-from-file';
  agent: FileAgent;
}

export interface DownPlan {
  /** The apply waves reversed: dependants stop before what they depend on; a wave's agents stop together. */
  waves: DownStep[][];
  /** How many agents are stopped. */
  changes: number;
}

/** One step without its request (which holds secret values): what a report or `--json` may show. */
export interface StepSummary {
  agentId: string;
  name: string;
  action: ApplyStep['action'] | DownStep['action'];
  reason: ApplyReason | DownStep['reason'];
}

/** A plan as a report shows it: steps by wave, without the requests. */
export interface PlanSummary {
  waves: StepSummary[][];
  changes: number;
}

/** `plan` without its requests (secret values stay out of reports, progress and JSON output). */
export function summarisePlan(plan: ApplyPlan | DownPlan): PlanSummary {
  const waves = (plan.waves as (ApplyStep | DownStep)[][]).map((wave) => wave.map(({ agent, action, reason }) => ({ agentId: agent.agentId, name: agent.name, action, reason })));
  return { waves, changes: plan.changes };
}

/** The stops that take down what `file` started: the reverse of the apply order. */
export function planDown(file: AgentsFile, current: readonly CurrentAgent[]): DownPlan {
  const byId = new Map(current.map((agent) => [agent.agentId, agent]));
  const byName = new Map(file.agents.map((agent) => [agent.name, agent]));
  const stepOf = (agent: FileAgent): DownStep => {
    const running = byId.get(agent.agentId);
    if (running === undefined) return { action: 'skip', reason: 'unknown', agent };
    if (fingerprintIn(running.envKeys) === null) return { action: 'skip', reason: 'not-from-file', agent };
    const live = UP_STATES.has(running.state) || running.state === 'stopping';
    return live ? { action: 'stop', reason: 'running', agent } : { action: 'skip', reason: 'not-running', agent };
  };
  const waves = [...file.waves].reverse().map((names) => names.map((name) => stepOf(byName.get(name)!)));
  return { waves, changes: waves.flat().filter((step) => step.action === 'stop').length };
}
