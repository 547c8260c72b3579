/**
 * `ApplyTarget` over the contract: what `corral apply` / `down` use, with the
 * typed client (`corral/client`'s `CorralClient` is a `ContractConnection`).
 * Only contract calls and events, so it works over any transport.
 */
import {
  LOG_READ_MAX_BYTES,
  type CallArgs,
  type CallName,
  type CallOutput,
  type EventName,
  type EventPayloads,
  type LogStream,
  type Result,
} from '../../../src-preload/contract';
import type { AgentSnapshot, ApplyTarget, CurrentAgent } from './target';

/** What the target needs of a connection to a host. */
export interface ContractConnection {
  call<K extends CallName>(name: K, ...args: CallArgs<K>): Promise<Result<CallOutput<K>>>;
  subscribe<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

const STREAMS: readonly LogStream[] = ['stdout', 'stderr'];

/** A failed call as an exception: the executor reports it as a `host-error` naming the agent. */
function valueOf<T>(result: Result<T>, what: string): T {
  if (!result.ok) throw new Error(`could not ${what}: ${result.error.message}`);
  return result.value;
}

export function contractTarget(connection: ContractConnection): ApplyTarget {
  // `followLogs` replaces this connection's whole choice: keep every agent any wait follows, counted.
  const followed = new Map<string, number>();
  const refollow = () => connection.call('followLogs', { agentIds: [...followed.keys()] });

  /** The log's size now; 0 for an agent the host does not know yet (its spawn is about to come). */
  const sizeOf = async (agentId: string, stream: LogStream) => {
    const result = await connection.call('readLog', { agentId, stream, maxBytes: 1 });
    if (!result.ok && result.error.code === 'not-found') return 0;
    return valueOf(result, `read the ${stream} log of ${agentId}`).size;
  };
  /** Bytes [from, to) of a log, read forwards in slices. */
  const readRange = async (agentId: string, stream: LogStream, from: number, to: number, onBytes: (offset: number, data: Buffer) => void) => {
    for (let at = from; at < to; ) {
      const before = Math.min(to, at + LOG_READ_MAX_BYTES);
      const slice = valueOf(await connection.call('readLog', { agentId, stream, before, maxBytes: before - at }), `read the ${stream} log of ${agentId}`);
      const data = Buffer.from(slice.data, 'base64');
      const end = slice.offset + data.length;
      if (data.length === 0 || end <= at) break; // the file is shorter than asked (rotated meanwhile): what was there is read
      onBytes(slice.offset, data);
      at = end;
    }
  };

  return {
    async list(agentIds) {
      const all = valueOf(await connection.call('monitorAllAgents'), 'list the agents');
      const found: CurrentAgent[] = [];
      for (const agentId of agentIds) {
        const view = all[agentId];
        if (view === undefined) continue;
        const request = await connection.call('getAgentRequest', { agentId });
        if (!request.ok && request.error.code === 'not-found') continue; // removed meanwhile
        const { envKeys } = valueOf(request, `read the request of ${agentId}`);
        found.push({ agentId, state: view.state, exitCode: view.exitCode, envKeys });
      }
      return found;
    },

    async spawn(request) {
      const result = await connection.call('spawnAgent', request);
      if (!result.ok) return { ok: false, message: result.error.message };
      if (result.value.status === 'failed') return { ok: false, message: result.value.error ?? 'it could not start' };
      return { ok: true };
    },

    async stop(agentId) {
      const result = await connection.call('stopAgent', { agentId });
      if (!result.ok) return { ok: false, message: result.error.message };
      const { survivors } = result.value;
      if (result.value.outcome !== 'unkillable') return { ok: true };
      return { ok: false, message: `${survivors.length} process${survivors.length === 1 ? '' : 'es'} survived SIGKILL (${survivors.map((one) => `${one.name} ${one.pid}`).join(', ')})` };
    },

    watch(agentId, listener) {
      let open = true;
      const tell = (snapshot: AgentSnapshot) => open && listener(snapshot);
      const unsubscribe = connection.subscribe('status', (event) => {
        const view = event.agents[agentId];
        if (view !== undefined) tell({ agentId, state: view.state, exitCode: view.exitCode });
      });
      void connection.call('getAgent', { agentId }).then((result) => {
        if (result.ok) tell({ agentId, state: result.value.state, exitCode: result.value.exitCode });
      });
      return () => {
        open = false;
        unsubscribe();
      };
    },

    async followLog(agentId, from, onText) {
      const decoders = new Map(STREAMS.map((stream) => [stream, new TextDecoder()]));
      const next = new Map<LogStream, number>();
      let queue = Promise.resolve();
      let open = true;
      /** Writes the part of [offset, offset + data) not yet delivered, reading any gap before it from the file first (the feed drops bytes past its bound). */
      const deliver = async (stream: LogStream, offset: number, data: Buffer) => {
        const start = next.get(stream) ?? 0;
        if (offset > start) await readRange(agentId, stream, start, offset, (at, bytes) => void deliver(stream, at, bytes));
        const from = next.get(stream) ?? 0;
        const end = offset + data.length;
        if (end <= from || !open) return;
        next.set(stream, end);
        onText(stream, decoders.get(stream)!.decode(data.subarray(Math.max(0, from - offset)), { stream: true }));
      };
      const enqueue = (work: () => Promise<void>) => {
        queue = queue.then(work).catch(() => {}); // a failed read leaves that gap; the wait's deadline still holds
      };
      const events: { stream: LogStream; offset: number; data: Buffer }[] = [];
      let ready = false;
      const unsubscribe = connection.subscribe('log', (event) => {
        if (event.agentId !== agentId) return;
        const item = { stream: event.stream, offset: event.offset, data: Buffer.from(event.data, 'base64') };
        if (ready) enqueue(() => deliver(item.stream, item.offset, item.data));
        else events.push(item);
      });
      followed.set(agentId, (followed.get(agentId) ?? 0) + 1);
      valueOf(await refollow(), `follow the logs of ${agentId}`);
      for (const stream of STREAMS) {
        const size = await sizeOf(agentId, stream);
        if (from === 'start') await readRange(agentId, stream, 0, size, (at, bytes) => void deliver(stream, at, bytes));
        next.set(stream, Math.max(next.get(stream) ?? 0, size));
      }
      ready = true;
      for (const item of events.splice(0)) enqueue(() => deliver(item.stream, item.offset, item.data));
      return () => {
        open = false;
        unsubscribe();
        const count = (followed.get(agentId) ?? 1) - 1;
        if (count > 0) followed.set(agentId, count);
        else followed.delete(agentId);
        void refollow();
      };
    },
  };
}
