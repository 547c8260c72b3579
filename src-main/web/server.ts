/**
 * The web host: serves the built renderer over HTTP and the contract over a
 * WebSocket, on 127.0.0.1 only. Every WebSocket is checked (path, Host,
 * Origin, token) before the handshake completes; see `upgrade-gate.ts` and
 * DESIGN.md, "A loopback port is not authentication".
 */
import { createServer, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { WIRE_MAX_PAYLOAD_BYTES } from '../../src-preload/contract';
import type { ContractService } from '../api/service';
import { createToken, isAllowedHost, TOKEN_PATTERN } from './auth';
import { serveConnection, type ServedConnection } from '../api/connection';
import { WebHostError } from './errors';
import { createStaticFiles, sendPlain } from './static-files';
import { throttledLog } from './throttled-log';
import { checkUpgrade, quoteForLog } from './upgrade-gate';

export interface WebHostOptions {
  service: ContractService;
  /** The built renderer (`out/renderer`): must hold index.html. */
  rendererDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The secret clients must present; a fresh random one by default. */
  token?: string;
  /** One line per notable event (refused connections, slow clients). Never given the token. */
  log?: (line: string) => void;
  /** Connections (HTTP and WebSocket) served at once; more are refused and logged. Default `MAX_CONNECTIONS`. */
  maxConnections?: number;
}

/**
 * Enough for several windows (a page's HTTP connections plus its WebSocket)
 * and well below the descriptor limit: a local client opening connections
 * without end is refused instead of starving the engine of descriptors.
 */
export const MAX_CONNECTIONS = 64;

export interface WebHost {
  /** The page to open, token included: `http://127.0.0.1:PORT/?token=TOKEN`. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Closes every WebSocket, the server, and every timer; the service and engine stay up (their owner closes them). */
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

/** Starts the host; rejects with a `WebHostError` saying what to change. */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const { service, rendererDir, port: requestedPort = 0, log = () => {}, maxConnections = MAX_CONNECTIONS } = options;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65_535) {
    throw new WebHostError('invalid-option', `The port must be a whole number from 0 to 65535 (0 picks a free one); got ${String(requestedPort)}.`);
  }
  if (options.token !== undefined && !TOKEN_PATTERN.test(options.token)) {
    throw new WebHostError('invalid-option', 'A given token must be 32–256 characters of A–Z, a–z, 0–9, "_" or "-".');
  }
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    throw new WebHostError('invalid-option', `The connection limit must be a whole number of at least 1; got ${String(maxConnections)}.`);
  }
  const token = options.token ?? createToken();

  let serveStatic: Awaited<ReturnType<typeof createStaticFiles>>;
  try {
    serveStatic = await createStaticFiles(rendererDir);
  } catch {
    throw new WebHostError('renderer-missing', `The built renderer is missing at ${rendererDir}; run \`npm run build\` first.`);
  }

  // The actual port, set on 'listening' (before any request can arrive).
  let port = requestedPort;
  let isClosing = false;
  const connections = new Set<ServedConnection>();
  const logRefusal = throttledLog(log);

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: WIRE_MAX_PAYLOAD_BYTES,
    // Compression costs CPU per frame and widens the attack surface; loopback does not need it.
    perMessageDeflate: false,
    clientTracking: false,
  });

  const server = createServer((req, res) => {
    if (!isAllowedHost(req.headers.host, port)) {
      logRefusal(`Refused an HTTP request (403): Host ${quoteForLog(req.headers.host)} is not this server's address.`);
      sendPlain(res, 403, "Forbidden: this server answers only to its own address (127.0.0.1 or localhost on its port).\n");
      return;
    }
    serveStatic(req, res);
  });
  // Node closes a connection over the limit as soon as it is accepted (every TCP connection counts, upgraded or not, until it closes).
  server.maxConnections = maxConnections;
  server.on('drop', (peer?: { remotePort?: number }) => {
    const from = peer?.remotePort === undefined ? '' : ` from port ${peer.remotePort}`;
    logRefusal(`Refused a connection${from}: ${maxConnections} connections are open, the most this host serves at once. Close other Corral tabs or clients.`);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Until `ws` owns the socket, a reset must not become an uncaught error.
    socket.on('error', () => {});
    if (isClosing) return refuseUpgrade(socket, 503, 'The Corral host is shutting down.');
    const verdict = checkUpgrade(req, port, token);
    if (!verdict.ok) {
      logRefusal(`Refused a WebSocket connection (${verdict.status}): ${verdict.reason}.`);
      return refuseUpgrade(socket, verdict.status, `Refused: ${verdict.reason}.`);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (isClosing) {
        ws.terminate();
        return;
      }
      const connection = serveConnection(ws, service, log);
      connections.add(connection);
      ws.once('close', () => connections.delete(connection));
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        error.code === 'EADDRINUSE'
          ? new WebHostError('port-in-use', `Port ${requestedPort} on ${LOOPBACK} is already in use; pick another with --port, or --port 0 for a free one.`)
          : new WebHostError('listen-failed', `Could not listen on ${LOOPBACK}:${requestedPort}: ${error.message}`),
      );
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      port = typeof address === 'object' && address !== null ? address.port : requestedPort;
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(requestedPort, LOOPBACK);
  });
  server.on('error', (error) => log(`Web host server error: ${error.message}`));

  let closing: Promise<void> | null = null;
  return {
    url: `http://${LOOPBACK}:${port}/?token=${token}`,
    port,
    token,
    close() {
      closing ??= (async () => {
        isClosing = true;
        logRefusal.close();
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Idle keep-alive HTTP connections would otherwise hold server.close() open.
        server.closeAllConnections();
        await Promise.all([...connections].map((connection) => connection.close()));
        wss.close();
        await serverClosed;
      })();
      return closing;
    },
  };
}

/** Answers a refused handshake with a plain HTTP status and closes the socket. */
function refuseUpgrade(socket: Duplex, status: number, body: string): void {
  const text = `${body}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      '\r\n' +
      text,
  );
}
