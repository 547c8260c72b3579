/** Why the web host could not start, in words a user can act on. */
export type WebHostErrorKind = 'invalid-option' | 'renderer-missing' | 'port-in-use' | 'listen-failed';

export class WebHostError extends Error {
  override readonly name = 'WebHostError';

  constructor(
    readonly kind: WebHostErrorKind,
    message: string,
  ) {
    super(message);
  }
}
