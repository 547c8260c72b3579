/**
 * The contract on a local socket: the owning host of a data folder listens on
 * `<dataDir>/corral.sock` (a named pipe on Windows) and serves there exactly
 * what the web host serves on its WebSocket — the same frames, the same
 * service, the same events — through the same `serveConnection`. The
 * transport is a WebSocket over HTTP over the Unix socket, so any `ws` client
 * connects with `ws+unix:///abs/path/corral.sock:/corral-ws`.
 *
 * No token: whoever can open the socket may drive the host, and only the
 * folder's owner can (the folder is 0700, the socket 0600). Only the holder of
 * the data folder's lock may call this: it removes a socket left behind by a
 * dead owner before listening.
 *
 * Once listening, `agentEnv()` says what every agent should be told:
 * CORRAL_SOCKET and CORRAL_DATA_DIR. The host hands it to the engine
 * (`createSupervisor({ agentEnv: () => socketHost?.agentEnv() ?? {} })`), which
 * puts it in each agent's environment over the request's own: a `corral run`
 * inside an agent reaches this host, whatever folder the user's environment
 * names. This process's own environment is left alone.
 *
 * Plain Node (no Electron, no web host): the headless host and the desktop app
 * both use it.
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { WIRE_MAX_PAYLOAD_BYTES, WIRE_PATH } from '../../src-preload/contract';
import type { ContractService } from '../api/service';
import { serveConnection, type ServedConnection } from '../api/connection';
import { SocketHostError } from './errors';
import { socketAddressFor } from './socket-path';

export interface SocketHostOptions {
  service: ContractService;
  /** The data folder whose lock this process holds (absolute). */
  dataDir: string;
  log?: (line: string) => void;
  /** Connections served at once; more are closed as they arrive. Default 64. */
  maxConnections?: number;
}

export interface SocketHost {
  /** The socket's path (or the pipe's name on Windows). */
  readonly path: string;
  /** CORRAL_SOCKET and CORRAL_DATA_DIR for the agents the engine starts; empty once closing (no agent is sent to a closed socket). */
  agentEnv(): Record<string, string>;
  /** Closes every connection and the server, and removes the socket file. The service stays up. */
  close(): Promise<void>;
}

/** Starts serving; rejects with a `SocketHostError` saying what to change. */
export async function startSocketHost(options: SocketHostOptions): Promise<SocketHost> {
  const { service, dataDir, log = () => {}, maxConnections = 64 } = options;
  const address = socketAddressFor(dataDir);
  if (!address.ok) throw new SocketHostError('socket-path-too-long', address.message);
  const socketPath = address.path;
  const isPipe = process.platform === 'win32';
  if (!isPipe) removeStaleSocket(socketPath);

  let isClosing = false;
  const connections = new Set<ServedConnection>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: WIRE_MAX_PAYLOAD_BYTES, perMessageDeflate: false, clientTracking: false });
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
    res.end(`This is the Corral host's local socket: connect with a WebSocket to ${WIRE_PATH} (the corral command and corral/client do).\n`);
  });
  server.maxConnections = maxConnections;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const pathname = (req.url ?? '').split('?')[0];
    if (isClosing || pathname !== WIRE_PATH) {
      socket.end(`HTTP/1.1 ${isClosing ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (isClosing) return ws.terminate();
      const connection = serveConnection(ws, service, log);
      connections.add(connection);
      ws.once('close', () => connections.delete(connection));
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new SocketHostError('socket-path-taken', `Something is already listening at ${socketPath}; stop the other Corral host on this data folder first.`)
          : new SocketHostError('listen-failed', `Could not listen on the local socket ${socketPath}: ${error.message}`),
      );
    };
    server.once('error', onError);
    // The socket is created by bind() inside listen(), synchronously: under this umask it is 0600 from its first instant.
    const umask = isPipe ? null : process.umask(0o177);
    try {
      server.listen(socketPath, () => {
        server.off('error', onError);
        resolve();
      });
    } finally {
      if (umask !== null) process.umask(umask);
    }
  });
  if (!isPipe) chmodSync(socketPath, 0o600);
  server.on('error', (error) => log(`Local socket error: ${error.message}`));

  let closing: Promise<void> | null = null;
  return {
    path: socketPath,
    agentEnv: (): Record<string, string> => (isClosing ? {} : { CORRAL_SOCKET: socketPath, CORRAL_DATA_DIR: dataDir }),
    close() {
      closing ??= (async () => {
        isClosing = true;
        // server.close() unlinks the socket file itself once the listener is closed.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await Promise.all([...connections].map((connection) => connection.close()));
        wss.close();
        await closed;
      })();
      return closing;
    },
  };
}

/**
 * A socket file left by an owner that died (SIGKILL, a crash) blocks listen()
 * with EADDRINUSE. The caller holds the folder's lock, so no live host owns
 * it: remove it. Anything else at the name (a file, a folder) is not ours.
 */
function removeStaleSocket(socketPath: string): void {
  let stat;
  try {
    stat = lstatSync(socketPath);
  } catch {
    return;
  }
  if (!stat.isSocket() && !stat.isSymbolicLink()) {
    throw new SocketHostError('socket-path-taken', `${socketPath} exists and is not a socket; move it away, then start the host again.`);
  }
  unlinkSync(socketPath);
}
