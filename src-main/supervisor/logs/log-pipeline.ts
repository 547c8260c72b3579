/**
 * An agent's log bytes on their way out of the engine: the tail reads the
 * files (and rotates them), the masker hides secret values, `log` listeners
 * get the chunks; `readSlice` serves a masked slice of the files for paging.
 * The engine builds one and owns it.
 */
import { CorralError, messageOf } from '../errors';
import type { DeploymentRequest, LogEvent, LogSlice } from '../types';
import { rotationPolicy, type AgentLogs } from './log-rotation';
import { indexPathOf, readSeenMarks } from './log-index';
import { readLogSlice } from './log-slice';
import { LogTail, type LogChange } from './log-tail';
import { LogMasker, maskSlice } from './secret-mask';

/** What the pipeline needs to know of an agent: its id and where its bytes live. */
export interface LoggedAgent {
  request: Pick<DeploymentRequest, 'agentId'>;
  paths: Record<LogEvent['stream'], string>;
  logs: AgentLogs;
}

export interface LogPipelineOptions {
  pollMs?: number;
  maxBytes?: number;
  maxFiles?: number;
  agent: (agentId: string) => LoggedAgent | undefined;
  /** The agent's secret values as bytes, to mask (agent/secrets.ts). */
  secretsOf: (agentId: string) => readonly Buffer[];
  /** Whether anybody listens; when nobody does, files are not read. */
  isWanted: () => boolean;
  emit: (event: LogEvent) => void;
  onActivity: (agentId: string) => void;
  /** Records a rotation, a cut or a read problem on an agent `agent()` knows. */
  noteChange: (agentId: string, change: LogChange) => void;
  warn: (message: string) => void;
}

export function createLogPipeline(options: LogPipelineOptions): { tail: LogTail; masker: LogMasker } {
  const masker = new LogMasker(options.secretsOf, options.emit);
  const tail = new LogTail({
    intervalMs: options.pollMs,
    isWanted: options.isWanted,
    onChunk: (event) => masker.push(event),
    onActivity: options.onActivity,
    logOf: (agentId, stream) => options.agent(agentId)?.logs[stream] ?? null,
    rotation: rotationPolicy(options.maxBytes, options.maxFiles),
    onChange: (agentId, change) => {
      if (options.agent(agentId)) options.noteChange(agentId, change);
      else if (change.note && !change.warning) options.warn(`${agentId}: ${change.note}`);
      if (change.warning) options.warn(change.warning);
    },
  });
  return { tail, masker };
}

/** Up to `maxBytes` of one stream ending at `before` (default: the end), across rotations, `secrets` masked. */
export function readSlice(agent: LoggedAgent, stream: LogSlice['stream'], options: { before?: number; maxBytes: number }, secrets: readonly Buffer[]): LogSlice {
  const agentId = agent.request.agentId;
  if (stream !== 'stdout' && stream !== 'stderr') throw new CorralError('invalid-argument', `Unknown log stream "${String(stream)}"; use stdout or stderr.`);
  try {
    const read = (before: number | undefined, maxBytes: number) => readLogSlice(agent.paths[stream], agent.logs[stream], before, maxBytes);
    const slice = maskSlice(read, options.before, options.maxBytes, secrets);
    const seen = slice.data.length === 0 ? [] : readSeenMarks(indexPathOf(agent.paths[stream]), slice.offset, slice.offset + slice.data.length);
    return { agentId, stream, ...slice, seen };
  } catch (error) {
    throw new CorralError('io-error', `Could not read the ${stream} log of "${agentId}": ${messageOf(error)}`);
  }
}
