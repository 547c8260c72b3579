/** Why the local socket could not be served, in words a user can act on. */
export type SocketHostErrorKind = 'socket-path-too-long' | 'socket-path-taken' | 'listen-failed';

export class SocketHostError extends Error {
  override readonly name = 'SocketHostError';

  constructor(
    readonly kind: SocketHostErrorKind,
    message: string,
  ) {
    super(message);
  }
}
