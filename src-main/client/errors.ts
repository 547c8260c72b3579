/**
 * Why a client could not reach a data folder's host. Each message says what
 * to do next.
 *
 * - `no-host`: no socket in the folder: no host owns it (start one: `corral serve`).
 * - `dead-owner`: the socket file is there but nobody listens (its host died);
 *   the next host on the folder removes it.
 * - `permission-denied`: the socket belongs to another user.
 * - `socket-path-too-long`: the folder's path does not fit a socket address.
 * - `connect-failed`: anything else (a host that never answers the handshake).
 */
export type ClientErrorKind = 'no-host' | 'dead-owner' | 'permission-denied' | 'socket-path-too-long' | 'connect-failed';

export class ClientError extends Error {
  override readonly name = 'ClientError';

  constructor(
    readonly kind: ClientErrorKind,
    message: string,
  ) {
    super(message);
  }
}
