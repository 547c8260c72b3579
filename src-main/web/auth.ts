/**
 * Who may talk to the web host. A loopback port is not authentication (any
 * web page in any browser on this machine can open `ws://127.0.0.1:PORT`), so
 * every WebSocket must carry the secret token, come from our own page (Origin)
 * and name our own address (Host, against DNS rebinding).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url: 43 URL-safe characters, nothing to escape in a query string. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What a token given by the caller (e.g. a fixed one for scripting) must look like. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,256}$/;

/**
 * Constant-time comparison. Both sides are hashed first so the comparison is
 * over equal-length digests: `timingSafeEqual` refuses unequal lengths, and
 * branching on the length would leak it.
 */
export function tokensMatch(presented: string | null | undefined, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  const matches = timingSafeEqual(digest(presented ?? ''), digest(expected));
  // A missing token never matches, even if `expected` were (wrongly) empty.
  return matches && typeof presented === 'string' && presented.length > 0;
}

/** The host:port spellings our own page can have: the ones `startWebHost` prints and their `localhost` twin. */
function ownAuthorities(port: number): string[] {
  const authorities = [`127.0.0.1:${port}`, `localhost:${port}`];
  // On the default port browsers drop the port from Host and Origin.
  if (port === 80) authorities.push('127.0.0.1', 'localhost');
  return authorities;
}

/**
 * DNS-rebinding defence: a page at `evil.example` whose name was re-pointed to
 * 127.0.0.1 reaches our port with `Host: evil.example:PORT`. Only our own
 * names are served.
 */
export function isAllowedHost(hostHeader: string | undefined, port: number): boolean {
  if (hostHeader === undefined) return false;
  return ownAuthorities(port).includes(hostHeader.toLowerCase());
}

/**
 * Only our own page may open the WebSocket. A missing Origin is refused too:
 * browsers always send it on a WebSocket handshake, so its absence means a
 * non-browser client; such a client can send any Origin it likes, so requiring
 * ours costs it nothing and keeps the rule a single one.
 */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return false;
  return ownAuthorities(port)
    .map((authority) => `http://${authority}`)
    .includes(origin.toLowerCase());
}
