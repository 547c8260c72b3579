/**
 * WebSocket framing, for the web host and its client.
 */
import { z } from 'zod';
import type { EventName } from './channels';
import type { EventPayloads } from './events';
import type { Result } from './views';

/** Client → host: one call. */
export const wireRequestSchema = z.strictObject({
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  call: z.string().max(100),
  input: z.unknown().optional(),
});

export type WireRequest = z.infer<typeof wireRequestSchema>;

/** Host → client: a call's answer, or an event. */
export type WireMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { [E in EventName]: { type: 'event'; event: E; payload: EventPayloads[E] } }[EventName];

/** The largest frame the web host accepts (a spawn request with a big prompt fits). */
export const WIRE_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/** The query parameter carrying the web host's token, in the page URL and the WebSocket URL. */
export const TOKEN_PARAM = 'token';

/** The WebSocket path on the web host. */
export const WIRE_PATH = '/corral-ws';
