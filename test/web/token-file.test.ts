import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOKEN_PATTERN } from '../../src-main/web/auth';
import { loadOrCreateToken, MAX_TOKEN_FILE_BYTES, tokenFilePath } from '../../src-main/web/token-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'corral-token-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function mustLoad(options: { rotate?: boolean } = {}) {
  const result = loadOrCreateToken(dir, options);
  if (!result.ok) throw new Error(`${result.error.kind}: ${result.error.message}`);
  return result;
}

const setAside = () => readdirSync(dir).filter((name) => name.startsWith('web-token.corrupt-'));

describe('the web token kept in the data folder', () => {
  it('is created 0600 on the first start and reused on the next', () => {
    const first = mustLoad();
    expect(first.origin).toBe('created');
    expect(first.token).toMatch(TOKEN_PATTERN);
    expect(statSync(tokenFilePath(dir)).mode & 0o777).toBe(0o600);
    expect(readFileSync(tokenFilePath(dir), 'utf8')).toBe(`${first.token}\n`);

    const second = mustLoad();
    expect(second).toEqual({ ok: true, token: first.token, origin: 'reused', note: null });
    // No draft left behind.
    expect(readdirSync(dir)).toEqual(['web-token']);
  });

  it('is replaced by a new one with rotate', () => {
    const first = mustLoad();
    const rotated = mustLoad({ rotate: true });
    expect(rotated.origin).toBe('rotated');
    expect(rotated.token).not.toBe(first.token);
    expect(mustLoad().token).toBe(rotated.token);
    expect(statSync(tokenFilePath(dir)).mode & 0o777).toBe(0o600);
  });

  it('never follows a link planted at its name: the link is set aside, its target untouched', () => {
    const target = path.join(dir, 'elsewhere');
    const planted = 'A'.repeat(43);
    writeFileSync(target, `${planted}\n`, { mode: 0o600 });
    symlinkSync(target, tokenFilePath(dir));
    const result = mustLoad();
    expect(result.token).not.toBe(planted);
    expect(result.origin).toBe('created');
    expect(result.note).toMatch(/symbolic link/);
    expect(readFileSync(target, 'utf8')).toBe(`${planted}\n`);
    expect(statSync(tokenFilePath(dir)).isFile()).toBe(true);
    expect(setAside()).toHaveLength(1);
  });

  it.each([
    ['junk', 'not a token!\n'],
    ['too short', 'abc\n'],
    ['too large', 'A'.repeat(MAX_TOKEN_FILE_BYTES + 10)],
    ['two lines', `${'A'.repeat(40)}\n${'B'.repeat(40)}\n`],
  ])('sets aside a file holding %s and writes a new token', (_what, content) => {
    writeFileSync(tokenFilePath(dir), content, { mode: 0o600 });
    const result = mustLoad();
    expect(result.origin).toBe('created');
    expect(result.note).toContain('was not used');
    expect(readFileSync(path.join(dir, setAside()[0]!), 'utf8')).toBe(content);
    expect(readFileSync(tokenFilePath(dir), 'utf8')).toBe(`${result.token}\n`);
  });

  it('does not reuse a token others may read', () => {
    const token = 'B'.repeat(43);
    writeFileSync(tokenFilePath(dir), `${token}\n`);
    chmodSync(tokenFilePath(dir), 0o644);
    const result = mustLoad();
    expect(result.token).not.toBe(token);
    expect(result.note).toMatch(/others may read/);
    expect(statSync(tokenFilePath(dir)).mode & 0o777).toBe(0o600);
  });

  it('sets aside a folder at its name', () => {
    mkdirSync(tokenFilePath(dir));
    const result = mustLoad();
    expect(result.note).toMatch(/not a regular file/);
    expect(statSync(tokenFilePath(dir)).isFile()).toBe(true);
  });

  it('reports an error value, not a throw, when the folder cannot be written', () => {
    if (process.getuid?.() === 0) return; // root writes anywhere
    chmodSync(dir, 0o500);
    try {
      const result = loadOrCreateToken(dir);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.kind).toBe('permission-denied');
        expect(result.error.message).toContain('--data-dir');
      }
    } finally {
      chmodSync(dir, 0o700);
    }
  });
});
