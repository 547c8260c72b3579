/**
 * Carries out `apply` and `down` against a host (`ApplyTarget`). Apply runs
 * every agent's step as soon as its own dependencies' conditions hold (so a
 * wave is a lower bound, not a barrier); the first failure stops the apply:
 * what has not started yet is skipped, what runs is left running. Down stops
 * the waves in reverse, one wave at a time, and goes on past a failed stop
 * (it is cleanup), reporting it at the end.
 */
import { randomUUID } from 'node:crypto';
import { describeCondition, waitForCondition, type ConditionWait } from './conditions';
import type { AgentsFile } from './load';
import { planApply, planDown, summarisePlan, type ApplyReason, type ApplyStep, type PlanSummary } from './plan';
import type { ApplyTarget, CurrentAgent } from './target';

/** What happens, as it happens, for the CLI's human output. */
export type ApplyProgress =
  | { type: 'plan'; plan: PlanSummary }
  | { type: 'down-plan'; plan: PlanSummary }
  | { type: 'waiting'; agentId: string; dependency: string; condition: string }
  | { type: 'stopping'; agentId: string }
  | { type: 'stopped'; agentId: string }
  | { type: 'started'; agentId: string; action: 'start' | 'restart'; reason: ApplyReason }
  | { type: 'left'; agentId: string; reason: ApplyReason }
  /** Not started because the apply failed elsewhere first. */
  | { type: 'skipped'; agentId: string }
  | { type: 'failed'; agentId: string | null; message: string };

/** `host-error`: a call to the host threw (the connection broke, the host is shutting down…). */
export type ApplyErrorKind = 'id-conflict' | 'spawn-failed' | 'stop-failed' | 'dependency-failed' | 'host-error';

export interface ApplyError {
  kind: ApplyErrorKind;
  /** The agent whose step failed (for `id-conflict`, the first in conflict); null when the host could not list the agents. */
  agentId: string | null;
  message: string;
}

export interface ExecuteOptions {
  onProgress?: (event: ApplyProgress) => void;
  /** Longest wait for one dependency's condition (ms). Default 5 minutes. */
  timeoutMs?: number;
}

export interface ApplyReport {
  ok: boolean;
  /** What was planned (without the requests: they hold secret values). Null when no plan could be made (`error` says why). */
  plan: PlanSummary | null;
  started: string[];
  restarted: string[];
  left: string[];
  skipped: string[];
  error: ApplyError | null;
}

export interface DownReport {
  ok: boolean;
  /** Null when the host could not be asked (`errors` says why). */
  plan: PlanSummary | null;
  stopped: string[];
  /** Stops that failed (something survived), each with its message. */
  errors: ApplyError[];
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** One dependant's wait on one dependency, settled with null (met) or the reason it never will be. */
interface Edge {
  readonly promise: Promise<string | null>;
  settle(reason: string | null): void;
}

function edge(): Edge {
  let resolve!: (reason: string | null) => void;
  let settled = false;
  const promise = new Promise<string | null>((r) => (resolve = r));
  return {
    promise,
    settle: (reason) => {
      if (settled) return;
      settled = true;
      resolve(reason);
    },
  };
}

/** Applies `file`: starts what is new, restarts what changed, leaves the rest, in dependency order. */
export async function applyAgentsFile(file: AgentsFile, target: ApplyTarget, options: ExecuteOptions = {}): Promise<ApplyReport> {
  const emit = options.onProgress ?? (() => {});
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const report: ApplyReport = { ok: false, plan: null, started: [], restarted: [], left: [], skipped: [], error: null };
  const current = await listOrError(file, target);
  if (!Array.isArray(current)) {
    report.error = current;
    return report;
  }
  const planned = planApply(file, current);
  if (!planned.ok) {
    report.error = { kind: 'id-conflict', agentId: planned.error.agentIds[0]!, message: planned.error.message };
    return report;
  }
  const plan = planned.value;
  report.plan = summarisePlan(plan);
  emit({ type: 'plan', plan: report.plan });

  // edges.get(dependency).get(dependant): created up front so a dependant can wait before its dependency's step begins.
  const edges = new Map(file.agents.map((agent) => [agent.name, new Map<string, Edge>()]));
  for (const agent of file.agents) for (const dependency of agent.dependsOn) edges.get(dependency.name)!.set(agent.name, edge());
  const waits = new Set<ConditionWait>();
  const fail = (error: ApplyError) => {
    if (report.error !== null) return;
    report.error = error;
    emit({ type: 'failed', agentId: error.agentId, message: error.message });
    for (const wait of waits) wait.cancel('the apply stopped');
    // Dependants of a step that failed before arming their waits must not wait for ever.
    for (const outgoing of edges.values()) for (const into of outgoing.values()) into.settle('the apply stopped');
  };
  const watch = (wait: ConditionWait, into: Edge) => {
    waits.add(wait);
    void wait.result.then((reason) => {
      waits.delete(wait);
      into.settle(reason);
    });
  };

  const run = async (step: ApplyStep): Promise<void> => {
    const { agent } = step;
    if (step.action === 'leave') {
      report.left.push(agent.agentId);
      emit({ type: 'left', agentId: agent.agentId, reason: step.reason });
      await settleOutgoing(step, 'start');
      return;
    }
    const reasons = await Promise.all(
      agent.dependsOn.map((dependency) => {
        emit({ type: 'waiting', agentId: agent.agentId, dependency: dependency.agentId, condition: describeCondition(dependency.condition) });
        return edges.get(dependency.name)!.get(agent.name)!.promise;
      }),
    );
    const unmet = reasons.findIndex((reason) => reason !== null);
    if (unmet >= 0 && report.error === null) {
      const dependency = agent.dependsOn[unmet]!;
      fail({ kind: 'dependency-failed', agentId: agent.agentId, message: `${agent.agentId} was not started: its dependency ${dependency.agentId} (${describeCondition(dependency.condition)}) failed: ${reasons[unmet]}` });
    }
    if (report.error !== null) return skip(step);
    if (step.action === 'restart') {
      emit({ type: 'stopping', agentId: agent.agentId });
      const stopped = await target.stop(agent.agentId);
      if (!stopped.ok) return fail({ kind: 'stop-failed', agentId: agent.agentId, message: `could not stop ${agent.agentId} to restart it: ${stopped.message}` });
    }
    // Log conditions follow the output from before the spawn, so the first lines of the new run are seen.
    const logWaits = await settleOutgoing(step, 'log');
    const spawned = await target.spawn({ ...agent.request, requestId: randomUUID() });
    if (!spawned.ok) {
      for (const wait of logWaits) wait.cancel(`${agent.agentId} did not start`);
      return fail({ kind: 'spawn-failed', agentId: agent.agentId, message: `${agent.agentId} did not start: ${spawned.message}` });
    }
    for (const wait of logWaits) wait.watchEnd();
    (step.action === 'restart' ? report.restarted : report.started).push(agent.agentId);
    emit({ type: 'started', agentId: agent.agentId, action: step.action, reason: step.reason });
    await settleOutgoing(step, 'start');
  };

  /**
   * Arms the waits of this agent's dependants. Phase `log`, before a spawn: the `log` conditions, following only
   * the new run's output. Phase `start`, after the spawn (or at once for an agent left as it is): `started` holds,
   * `completed` is watched, and for an agent left running its `log` conditions read its logs from the start.
   */
  const settleOutgoing = async (step: ApplyStep, phase: 'log' | 'start'): Promise<ConditionWait[]> => {
    const armed: ConditionWait[] = [];
    if (report.error !== null) return armed; // every dependant has been released already
    for (const [dependantName, into] of edges.get(step.agent.name)!) {
      const { condition } = file.agents.find((agent) => agent.name === dependantName)!.dependsOn.find((dependency) => dependency.name === step.agent.name)!;
      const isLog = typeof condition === 'object';
      if (condition === 'started') {
        if (phase === 'start') into.settle(null);
        continue;
      }
      if (phase === 'log' ? !isLog : isLog && step.action !== 'leave') continue;
      const wait = await waitForCondition(target, step.agent.agentId, condition, phase === 'log' ? 'end' : 'start', timeoutMs);
      armed.push(wait);
      watch(wait, into);
    }
    return armed;
  };

  const skip = (step: ApplyStep) => {
    report.skipped.push(step.agent.agentId);
    emit({ type: 'skipped', agentId: step.agent.agentId });
    for (const into of edges.get(step.agent.name)!.values()) into.settle('skipped');
  };

  await Promise.all(
    plan.waves.flat().map((step) =>
      run(step).catch((error: unknown) => fail({ kind: 'host-error', agentId: step.agent.agentId, message: `${step.agent.agentId}: ${error instanceof Error ? error.message : String(error)}` })),
    ),
  );
  // A step that was mid-way when another failed may have armed waits nobody will read: end them (and their timers).
  for (const wait of waits) wait.cancel('the apply is over');
  report.ok = report.error === null;
  return report;
}

/** The host's view of the file's agents, or why it could not be read. */
async function listOrError(file: AgentsFile, target: ApplyTarget): Promise<CurrentAgent[] | ApplyError> {
  try {
    return await target.list(file.agents.map((agent) => agent.agentId));
  } catch (error) {
    return { kind: 'host-error', agentId: null, message: `could not list the agents: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Stops what `file` started, dependants first. */
export async function downAgentsFile(file: AgentsFile, target: ApplyTarget, options: ExecuteOptions = {}): Promise<DownReport> {
  const emit = options.onProgress ?? (() => {});
  const current = await listOrError(file, target);
  if (!Array.isArray(current)) return { ok: false, plan: null, stopped: [], errors: [current] };
  const plan = planDown(file, current);
  const report: DownReport = { ok: false, plan: summarisePlan(plan), stopped: [], errors: [] };
  emit({ type: 'down-plan', plan: report.plan! });
  for (const wave of plan.waves) {
    await Promise.all(
      wave
        .filter((step) => step.action === 'stop')
        .map(async ({ agent }) => {
          emit({ type: 'stopping', agentId: agent.agentId });
          const outcome = await target.stop(agent.agentId).catch((error: unknown) => ({ ok: false as const, message: error instanceof Error ? error.message : String(error) }));
          if (outcome.ok) {
            report.stopped.push(agent.agentId);
            emit({ type: 'stopped', agentId: agent.agentId });
          } else {
            report.errors.push({ kind: 'stop-failed', agentId: agent.agentId, message: `could not stop ${agent.agentId}: ${outcome.message}` });
            emit({ type: 'failed', agentId: agent.agentId, message: outcome.message });
          }
        }),
    );
  }
  report.ok = report.errors.length === 0;
  return report;
}
