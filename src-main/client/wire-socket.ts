/**
 * A minimal WebSocket client (RFC 6455) over a Unix socket, for the client's
 * one use: text frames to and from a Corral host. Why not `ws`: loading it
 * costs about as much as Node's own start, and `corral ls` must stay close to
 * that floor; this needs only `node:net` and `node:crypto` (not even the HTTP
 * client: the handshake is one request and one status line). The hosts keep
 * using `ws` (servers, long-lived).
 *
 * Supports what a Corral host sends: text frames (fragmented or not), close,
 * ping (answered with pong). No extensions, no binary messages.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Far above any answer a host sends (a status snapshot of many agents is a few MB). */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export interface WireSocket {
  send(text: string): void;
  /** Sends a close frame and ends the connection. */
  close(): void;
  /** Cuts the connection at once. */
  terminate(): void;
  readonly isOpen: boolean;
  onMessage: (text: string) => void;
  /** Called once, however the connection ends. */
  onClose: () => void;
}

/** The server answered the handshake with something other than 101. */
export class HandshakeRefused extends Error {
  constructor(readonly statusCode: number) {
    super(`The server refused the WebSocket handshake (HTTP ${statusCode}).`);
  }
}

/** The most a handshake answer's headers may take. */
const MAX_HEADER_BYTES = 16 * 1024;

/** Opens a WebSocket to `path` on the Unix socket `socketPath`; rejects with the system error (ENOENT, ECONNREFUSED…), a `HandshakeRefused`, or a timeout. */
export function openWireSocket(socketPath: string, path: string, timeoutMs: number): Promise<WireSocket> {
  const key = randomBytes(16).toString('base64');
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let answer = Buffer.alloc(0);
    const settle = (error: Error | null) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onEarlyClose);
      if (error === null) return;
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => settle(new Error(`The host did not answer the WebSocket handshake within ${timeoutMs} ms.`)), timeoutMs);
    const onError = (error: Error) => settle(error);
    const onEarlyClose = () => settle(new Error('The host closed the connection during the WebSocket handshake.'));
    const onData = (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      const end = answer.indexOf('\r\n\r\n');
      if (end < 0) {
        if (answer.length > MAX_HEADER_BYTES) settle(new Error('The host answered the WebSocket handshake with oversized headers.'));
        return;
      }
      const [statusLine = '', ...headerLines] = answer.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0);
      if (status !== 101) return settle(new HandshakeRefused(status));
      const accept = headerLines.find((line) => line.toLowerCase().startsWith('sec-websocket-accept:'))?.slice('sec-websocket-accept:'.length).trim();
      if (accept !== createHash('sha1').update(key + GUID).digest('base64')) {
        return settle(new Error('The server answered the WebSocket handshake wrongly (Sec-WebSocket-Accept).'));
      }
      settle(null);
      resolve(wrap(socket, answer.subarray(end + 4)));
    };
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('close', onEarlyClose);
    socket.once('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` + `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
  });
}

function wrap(socket: Socket, head: Buffer): WireSocket {
  let buffered = head;
  let fragments: Buffer[] = [];
  let isOpen = true;
  let closed = false;
  socket.setNoDelay(true);

  const wire: WireSocket = {
    get isOpen() {
      return isOpen;
    },
    send(text) {
      if (isOpen) socket.write(frame(0x1, Buffer.from(text, 'utf8')));
    },
    close() {
      if (!isOpen) return;
      isOpen = false;
      const code = Buffer.alloc(2);
      code.writeUInt16BE(1000);
      socket.end(frame(0x8, code));
    },
    terminate() {
      isOpen = false;
      socket.destroy();
    },
    onMessage: () => {},
    onClose: () => {},
  };

  const fail = () => {
    isOpen = false;
    socket.destroy();
  };

  const parse = () => {
    for (;;) {
      if (buffered.length < 2) return;
      const fin = (buffered[0]! & 0x80) !== 0;
      const opcode = buffered[0]! & 0x0f;
      const masked = (buffered[1]! & 0x80) !== 0;
      let length = buffered[1]! & 0x7f;
      let at = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (buffered.length < 10) return;
        length = Number(buffered.readBigUInt64BE(2));
        at = 10;
      }
      if (masked || length > MAX_MESSAGE_BYTES) return fail(); // a server never masks
      if (buffered.length < at + length) return;
      const payload = buffered.subarray(at, at + length);
      buffered = buffered.subarray(at + length);
      if (opcode === 0x1 || opcode === 0x0) {
        fragments.push(payload);
        if (fin) {
          const text = Buffer.concat(fragments).toString('utf8');
          fragments = [];
          wire.onMessage(text);
        }
      } else if (opcode === 0x8) {
        if (isOpen) wire.close();
        return;
      } else if (opcode === 0x9) {
        if (isOpen) socket.write(frame(0xa, payload));
      } else if (opcode !== 0xa) {
        return fail(); // binary or unknown: not from a Corral host
      }
    }
  };

  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    parse();
  });
  socket.on('error', () => {});
  socket.once('close', () => {
    isOpen = false;
    if (closed) return;
    closed = true;
    wire.onClose();
  });
  // Frames that arrived with the handshake's answer: after the caller has set onMessage.
  if (buffered.length > 0) setImmediate(parse);
  return wire;
}

/** One masked frame (a client must mask), FIN set. */
function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(headerLength + 4 + length);
  out[0] = 0x80 | opcode;
  if (length < 126) {
    out[1] = 0x80 | length;
  } else if (length < 65_536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(out, headerLength);
  for (let i = 0; i < length; i++) out[headerLength + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}
