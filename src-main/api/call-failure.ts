import type { ErrorCode } from '../../src-preload/contract';

/** A call that cannot be served for a reason the engine does not know about (e.g. this host cannot open folders). */
export class CallFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CallFailure';
  }
}
