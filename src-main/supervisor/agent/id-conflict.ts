/**
 * Whether a new run of an agent id may start, given the agents on record: not
 * while the same id is live or stopping, and never for an id that differs
 * from a known one only in case — on macOS and Windows both would write into
 * one folder (`agents/<id>`), each the other's logs and status file.
 */
import type { AgentRunner } from './agent-runner';

/** Why a spawn of `agentId` is refused (a message naming the agent in the way), or null. */
export function idConflict(runners: ReadonlyMap<string, AgentRunner>, agentId: string): string | null {
  const existing = runners.get(agentId);
  if (existing && (existing.isLive || existing.isStopping)) {
    const pid = existing.record.pid === null ? '' : ` (pid ${existing.record.pid})`;
    return `Agent "${agentId}" is already ${existing.record.state}${pid}. Stop it first or choose another id.`;
  }
  if (existing) return null;
  const lower = agentId.toLowerCase();
  for (const known of runners.keys()) {
    if (known.toLowerCase() === lower) {
      return `Agent id "${agentId}" differs from the existing agent "${known}" only in case, and both would share one folder. Use "${known}" or choose another id.`;
    }
  }
  return null;
}
