import { afterEach, describe, expect, it, vi } from 'vitest';
import { createToken, isAllowedHost, isAllowedOrigin, tokensMatch } from '../../src-main/web/auth';
import { throttledLog } from '../../src-main/web/throttled-log';

describe('tokens', () => {
  it('creates 43-character base64url tokens that differ every time', () => {
    const tokens = new Set(Array.from({ length: 100 }, createToken));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('matches only the exact token', () => {
    const token = createToken();
    expect(tokensMatch(token, token)).toBe(true);
    expect(tokensMatch(token.slice(0, -1), token)).toBe(false);
    expect(tokensMatch(`${token}A`, token)).toBe(false);
    expect(tokensMatch(token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase(), token)).toBe(false);
    expect(tokensMatch('', token)).toBe(false);
    expect(tokensMatch(null, token)).toBe(false);
    expect(tokensMatch(undefined, token)).toBe(false);
    // Even a (misconfigured) empty expected token admits nobody.
    expect(tokensMatch('', '')).toBe(false);
  });
});

describe('Host and Origin allow-lists', () => {
  it('admits only our own address as Host', () => {
    expect(isAllowedHost('127.0.0.1:4000', 4000)).toBe(true);
    expect(isAllowedHost('localhost:4000', 4000)).toBe(true);
    expect(isAllowedHost('LOCALHOST:4000', 4000)).toBe(true);
    for (const host of [undefined, '', '127.0.0.1', '127.0.0.1:4001', 'evil.example:4000', 'localhost.evil.example:4000', '[::1]:4000', '0.0.0.0:4000', '127.0.0.1:4000.evil.example']) {
      expect(isAllowedHost(host, 4000), String(host)).toBe(false);
    }
    // On port 80 browsers omit the port.
    expect(isAllowedHost('localhost', 80)).toBe(true);
  });

  it('admits only our own page as Origin', () => {
    expect(isAllowedOrigin('http://127.0.0.1:4000', 4000)).toBe(true);
    expect(isAllowedOrigin('http://localhost:4000', 4000)).toBe(true);
    for (const origin of [undefined, '', 'null', 'http://evil.example', 'https://127.0.0.1:4000', 'http://127.0.0.1:4001', 'http://127.0.0.1:4000/', 'file://', 'http://127.0.0.1']) {
      expect(isAllowedOrigin(origin, 4000), String(origin)).toBe(false);
    }
    expect(isAllowedOrigin('http://127.0.0.1', 80)).toBe(true);
  });
});

describe('throttled refusal log', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('prints the first lines of a window, counts the rest, and reports the count when the window ends', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = throttledLog((line) => lines.push(line), { maxLines: 3, windowMs: 1000 });
    for (let i = 0; i < 10; i++) log(`refused ${i}`);
    expect(lines).toEqual(['refused 0', 'refused 1', 'refused 2']);
    vi.advanceTimersByTime(1000);
    expect(lines.at(-1)).toMatch(/^…and 7 more refusals/);
    log('refused again');
    expect(lines.at(-1)).toBe('refused again');
    log.close();
  });
});
