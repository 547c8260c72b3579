/**
 * Masks secret values where they appear verbatim in log bytes, with as many
 * `*` as the value has bytes, so every offset stays true to the file.
 *
 * The files keep what the agent wrote; what leaves the engine (log events and
 * log slices) is masked. A secret split across two chunks is caught by
 * holding back a chunk's tail while it could be the start of a secret.
 */
import type { LogEvent } from '../types';

const STAR = 0x2a;

/** Replaces every occurrence of each secret in `data` (in place), overlapping ones included, and returns it. */
export function maskInPlace(data: Uint8Array, secrets: readonly Buffer[]): Uint8Array {
  if (secrets.length === 0 || data.length === 0) return data;
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  // Searched in the bytes as written: an occurrence overlapping one already masked must still be found.
  let original: Buffer | null = null;
  for (const secret of secrets) {
    let at = (original ?? view).indexOf(secret);
    while (at >= 0) {
      original ??= Buffer.from(view);
      view.fill(STAR, at, at + secret.length);
      at = original.indexOf(secret, at + 1);
    }
  }
  return data;
}

/** Length of the longest tail of `data` that is a proper prefix of some secret (it may continue in the next chunk). */
export function heldBackLength(data: Uint8Array, secrets: readonly Buffer[]): number {
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let longest = 0;
  for (const secret of secrets) {
    for (let length = Math.min(secret.length - 1, view.length); length > longest; length--) {
      if (view.subarray(view.length - length).equals(secret.subarray(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest;
}

interface Carry {
  offset: number;
  data: Buffer;
  sinceMs: number;
  seenAt: number | undefined;
}

/** Masks the log events of agents with secrets, per stream, holding back possible secret starts. */
export class LogMasker {
  private readonly carries = new Map<string, Carry>();

  constructor(
    private readonly secretsOf: (agentId: string) => readonly Buffer[],
    private readonly emit: (event: LogEvent) => void,
  ) {}

  push(event: LogEvent): void {
    const secrets = this.secretsOf(event.agentId);
    const key = `${event.agentId}\0${event.stream}`;
    let carry = this.carries.get(key);
    if (carry && carry.offset + carry.data.length !== event.offset) {
      this.release(key, carry); // a gap: what was held cannot join this chunk
      carry = undefined;
    }
    if (secrets.length === 0 && !carry) return this.emit(event);
    const offset = carry?.offset ?? event.offset;
    const data = carry ? Buffer.concat([carry.data, event.data]) : Buffer.from(event.data);
    this.carries.delete(key);
    maskInPlace(data, secrets);
    const held = heldBackLength(data, secrets);
    const ready = data.length - held;
    // Held bytes were seen first: the chunk that releases them keeps their time.
    const seenAt = carry?.seenAt ?? event.seenAt;
    if (ready > 0) this.emit({ ...event, offset, data: data.subarray(0, ready), ...(seenAt === undefined ? {} : { seenAt }) });
    if (held > 0) this.carries.set(key, { offset: offset + ready, data: Buffer.from(data.subarray(ready)), sinceMs: carry?.sinceMs ?? Date.now(), seenAt: event.seenAt });
  }

  /** Lets go of tails held longer than `maxAgeMs`: no secret followed, so they are only text. */
  releaseOlderThan(maxAgeMs: number, nowMs = Date.now()): void {
    for (const [key, carry] of this.carries) if (nowMs - carry.sinceMs >= maxAgeMs) this.release(key, carry);
  }

  forget(agentId: string): void {
    for (const key of this.carries.keys()) if (key.startsWith(`${agentId}\0`)) this.carries.delete(key);
  }

  private release(key: string, carry: Carry): void {
    this.carries.delete(key);
    const [agentId, stream] = key.split('\0') as [string, LogEvent['stream']];
    this.emit({ agentId, stream, offset: carry.offset, data: carry.data, ...(carry.seenAt === undefined ? {} : { seenAt: carry.seenAt }) });
  }
}

/** One log slice's bytes and where they sit. */
export interface Slice {
  offset: number;
  data: Uint8Array;
  size: number;
}

/** A log slice with secrets masked, including one that straddles its edges: a little is read either side. */
export function maskSlice(read: (before: number | undefined, maxBytes: number) => Slice, before: number | undefined, maxBytes: number, secrets: readonly Buffer[]): Slice {
  const slice = read(before, maxBytes);
  if (secrets.length === 0 || slice.data.length === 0) return slice;
  const pad = Math.max(...secrets.map((secret) => secret.length)) - 1;
  const end = slice.offset + slice.data.length;
  const head = pad > 0 && slice.offset > 0 ? read(slice.offset, Math.min(pad, slice.offset)) : null;
  const tailEnd = Math.min(slice.size, end + pad);
  const tail = tailEnd > end ? read(tailEnd, tailEnd - end) : null;
  // Only bytes that touch the slice count (a rotation gap may sit beside it).
  const headBytes = head && head.offset + head.data.length === slice.offset ? head.data : new Uint8Array(0);
  const tailBytes = tail && tail.offset === end ? tail.data : new Uint8Array(0);
  const whole = Buffer.concat([headBytes, slice.data, tailBytes]);
  maskInPlace(whole, secrets);
  return { ...slice, data: whole.subarray(headBytes.length, headBytes.length + slice.data.length) };
}
