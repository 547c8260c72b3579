/**
 * Decides, before the WebSocket handshake completes, whether a request may
 * become a connection: right path, our own Host, our own page's Origin, and
 * the token. Nothing of the connection exists until all four pass, so a
 * refused client can neither call nor receive anything.
 */
import type { IncomingMessage } from 'node:http';
import { TOKEN_PARAM, WIRE_PATH } from '../../src-preload/contract';
import { isAllowedHost, isAllowedOrigin, tokensMatch } from './auth';

export type UpgradeVerdict = { ok: true } | { ok: false; status: 401 | 403 | 404; reason: string };

/** Quotes a header value for a log line: bounded, and no newline can forge a second line. */
export function quoteForLog(value: string | undefined): string {
  if (value === undefined) return '(none)';
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
}

/**
 * The reason is safe to log and to send back: it never contains the token
 * (neither the expected one nor the one presented).
 */
export function checkUpgrade(req: IncomingMessage, port: number, token: string): UpgradeVerdict {
  let url: URL;
  try {
    // Only the path and query of req.url are used; the base is never consulted for them.
    url = new URL(req.url ?? '', 'http://127.0.0.1');
  } catch {
    return { ok: false, status: 404, reason: 'the request target is not a valid URL' };
  }
  if (url.pathname !== WIRE_PATH) return { ok: false, status: 404, reason: `no WebSocket is served at ${quoteForLog(url.pathname)}` };
  const host = req.headers.host;
  if (!isAllowedHost(host, port)) {
    return { ok: false, status: 403, reason: `Host ${quoteForLog(host)} is not this server's address (a DNS-rebinding page?)` };
  }
  const origin = req.headers.origin;
  if (!isAllowedOrigin(origin, port)) {
    return { ok: false, status: 403, reason: `Origin ${quoteForLog(origin)} is not the Corral page served here` };
  }
  const presented = url.searchParams.get(TOKEN_PARAM);
  if (presented === null) return { ok: false, status: 401, reason: 'the token is missing' };
  if (!tokensMatch(presented, token)) return { ok: false, status: 401, reason: 'the token is wrong (open the URL the host printed; `corral serve --new-token` replaces the token)' };
  return { ok: true };
}
