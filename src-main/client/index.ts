/**
 * `corral/client`: drive a Corral host from a program. Connects to the local
 * socket of a data folder's owning host and speaks the contract — every call
 * of `src-preload/contract` with its typed input (checked with the call's zod
 * schema before it is sent) and typed result, and every event.
 *
 *   const corral = await connect({ dataDir });
 *   const started = await corral.call('spawnAgent', { requestId, agentId, agentName, agentType, command });
 *   const stop = corral.subscribe('status', (status) => …);
 *   await corral.close();
 *
 * Calls never throw: a failure is a `{ ok: false, error: { code, message } }`
 * result, as on every transport. Only `connect` throws, a `ClientError` whose
 * `kind` says why (no host, a dead owner, …). No reconnection: a lost
 * connection ends pending calls with a `closed` result and resolves `closed`.
 */
import { existsSync } from 'node:fs';
import type { z } from 'zod';
import type {
  CallArgs,
  CallName,
  CallOutput,
  EventName,
  EventPayloads,
  Result,
  WireMessage,
} from '../../src-preload/contract';
import { resolveDataDir } from '../local/data-dir';
import { socketAddressFor } from '../local/socket-path';
import { ClientError } from './errors';
import { isProcessAlive, readLockHolder } from './lock-holder';
import { HandshakeRefused, openWireSocket, type WireSocket } from './wire-socket';
import { WIRE_PATH } from './zod-free';

export { ClientError, type ClientErrorKind } from './errors';
export { isProcessAlive, LOCK_FILE_NAME, readLockHolder, type LockHolderInfo } from './lock-holder';
export { defaultDataDir, resolveDataDir } from '../local/data-dir';
export { socketAddressFor } from '../local/socket-path';

export interface ConnectOptions {
  /** The data folder (default: `CORRAL_DATA_DIR`, else the per-user default). */
  dataDir?: string;
  /** A host that accepts the connection but never completes the handshake fails after this long. Default 5 s. */
  timeoutMs?: number;
  /**
   * Check each call's input with the contract's schema before sending it (default true). The host
   * checks again and answers the same `invalid-argument`, so a short-lived caller (the corral command)
   * turns this off to skip loading zod and the schemas.
   */
  validate?: boolean;
}

export interface CorralClient {
  /** The data folder and socket this client is connected to. */
  readonly dataDir: string;
  readonly socketPath: string;
  /** Runs one contract call; resolves with its result (never rejects). */
  call<K extends CallName>(name: K, ...args: CallArgs<K>): Promise<Result<CallOutput<K>>>;
  /** Calls `listener` for every `event`; returns the function that stops it. */
  subscribe<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
  /** Resolves when the connection ends, for whatever reason. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

const CLOSED: Result<never> = { ok: false, error: { code: 'closed', message: 'The connection to the Corral host closed before it answered; check that the host is still running (corral ls).' } };

/** Connects to the host owning `dataDir`; throws a `ClientError` when there is none to reach. */
export async function connect(options: ConnectOptions = {}): Promise<CorralClient> {
  const dataDir = resolveDataDir(options.dataDir);
  const address = socketAddressFor(dataDir);
  if (!address.ok) throw new ClientError('socket-path-too-long', address.message);
  const socketPath = address.path;
  let ws: WireSocket;
  try {
    ws = await openWireSocket(socketPath, WIRE_PATH, options.timeoutMs ?? 5000);
  } catch (error) {
    if (error instanceof HandshakeRefused) {
      throw new ClientError('connect-failed', `The Corral host on ${dataDir} refused the connection (HTTP ${error.statusCode}); it may be shutting down — try again.`);
    }
    throw connectError(error as NodeJS.ErrnoException, dataDir, socketPath);
  }
  return wrap(ws, dataDir, socketPath, options.validate !== false);
}

/** Turns a failed connect into what the user should know and do. */
function connectError(error: NodeJS.ErrnoException, dataDir: string, socketPath: string): ClientError {
  const holder = readLockHolder(dataDir);
  switch (error.code) {
    case 'ENOENT':
      if (holder !== null && isProcessAlive(holder.pid)) {
        return new ClientError(
          'no-host',
          `The data folder ${dataDir} is held by a Corral ${holder.kind} (pid ${holder.pid}) that serves no local socket (an older version?); restart it, or stop it and run \`corral serve\`.`,
        );
      }
      return new ClientError('no-host', `No Corral host is running on ${dataDir}; start one with \`corral serve\` (or let \`corral run\` start it).`);
    case 'ECONNREFUSED': {
      const who = holder !== null && !isProcessAlive(holder.pid) ? ` (its host, pid ${holder.pid}, is gone)` : '';
      return new ClientError(
        'dead-owner',
        `The Corral host that owned ${dataDir} is not listening on ${socketPath}${who}. Start a new host with \`corral serve\` (or \`corral run\`); it removes the stale socket.`,
      );
    }
    case 'EACCES':
    case 'EPERM':
      return new ClientError('permission-denied', `Permission denied on ${socketPath}: the data folder belongs to another user. Use your own data folder (--data-dir / CORRAL_DATA_DIR).`);
    default:
      if (!existsSync(socketPath)) return new ClientError('no-host', `No Corral host is running on ${dataDir}; start one with \`corral serve\`.`);
      return new ClientError('connect-failed', `Could not connect to the Corral host on ${socketPath}: ${error.message}. Check it with \`corral ls\`, or restart it.`);
  }
}

function wrap(ws: WireSocket, dataDir: string, socketPath: string, validate: boolean): CorralClient {
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  let nextId = 0;
  const closed = new Promise<void>((resolve) => {
    ws.onClose = () => {
      const waiting = [...pending.values()];
      pending.clear();
      for (const settle of waiting) settle(CLOSED);
      resolve();
    };
  });

  ws.onMessage = (text) => {
    let message: WireMessage;
    try {
      message = JSON.parse(text) as WireMessage;
    } catch {
      return;
    }
    if (message.type === 'result') {
      const settle = pending.get(message.id);
      pending.delete(message.id);
      settle?.(message.result);
    } else if (message.type === 'event') {
      for (const listener of listeners.get(message.event) ?? []) (listener as (payload: unknown) => void)(message.payload);
    }
  };

  return {
    dataDir,
    socketPath,
    async call<K extends CallName>(name: K, ...args: CallArgs<K>): Promise<Result<CallOutput<K>>> {
      const input: unknown = args[0];
      if (validate) {
        // The host checks again; checking here gives the caller the same message without a round trip.
        const [{ calls }, { z: zod }] = await Promise.all([import('../../src-preload/contract/calls'), import('zod')]);
        const parsed = (calls[name].input as z.ZodType).safeParse(input);
        if (!parsed.success) return { ok: false, error: { code: 'invalid-argument', message: zod.prettifyError(parsed.error) } };
      }
      if (!ws.isOpen) return CLOSED;
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve as (result: Result<unknown>) => void);
        ws.send(JSON.stringify({ id, call: name, input }));
      });
    },
    subscribe(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: never) => void);
      return () => void set.delete(listener as (payload: never) => void);
    },
    closed,
    async close() {
      ws.close();
      const cut = setTimeout(() => ws.terminate(), 1000);
      await closed;
      clearTimeout(cut);
    },
  };
}
