/**
 * Binds the contract's calls to `ipcMain`. Every handler, in order: checks
 * the sender, parses the input with the call's schema, calls the engine, and
 * answers with a result value (Electron's own error serialisation is lossy, so
 * nothing is ever thrown across the bridge).
 */
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { z } from 'zod';
import {
  calls,
  type AgentStatusView,
  type CallError,
  type CallInput,
  type CallName,
  type CallOutput,
  type ErrorCode,
  type ProcessSummaryView,
  type Result,
} from '../../src-preload/contract';
import { CorralError, type AgentStatus, type ProcessSummary } from '../supervisor/index';

/** The part of the engine the contract serves. */
export interface ContractEngine {
  monitorAllAgents(): Promise<Record<string, AgentStatus>>;
  getProcessSummary(): Promise<ProcessSummary>;
}

export interface BindContractOptions {
  engine: ContractEngine;
  /** Decides whether a request may be served; see `isFromMainFrameOf`. */
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
}

/** One function per call, taking parsed input and returning the ok value. */
type Handlers = { [K in CallName]: (input: CallInput<K>) => Promise<CallOutput<K>> };

/**
 * Registers a handler for every call of the contract.
 * Returns a function that removes them all.
 */
export function bindContract({ engine, isTrustedSender }: BindContractOptions): () => void {
  const handlers = handlersFor(engine);
  const names = Object.keys(calls) as CallName[];
  for (const name of names) {
    const { channel, input } = calls[name];
    // The cast is sound: the input was parsed by this very call's schema.
    const handle = handlers[name] as (input: unknown) => Promise<unknown>;
    ipcMain.handle(channel, async (event, ...args: unknown[]): Promise<Result<unknown>> => {
      if (!isTrustedSender(event)) {
        return failure('forbidden', 'This request did not come from the Corral window.');
      }
      // The bridge sends at most one argument; anything more was not sent by it.
      const parsed = args.length <= 1 ? input.safeParse(args[0]) : null;
      if (parsed === null || !parsed.success) {
        const detail = parsed === null ? `expected at most one argument, got ${args.length}` : z.prettifyError(parsed.error);
        return failure('invalid-argument', `Invalid input for ${name}: ${detail}`);
      }
      try {
        return { ok: true, value: await handle(parsed.data) };
      } catch (error) {
        return { ok: false, error: toCallError(name, error) };
      }
    });
  }
  return () => {
    for (const name of names) {
      ipcMain.removeHandler(calls[name].channel);
    }
  };
}

function handlersFor(engine: ContractEngine): Handlers {
  return {
    monitorAllAgents: async () => {
      const statuses = await engine.monitorAllAgents();
      return Object.fromEntries(Object.entries(statuses).map(([id, status]) => [id, toAgentStatusView(status)]));
    },
    getProcessSummary: async () => toProcessSummaryView(await engine.getProcessSummary()),
  };
}

/** Picks the fields the UI may see; the rest (paths, argv…) stays in main. */
function toAgentStatusView(status: AgentStatus): AgentStatusView {
  return {
    agentId: status.agentId,
    state: status.state,
    health: status.health,
    pid: status.pid,
    cpuPercent: status.cpuPercent,
    memoryMb: status.memoryMb,
    runtimeSeconds: status.runtimeSeconds,
  };
}

function toProcessSummaryView(summary: ProcessSummary): ProcessSummaryView {
  return {
    totalAgents: summary.totalAgents,
    byState: summary.byState,
    running: summary.running,
    zombie: summary.zombie,
    completed: summary.completed,
    failed: summary.failed,
    totalMemoryMb: summary.totalMemoryMb,
    totalCpuPercent: summary.totalCpuPercent,
  };
}

function failure(code: ErrorCode, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

function toCallError(name: CallName, error: unknown): CallError {
  if (error instanceof CorralError) {
    // Every engine error kind is a contract code: the compiler checks this line.
    const code: ErrorCode = error.kind;
    return { code, message: error.message };
  }
  console.error(`[corral] ${name} failed:`, error);
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}
