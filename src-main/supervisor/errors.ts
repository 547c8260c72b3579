import type { ErrorKind } from './types';

/** Compile-time exhaustiveness check for switches over closed unions (one definition, shared with the UI). */
export { assertNever } from '../../src-preload/contract';

/** An error the user can act on, with a kind programs can switch on. */
export class CorralError extends Error {
  override readonly name = 'CorralError';

  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The errno code of a Node system error, if any (libuv calls such as os.setPriority carry it in `info`). */
export function errnoOf(error: unknown): string | undefined {
  const { code, info } = (error ?? {}) as { code?: unknown; info?: { code?: unknown } };
  if (code === 'ERR_SYSTEM_ERROR' && typeof info?.code === 'string') return info.code;
  return typeof code === 'string' ? code : undefined;
}
