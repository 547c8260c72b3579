/**
 * The Content-Security-Policy: the module's decisions, the built index.html's
 * meta tag (what the packaged window's file:// page enforces) and the web
 * host's header over the same built folder. The built folder is what
 * `npm run build` (part of `npm test`) leaves in out/renderer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cspMetaOf,
  DEV_NONCE_ENV,
  devCsp,
  ensureDevNonce,
  isDevNonce,
  PRODUCTION_CSP,
  WEB_HOST_CSP,
  windowCsp,
  withCspMeta,
} from '../../src-main/shared/content-security';
import { startHarness } from '../web/web-harness';

const REPO = path.resolve(import.meta.dirname, '../..');
const BUILT_RENDERER = path.join(REPO, 'out/renderer');
const NONCE = 'AAAAAAAAAAAAAAAAAAAAAAAA';

/** A policy as directive name → sources. */
function directives(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name, sources);
  }
  return map;
}

/** The strict script policy: our own files only — no inline script, no nonce, no eval. */
function expectStrictScripts(policy: string): void {
  const parsed = directives(policy);
  expect(parsed.get('script-src')).toEqual(["'self'"]);
  expect(parsed.get('default-src')).toEqual(["'self'"]);
  expect(policy).not.toMatch(/'nonce-|'unsafe-eval'|'strict-dynamic'|'sha\d+-/);
}

describe('content-security: the policies', () => {
  it('keeps the production policy exactly as the window has always had it', () => {
    expect(PRODUCTION_CSP).toBe("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
    expectStrictScripts(PRODUCTION_CSP);
  });

  it('gives the web host the production policy plus connect-src and the web-page directives', () => {
    expect(WEB_HOST_CSP).toBe(`${PRODUCTION_CSP}; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`);
    expectStrictScripts(WEB_HOST_CSP);
  });

  it('adds only the nonce to script-src in dev', () => {
    const dev = directives(devCsp(NONCE));
    const prod = directives(PRODUCTION_CSP);
    expect(dev.get('script-src')).toEqual(["'self'", `'nonce-${NONCE}'`]);
    dev.delete('script-src');
    prod.delete('script-src');
    expect(dev).toEqual(prod);
  });

  it('uses the dev policy only with a dev server and a well-formed nonce', () => {
    const devServerUrl = 'http://localhost:5173';
    expect(windowCsp({ devServerUrl, devNonce: NONCE })).toBe(devCsp(NONCE));
    expect(windowCsp({ devServerUrl: undefined, devNonce: NONCE })).toBe(PRODUCTION_CSP);
    expect(windowCsp({ devServerUrl, devNonce: undefined })).toBe(PRODUCTION_CSP);
    for (const bad of ['', 'short', `${NONCE}'; script-src *`, `${NONCE}" onload="x`, `${NONCE} 'unsafe-inline'`]) {
      expect(isDevNonce(bad), bad).toBe(false);
      expect(windowCsp({ devServerUrl, devNonce: bad }), bad).toBe(PRODUCTION_CSP);
      expect(() => devCsp(bad), bad).toThrow(/nonce/);
    }
  });

  it('makes one nonce per dev session and keeps it for the session', () => {
    const env: NodeJS.ProcessEnv = {};
    const first = ensureDevNonce(env);
    expect(isDevNonce(first)).toBe(true);
    expect(env[DEV_NONCE_ENV]).toBe(first);
    expect(ensureDevNonce(env)).toBe(first);
    expect(ensureDevNonce({})).not.toBe(first);
    const tampered: NodeJS.ProcessEnv = { [DEV_NONCE_ENV]: "x' 'unsafe-inline" };
    const replaced = ensureDevNonce(tampered);
    expect(isDevNonce(replaced)).toBe(true);
    expect(tampered[DEV_NONCE_ENV]).toBe(replaced);
  });

  it("rewrites index.html's one CSP meta tag and refuses a page without exactly one", () => {
    const html = '<head>\n<meta\n  http-equiv="Content-Security-Policy"\n  content="default-src \'none\'"\n/>\n<meta charset="UTF-8" /></head>';
    const result = withCspMeta(html, devCsp(NONCE));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(cspMetaOf(result.html)).toBe(devCsp(NONCE));
    expect(result.html).toContain('<meta charset="UTF-8" />');
    expect(withCspMeta('<head></head>', PRODUCTION_CSP)).toMatchObject({ ok: false, error: expect.stringContaining('found 0') });
    const twice = html + html;
    expect(withCspMeta(twice, PRODUCTION_CSP)).toMatchObject({ ok: false, error: expect.stringContaining('found 2') });
  });

  it('the source index.html already states the production policy', () => {
    expect(cspMetaOf(readFileSync(path.join(REPO, 'src-renderer/index.html'), 'utf8'))).toBe(PRODUCTION_CSP);
  });
});

function builtIndexHtml(): string {
  const file = path.join(BUILT_RENDERER, 'index.html');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does).`);
  return readFileSync(file, 'utf8');
}

describe('content-security: the built app', () => {
  it('the built index.html carries the strict policy, no nonce and no inline script', () => {
    const html = builtIndexHtml();
    const meta = cspMetaOf(html);
    expect(meta).toBe(PRODUCTION_CSP);
    expectStrictScripts(meta ?? '');
    expect(html).not.toMatch(/\snonce=/);
    expect(html).not.toContain('property="csp-nonce"');
    // Every script is a file of ours: nothing inline for a looser policy to have to allow.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc=/);
      expect(body?.trim()).toBe('');
    }
  });

  it("the web host serves the built page with the strict policy in its header, the page's meta agreeing", async () => {
    builtIndexHtml();
    const harness = await startHarness(`csp-${process.pid}`, { host: { rendererDir: BUILT_RENDERER } });
    for (const target of ['/', '/index.html', '/nope.js']) {
      const response = await get(harness.host.port, target);
      expect(response.header, target).toBe(WEB_HOST_CSP);
      expectStrictScripts(response.header ?? '');
      if (target !== '/nope.js') expect(cspMetaOf(response.body), target).toBe(PRODUCTION_CSP);
    }
  });
});

async function get(port: number, target: string): Promise<{ header: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: target }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const header = res.headers['content-security-policy'];
        resolve({ header: Array.isArray(header) ? header.join(', ') : header, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
