/**
 * What the commands need of agents: fetch one (not found is exit code 4),
 * the stable row `ls --json` prints, and how an ended agent's end becomes an
 * exit code.
 */
import { constants } from 'node:os';
import type { AgentView, CallError, Result } from '../../src-preload/contract';
import type { CorralClient } from '../client/index';
import { isLive } from '../client/zod-free';
import { CliError, EXIT } from './exit-codes';

/** The value of a call, or the CliError its failure means (not-found: 4, else 1). */
export function valueOf<T>(result: Result<T>, what: string): T {
  if (result.ok) return result.value;
  throw callFailure(result.error, what);
}

export function callFailure(error: CallError, what: string): CliError {
  if (error.code === 'not-found') return new CliError(EXIT.notFound, `${error.message} List the agents with \`corral ls --all\`.`);
  if (error.code === 'invalid-argument') return new CliError(EXIT.usage, `Could not ${what}: ${error.message}`);
  return new CliError(EXIT.failed, `Could not ${what}: ${error.message}`);
}

export async function getAgent(client: CorralClient, agentId: string): Promise<AgentView> {
  return valueOf(await client.call('getAgent', { agentId }), `read agent ${agentId}`);
}

/** Ended for good: not live and not waiting to restart. */
export function hasEnded(view: AgentView): boolean {
  return !isLive(view.state) && view.state !== 'backoff';
}

/** An ended agent's exit code, as a shell reports it: its own, 128 + signal number, else 0 for completed and 1 for any other end. */
export function exitCodeOf(view: AgentView): number {
  if (view.exitCode !== null) return view.exitCode;
  const signal = view.signal === null ? undefined : (constants.signals as Record<string, number | undefined>)[view.signal];
  if (signal !== undefined) return 128 + signal;
  return view.state === 'completed' ? 0 : 1;
}

/** One agent as `corral ls --json` prints it: a stable, documented shape (README, "Command line"). */
export interface AgentRow {
  id: string;
  name: string;
  type: string;
  parent: string | null;
  state: AgentView['state'];
  health: AgentView['health'];
  pid: number | null;
  exitCode: number | null;
  signal: string | null;
  /** Whole tree, 100 = one core; null when not sampled. */
  cpuPercent: number | null;
  memoryMb: number | null;
  /** Root plus descendants (0 when not running). */
  processes: number;
  startedAt: string | null;
  endedAt: string | null;
  runtimeSeconds: number;
  restarts: number;
  error: string | null;
}

export function toRow(view: AgentView): AgentRow {
  return {
    id: view.agentId,
    name: view.agentName,
    type: view.agentType,
    parent: view.parentAgentId,
    state: view.state,
    health: view.health,
    pid: view.pid,
    exitCode: view.exitCode,
    signal: view.signal,
    cpuPercent: view.treeCpuPercent,
    memoryMb: view.treeMemoryMb,
    processes: isLive(view.state) && view.pid !== null ? view.descendantCount + 1 : 0,
    startedAt: view.startedAt,
    endedAt: view.endedAt,
    runtimeSeconds: view.runtimeSeconds,
    restarts: view.restarts,
    error: view.error,
  };
}
