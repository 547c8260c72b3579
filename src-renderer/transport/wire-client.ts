/**
 * The contract over the web host's WebSocket: every call of `CorralApi`,
 * built from `CALL_NAMES` (no per-call code, so a new call works here the
 * moment it is in the contract), plus `subscribe` with local fan-out.
 *
 * Plain TypeScript with no DOM or Node types: the socket comes in through
 * `openSocket`, so the same code runs in the page (browser WebSocket) and in
 * the tests (the `ws` package against a real host).
 *
 * Connection policy: the first connection must open, or `ready` rejects (a
 * stale or wrong token never works, so retrying would only hide the problem).
 * After that, a lost connection ends every pending call with a `closed`
 * result, reconnects with backoff (250 ms doubling to 5 s), and re-sends the
 * last `followLogs` choice so log events resume. Status events are full
 * snapshots and log events carry offsets, so nothing else needs replaying.
 */
import {
  CALL_NAMES,
  WIRE_MAX_PAYLOAD_BYTES,
  type CallName,
  type CorralApi,
  type EventName,
  type EventPayloads,
  type Result,
  type WireMessage,
} from '../../src-preload/contract';

export type ConnectionState = 'connecting' | 'open' | 'closed';

/** What the wire client needs of a socket. */
export interface WireSocket {
  send(text: string): void;
  close(): void;
}

/** Callbacks the socket factory wires to its socket's events. */
export interface WireSocketHandlers {
  onOpen(): void;
  /** Text frames only; the host sends nothing else. */
  onMessage(text: string): void;
  /** Called once when the socket closes or fails to open. */
  onClose(): void;
}

export interface WireClientOptions {
  /** The full WebSocket URL, token included. */
  url: string;
  openSocket: (url: string, handlers: WireSocketHandlers) => WireSocket;
  onStateChange?: (state: ConnectionState) => void;
  /** First reconnect delay; doubles up to `maxRetryMs`. */
  minRetryMs?: number;
  maxRetryMs?: number;
}

export interface WireClient {
  readonly api: CorralApi;
  /** Resolves when the first connection opens; rejects if it never does. */
  readonly ready: Promise<void>;
  readonly state: () => ConnectionState;
  /** Stops reconnecting and closes the socket; pending calls end with `closed`. */
  close(): void;
}

const LOST: Result<never> = { ok: false, error: { code: 'closed', message: 'Lost the connection to the Corral host; reconnecting…' } };
const STOPPED: Result<never> = { ok: false, error: { code: 'closed', message: 'The connection to the Corral host was closed.' } };

export const FIRST_CONNECT_FAILED =
  'Could not connect to the Corral host. If it was restarted, open the URL `npm run serve` printed (the token changes only with --new-token); otherwise check that it is still running.';

type Listener = (payload: never) => void;

export function createWireClient(options: WireClientOptions): WireClient {
  const { url, openSocket, onStateChange, minRetryMs = 250, maxRetryMs = 5000 } = options;
  const encoder = new TextEncoder();
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const listeners = new Map<EventName, Set<Listener>>();
  let nextId = 0;
  let state: ConnectionState = 'connecting';
  let socket: WireSocket | null = null;
  let isSocketOpen = false;
  let hasEverOpened = false;
  let isStopped = false;
  let retryMs = minRetryMs;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** The last `followLogs` input: the host forgets it with the connection, we do not. */
  let lastFollow: { input: unknown } | null = null;

  let resolveReady!: () => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  // Whoever cares awaits `ready`; a close before the first open must not be an unhandled rejection.
  ready.catch(() => undefined);

  function setState(next: ConnectionState): void {
    if (state === next) return;
    state = next;
    onStateChange?.(next);
  }

  function endPending(result: Result<never>): void {
    const resolvers = [...pending.values()];
    pending.clear();
    for (const resolve of resolvers) resolve(result);
  }

  function sendRequest(call: CallName, input: unknown): Promise<Result<unknown>> {
    if (socket === null || !isSocketOpen) return Promise.resolve(isStopped ? STOPPED : LOST);
    const id = nextId++;
    const text = JSON.stringify({ id, call, input });
    // The host closes the whole connection (1009) on an oversized frame, failing every other call with it.
    if (text.length * 3 > WIRE_MAX_PAYLOAD_BYTES && encoder.encode(text).byteLength > WIRE_MAX_PAYLOAD_BYTES) {
      const limitMiB = WIRE_MAX_PAYLOAD_BYTES / (1024 * 1024);
      return Promise.resolve({ ok: false, error: { code: 'invalid-argument', message: `This request is too large to send (the limit is ${limitMiB} MiB); shorten the prompt or stdin.` } });
    }
    return new Promise((resolve) => {
      pending.set(id, resolve);
      socket?.send(text);
    });
  }

  function deliver(message: WireMessage): void {
    if (message.type === 'result') {
      const resolve = pending.get(message.id);
      pending.delete(message.id);
      resolve?.(message.result);
      return;
    }
    for (const listener of listeners.get(message.event) ?? []) {
      try {
        (listener as (payload: unknown) => void)(message.payload);
      } catch (error) {
        // One broken listener must not starve the others.
        console.error(`A Corral ${message.event} listener failed:`, error);
      }
    }
  }

  function onMessage(text: string): void {
    let message: WireMessage;
    try {
      message = JSON.parse(text) as WireMessage;
    } catch {
      console.error('The Corral host sent a frame that is not JSON; ignoring it.');
      return;
    }
    if (message?.type === 'result' || message?.type === 'event') deliver(message);
  }

  function connect(): void {
    retryTimer = null;
    setState('connecting');
    let isThisSocketClosed = false;
    const handlers: WireSocketHandlers = {
      onOpen() {
        if (isThisSocketClosed) return;
        isSocketOpen = true;
        retryMs = minRetryMs;
        setState('open');
        if (!hasEverOpened) {
          hasEverOpened = true;
          resolveReady();
        } else if (lastFollow !== null) {
          void sendRequest('followLogs', lastFollow.input);
        }
      },
      onMessage(text) {
        if (!isThisSocketClosed) onMessage(text);
      },
      onClose() {
        if (isThisSocketClosed) return;
        isThisSocketClosed = true;
        socket = null;
        isSocketOpen = false;
        endPending(isStopped ? STOPPED : LOST);
        setState('closed');
        if (isStopped) return;
        if (!hasEverOpened) {
          isStopped = true;
          rejectReady(new Error(FIRST_CONNECT_FAILED));
          return;
        }
        retryTimer = setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, maxRetryMs);
      },
    };
    try {
      socket = openSocket(url, handlers);
    } catch {
      // E.g. a malformed URL: the same as a connection that failed to open.
      handlers.onClose();
    }
  }

  const calls = Object.fromEntries(
    CALL_NAMES.map((name) => [
      name,
      (input?: unknown) => {
        if (name === 'followLogs') lastFollow = { input };
        return sendRequest(name, input);
      },
    ]),
  );

  const subscribe = <E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): (() => void) => {
    const set = listeners.get(event) ?? new Set<Listener>();
    listeners.set(event, set);
    const entry = listener as Listener;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  };

  connect();

  return {
    // Sound: `calls` has one function per name of CALL_NAMES, each taking that call's input.
    api: { ...calls, subscribe } as unknown as CorralApi,
    ready,
    state: () => state,
    close() {
      if (isStopped && socket === null) return;
      isStopped = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      retryTimer = null;
      const current = socket;
      endPending(STOPPED);
      current?.close();
      if (!hasEverOpened) rejectReady(new Error('The connection to the Corral host was closed before it opened.'));
    },
  };
}
