/**
 * One authenticated WebSocket, served: frames in are calls on the contract
 * service, results and events go out. The framing is the contract's
 * (`wireRequestSchema`, `WireMessage`); what a call does is the service's
 * business, not this module's.
 *
 * Frames that are not a request (not JSON, not the schema, a binary frame)
 * are answered, not punished: a text frame gets an `invalid-argument` result
 * (with the frame's own `id` when it has a usable one, else `id: -1`) and the
 * connection stays open; nothing reaches the service. Binary frames close the
 * connection with 1003, since no client of ours sends them. Oversized frames
 * are refused by `ws` itself (`maxPayload`), which closes with 1009.
 */
import { WebSocket, type RawData } from 'ws';
import { z } from 'zod';
import { wireRequestSchema, type EventName, type EventPayloads, type Result, type WireMessage, type WireRequest } from '../../src-preload/contract';
import type { ContractService, EventSink } from './service';
import { DroppedStatus } from './dropped-status';

/**
 * Above this many bytes queued for a client, `status` and `log` events are
 * dropped instead of queued: each status event is a full snapshot the next one
 * replaces, and log events carry byte offsets, so the page sees the gap and
 * re-reads the file. Results and notices are always sent.
 */
export const DROP_EVENTS_ABOVE_BYTES = 4 * 1024 * 1024;

/**
 * A client this far behind is not reading at all (results alone keep
 * piling up): it is disconnected rather than buffered without bound. The page
 * reconnects and starts from a fresh snapshot.
 */
export const DISCONNECT_ABOVE_BYTES = 64 * 1024 * 1024;

/** How long a closing socket may take to answer the close handshake before it is cut. */
const CLOSE_GRACE_MS = 1000;

export interface ServedConnection {
  /** Stops the client's events and closes the socket (1001); resolves once it is closed. */
  close(): Promise<void>;
}

type ParsedFrame = { ok: true; request: WireRequest } | { ok: false; id: number; message: string };

function parseFrame(text: string): ParsedFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, id: -1, message: 'The message is not valid JSON.' };
  }
  const parsed = wireRequestSchema.safeParse(json);
  if (parsed.success) return { ok: true, request: parsed.data };
  // Answer under the frame's own id when it has a usable one, so the caller's pending call ends.
  const id = (json as { id?: unknown } | null)?.id;
  const usableId = typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : -1;
  return { ok: false, id: usableId, message: `The message is not a call: ${z.prettifyError(parsed.error)}` };
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * Connects `ws` to the service. Everything it sets up ends when the socket
 * closes or `close()` is called, whichever comes first.
 */
export function serveConnection(ws: WebSocket, service: ContractService, log: (line: string) => void): ServedConnection {
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  // What dropped status events said travels with the next one sent, so dropping loses nothing.
  const dropped = new DroppedStatus();
  let droppedEvents = 0;

  function send(message: WireMessage): boolean {
    if (ws.readyState !== WebSocket.OPEN) return false;
    if (ws.bufferedAmount > DISCONNECT_ABOVE_BYTES) {
      log(`Disconnected a WebSocket client that stopped reading (${ws.bufferedAmount} bytes queued).`);
      ws.terminate();
      return false;
    }
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      log(`Could not encode a ${message.type} message: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
    ws.send(text);
    return true;
  }

  const sink: EventSink = <E extends EventName>(event: E, payload: EventPayloads[E]) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if ((event === 'status' || event === 'log') && ws.bufferedAmount > DROP_EVENTS_ABOVE_BYTES) {
      if (event === 'status') dropped.drop(payload as EventPayloads['status']);
      if (droppedEvents++ === 0) log('A WebSocket client is reading slowly; dropping status and log events until it catches up.');
      return;
    }
    if (droppedEvents > 0 && (event === 'status' || event === 'log')) {
      log(`The slow WebSocket client caught up; ${droppedEvents} status/log events were dropped.`);
      droppedEvents = 0;
    }
    const outgoing = event === 'status' ? (dropped.before(payload as EventPayloads['status']) as EventPayloads[E]) : payload;
    send({ type: 'event', event, payload: outgoing } as WireMessage);
  };

  const client = service.connect(sink);
  let isClientClosed = false;
  const closeClient = () => {
    if (isClientClosed) return;
    isClientClosed = true;
    client.close();
  };

  async function answer(text: string): Promise<void> {
    const frame = parseFrame(text);
    if (!frame.ok) {
      send({ type: 'result', id: frame.id, result: { ok: false, error: { code: 'invalid-argument', message: frame.message } } });
      return;
    }
    let result: Result<unknown>;
    try {
      result = await client.call(frame.request.call, frame.request.input);
    } catch (error) {
      // The service promises never to throw; if it does, the caller still gets an answer.
      result = { ok: false, error: { code: 'internal', message: `The host failed to run ${frame.request.call}: ${error instanceof Error ? error.message : String(error)}` } };
    }
    send({ type: 'result', id: frame.request.id, result });
  }

  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      ws.close(1003, 'Binary frames are not accepted; send JSON text.');
      return;
    }
    void answer(textOf(data));
  });
  // Oversized frames and protocol errors arrive here; `ws` closes the socket itself (e.g. 1009).
  ws.on('error', (error) => log(`WebSocket client error: ${error.message}`));
  ws.once('close', closeClient);

  let closing: Promise<void> | null = null;
  return {
    close() {
      closing ??= (async () => {
        closeClient();
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1001, 'The Corral host is shutting down.');
        const cut = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
        await closed;
        clearTimeout(cut);
      })();
      return closing;
    },
  };
}
