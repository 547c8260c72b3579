/**
 * Runs one call from an untrusted caller: the name must be a contract call,
 * the input must pass that call's schema, and whatever happens the answer is
 * a result value. A refused call never reaches the engine.
 */
import { z } from 'zod';
import { calls, type CallError, type CallName, type ErrorCode, type Result } from '../../src-preload/contract';
import { CorralError, messageOf } from '../supervisor/index';
import { CallFailure } from './call-failure';
import type { Handlers } from './handlers';

export async function dispatch(handlers: Handlers, name: unknown, input: unknown): Promise<Result<unknown>> {
  if (typeof name !== 'string' || !Object.hasOwn(calls, name)) {
    return failure('invalid-argument', `Unknown call ${JSON.stringify(String(name)).slice(0, 120)}.`);
  }
  const callName = name as CallName;
  const parsed = calls[callName].input.safeParse(input);
  if (!parsed.success) {
    return failure('invalid-argument', `Invalid input for ${callName}: ${z.prettifyError(parsed.error)}`);
  }
  // Sound: the input was parsed by this very call's schema.
  const handle = handlers[callName] as (input: unknown) => Promise<unknown>;
  try {
    return { ok: true, value: await handle(parsed.data) };
  } catch (error) {
    return { ok: false, error: toCallError(callName, error) };
  }
}

function failure(code: ErrorCode, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

function toCallError(name: CallName, error: unknown): CallError {
  if (error instanceof CorralError) {
    // Every engine error kind is a contract code: the compiler checks this line.
    const code: ErrorCode = error.kind;
    return { code, message: error.message };
  }
  if (error instanceof CallFailure) return { code: error.code, message: error.message };
  console.error(`[corral] ${name} failed:`, error);
  return { code: 'internal', message: `${name} failed unexpectedly: ${messageOf(error)}` };
}
