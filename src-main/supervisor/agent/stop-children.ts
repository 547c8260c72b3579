/**
 * Sub-agents are stopped before their parent (the `stopChildrenFirst` policy,
 * on unless turned off): an orchestrator stopped first would leave its workers
 * running with no one to collect them, or, still running, start new ones.
 *
 * A sub-agent is an agent whose request names this one as `parentAgentId`.
 * The parent's live sub-agents are stopped in parallel, each by its own
 * runner's stop — its own stages, its own report, its own record, ended
 * "stopped by Corral" as a user's stop (never restarted) — and each of them
 * first stops its own sub-agents under its own policy, so grandchildren end
 * before children. A sub-agent that has already ended is passed through: its
 * live sub-agents are still the parent's descendants and are stopped.
 *
 * A stop of a sub-agent asked for at the same moment by someone else (Stop all
 * stops every agent at once) joins the one under way: one stop, not two. A
 * cycle of parents (A names B, B names A) is cut where it closes, so no stop
 * ever waits on itself.
 */
import { messageOf } from '../errors';
import { policiesOf } from '../policies/policies';
import type { KillOptions, StopReport } from '../types';
import type { AgentRunner } from './agent-runner';

/** Whether a stop of this agent has anything to do: a live tree, a restart to call off, a stop under way, or leftovers. */
export function needsStop(runner: AgentRunner): boolean {
  return runner.isLive || runner.record.state === 'backoff' || runner.isStopping || runner.record.knownMembers.length > 0;
}

/**
 * Stops the sub-agents of `parentId` when its policy says so, in parallel, and resolves to
 * their reports: one flat list, each grandchild before its parent. Never rejects: a sub-agent
 * whose stop failed is warned about and left out, and the parent's own stop goes on.
 */
export async function stopSubAgents(
  runners: ReadonlyMap<string, AgentRunner>,
  parentId: string,
  options: KillOptions,
  requestedAt: number,
  warn: (message: string) => void,
): Promise<StopReport[]> {
  const parent = runners.get(parentId);
  if (parent === undefined || !policiesOf(parent.record.request).stopChildrenFirst) return [];
  return descendantStops(runners, parentId, ancestorsOf(runners, parentId), options, requestedAt, warn);
}

function descendantStops(
  runners: ReadonlyMap<string, AgentRunner>,
  parentId: string,
  excluded: Set<string>,
  options: KillOptions,
  requestedAt: number,
  warn: (message: string) => void,
): Promise<StopReport[]> {
  const children = [...runners.values()].filter((runner) => runner.record.request.parentAgentId === parentId && !excluded.has(runner.agentId));
  const stops = children.map((child): Promise<StopReport[]> => {
    if (!needsStop(child)) {
      return descendantStops(runners, child.agentId, new Set([...excluded, child.agentId]), options, requestedAt, warn);
    }
    return child.stop(options, requestedAt).then(
      ({ children: theirs = [], ...own }) => [...theirs, own],
      (error: unknown) => {
        warn(`Could not stop "${child.agentId}", a sub-agent of "${parentId}", before it: ${messageOf(error)}`);
        return [];
      },
    );
  });
  return Promise.all(stops).then((lists) => lists.flat());
}

/** The agent and its ancestors by parentAgentId: none of them is stopped as its sub-agent (that would be a cycle). */
function ancestorsOf(runners: ReadonlyMap<string, AgentRunner>, agentId: string): Set<string> {
  const chain = new Set<string>();
  for (let id: string | undefined = agentId; id !== undefined && !chain.has(id); id = runners.get(id)?.record.request.parentAgentId) chain.add(id);
  return chain;
}
