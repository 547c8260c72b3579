/** Small helpers for the contract's `Result`: hosts never throw, but a transport can. */
import type { CallError, Result } from '../../src-preload/contract';

export function errorText(error: CallError): string {
  return error.message.trim() === '' ? `Failed (${error.code})` : error.message;
}

/**
 * Runs a call and folds both failure kinds (an error result, a thrown
 * transport error) into one shape the UI shows inline.
 */
export async function settle<T>(call: () => Promise<Result<T>>): Promise<{ ok: true; value: T } | { ok: false; message: string }> {
  try {
    const result = await call();
    return result.ok ? { ok: true, value: result.value } : { ok: false, message: errorText(result.error) };
  } catch (thrown) {
    return { ok: false, message: thrown instanceof Error ? thrown.message : String(thrown) };
  }
}
