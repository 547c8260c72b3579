/**
 * The trusted-sender URL comparison (src-main/ipc/app-url.ts): file URLs are
 * compared as the files they name, so install paths with spaces, `%`,
 * non-ASCII characters, and Windows drive-letter case and backslashes still
 * match; anything else — another file, a query, another host or dev origin — is refused.
 */
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAppUrl } from '../../src-main/ipc/app-url';

describe('isAppUrl on Linux and macOS paths', () => {
  const rendererFile = '/opt/Corral App/résumé 100%/out/renderer/index.html';
  const options = { rendererFile, platform: 'linux' as const };
  const ours = (url: string) => isAppUrl(url, options);

  it('accepts the page however its URL is spelled', () => {
    expect(ours(pathToFileURL(rendererFile).href)).toBe(true);
    // As Chromium spells it: UTF-8 percent-escapes, `%` itself escaped.
    expect(ours('file:///opt/Corral%20App/r%C3%A9sum%C3%A9%20100%25/out/renderer/index.html')).toBe(true);
    // The same name decomposed (macOS hands back NFD): é = e + U+0301.
    expect(ours('file:///opt/Corral%20App/re%CC%81sume%CC%81%20100%25/out/renderer/index.html')).toBe(true);
    expect(ours('file://localhost/opt/Corral%20App/r%C3%A9sum%C3%A9%20100%25/out/renderer/index.html')).toBe(true);
    expect(ours('file:///opt/Corral%20App/r%C3%A9sum%C3%A9%20100%25/out/renderer/../renderer/index.html')).toBe(true);
  });

  it('accepts an in-page fragment but refuses a query', () => {
    expect(ours(`${pathToFileURL(rendererFile).href}#agents`)).toBe(true);
    expect(ours(`${pathToFileURL(rendererFile).href}?x`)).toBe(false);
    expect(ours(`${pathToFileURL(rendererFile).href}?`)).toBe(true); // an empty query is no query (URL drops it)
  });

  it('refuses near misses', () => {
    const folder = 'file:///opt/Corral%20App/r%C3%A9sum%C3%A9%20100%25/out/renderer';
    expect(ours(`${folder}/other.html`)).toBe(false);
    expect(ours(`${folder}/index.html.bak`)).toBe(false);
    expect(ours(`${folder}/Index.html`)).toBe(false); // Linux names are case-sensitive
    expect(ours(`${folder}/`)).toBe(false);
    expect(ours(`${folder}%2Findex.html`)).toBe(false); // an encoded separator
    expect(ours('file:///opt/Corral%20App/resume%20100%25/out/renderer/index.html')).toBe(false);
    expect(ours('file://evil.example/opt/Corral%20App/r%C3%A9sum%C3%A9%20100%25/out/renderer/index.html')).toBe(false);
    expect(ours('http://localhost/opt/Corral%20App/r%C3%A9sum%C3%A9%20100%25/out/renderer/index.html')).toBe(false);
    expect(ours('not a url')).toBe(false);
    expect(ours('')).toBe(false);
    expect(isAppUrl(pathToFileURL('/index.html').href, { rendererFile: 'index.html', platform: 'linux' })).toBe(false); // a relative renderer path matches nothing
  });
});

describe('isAppUrl on Windows paths', () => {
  const rendererFile = 'C:\\Program Files\\Corral\\Ünïcode 100%\\resources\\app.asar\\out\\renderer\\index.html';
  const options = { rendererFile, platform: 'win32' as const };
  const ours = (url: string) => isAppUrl(url, options);
  const encoded = 'Program%20Files/Corral/%C3%9Cn%C3%AFcode%20100%25/resources/app.asar/out/renderer/index.html';

  it('accepts the page with either drive-letter case, any name case, backslashes and escapes', () => {
    expect(ours(pathToFileURL(rendererFile, { windows: true }).href)).toBe(true);
    expect(ours(`file:///C:/${encoded}`)).toBe(true);
    expect(ours(`file:///c:/${encoded}`)).toBe(true);
    expect(ours(`file:///C:/${encoded.toUpperCase()}`)).toBe(true); // NTFS names are case-blind
    expect(ours(`file:///C:\\${encoded.replaceAll('/', '\\')}`)).toBe(true); // the URL parser reads \ as / in file URLs
    expect(ours(`file:///C:/${encoded}#top`)).toBe(true);
    expect(isAppUrl(`file:///c:/${encoded}`, { ...options, rendererFile: rendererFile.replaceAll('\\', '/') })).toBe(true);
  });

  it('refuses near misses', () => {
    expect(ours(`file:///D:/${encoded}`)).toBe(false);
    expect(ours(`file:///C:/${encoded.replace('index.html', 'other.html')}`)).toBe(false);
    expect(ours(`file:///C:/${encoded}?x`)).toBe(false);
    expect(ours(`file:///C:/${encoded.replace('/out/renderer/index.html', '/out/renderer%5Cindex.html')}`)).toBe(false); // an encoded separator
    expect(ours(`file://server/share/${encoded}`)).toBe(false); // a UNC share is another file
    expect(ours(`file:///${encoded}`)).toBe(false); // no drive: not an absolute Windows path
  });
});

describe('isAppUrl in dev (the electron-vite server)', () => {
  const options = { devServerUrl: 'http://localhost:5173/', rendererFile: '/opt/corral/out/renderer/index.html', platform: 'linux' as const };
  const ours = (url: string) => isAppUrl(url, options);

  it('accepts any page of the dev server origin', () => {
    expect(ours('http://localhost:5173/')).toBe(true);
    expect(ours('http://localhost:5173/src/index.html?t=1#x')).toBe(true);
  });

  it('refuses another origin, and the built file while the dev server is the page', () => {
    expect(ours('http://localhost:5174/')).toBe(false);
    expect(ours('https://localhost:5173/')).toBe(false);
    expect(ours('http://127.0.0.1:5173/')).toBe(false);
    expect(ours('http://localhost.evil.example:5173/')).toBe(false);
    expect(ours(pathToFileURL(options.rendererFile).href)).toBe(false);
    expect(isAppUrl('http://localhost:5173/', { ...options, devServerUrl: 'not a url' })).toBe(false);
    expect(isAppUrl('file:///x', { ...options, devServerUrl: 'file:///x' })).toBe(false); // the dev server is http(s) only
  });
});
