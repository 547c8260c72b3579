/**
 * Serves the built renderer (`out/renderer`) to the browser: GET and HEAD
 * only, a fixed set of content types, and nothing outside the folder. The
 * files are not secret (the token is not in them), but the folder is the only
 * thing this server may ever read.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { WEB_HOST_CSP } from '../shared/content-security';

/**
 * Sent on every HTTP response, errors included. The CSP is the Electron
 * window's production policy plus `connect-src 'self'` for the WebSocket and
 * the web-page directives (WEB_HOST_CSP, one source for both hosts);
 * `no-referrer` because the page URL carries the token; `no-store` so the
 * token-bearing page is not kept in a cache.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': WEB_HOST_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Answers with a short plain-text body and the security headers. */
export function sendPlain(res: ServerResponse, status: number, body: string, extraHeaders: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

type Resolved = { kind: 'file'; file: string } | { kind: 'bad-request'; why: string } | { kind: 'not-found' };

/**
 * Maps a request target to a file under `root` (already a real path), or says
 * why not. Traversal is refused twice over: any `..` segment, NUL or backslash
 * in the decoded path is a 400, and the resolved path (symlinks followed) must
 * still lie inside `root`.
 */
async function resolveTarget(root: string, target: string): Promise<Resolved> {
  const rawPath = target.split(/[?#]/, 1)[0] ?? '';
  if (!rawPath.startsWith('/')) return { kind: 'bad-request', why: 'the path must start with /' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { kind: 'bad-request', why: 'the path is not valid percent-encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'bad-request', why: 'the path contains a NUL byte or a backslash' };
  const segments = decoded.split('/');
  if (segments.some((segment) => segment === '..' || segment === '.')) return { kind: 'bad-request', why: 'the path contains a . or .. segment' };
  const relative = decoded === '/' ? 'index.html' : decoded.slice(1);
  const candidate = path.resolve(root, relative);
  if (!isInside(root, candidate)) return { kind: 'bad-request', why: 'the path leaves the served folder' };
  try {
    const real = await realpath(candidate);
    if (!isInside(root, real)) return { kind: 'not-found' };
    if (!(await stat(real)).isFile()) return { kind: 'not-found' };
    return { kind: 'file', file: real };
  } catch {
    return { kind: 'not-found' };
  }
}

function isInside(root: string, candidate: string): boolean {
  return candidate.startsWith(root + path.sep);
}

/**
 * Returns the request handler for static files under `rendererDir`. The
 * caller has already checked the Host header.
 */
export async function createStaticFiles(rendererDir: string): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
  // Resolved once, so the prefix check compares real paths on both sides.
  const root = await realpath(rendererDir);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendPlain(res, 405, 'Only GET and HEAD are served here.\n', { Allow: 'GET, HEAD' });
      return;
    }
    void resolveTarget(root, req.url ?? '').then((resolved) => {
      if (resolved.kind === 'bad-request') return sendPlain(res, 400, `Bad request: ${resolved.why}.\n`);
      if (resolved.kind === 'not-found') return sendPlain(res, 404, 'Not found.\n');
      return sendFile(req, res, resolved.file);
    }).catch(() => res.destroy());
  };
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return sendPlain(res, 404, 'Not found.\n');
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': size,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  // A file that vanished mid-read (a rebuild) cuts the response short; the browser retries.
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
