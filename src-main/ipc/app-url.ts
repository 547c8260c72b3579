/**
 * Which URLs are this app's own page: the trusted-sender check and the
 * navigation guard both ask. Plain Node (no Electron), so every case below is
 * tested here, Windows ones included.
 *
 * File URLs are compared as the files they name, not as text: Chromium and
 * Node do not percent-encode the same characters (spaces, `%`, non-ASCII in an
 * install path), Windows drive letters come in either case, and macOS may hand
 * back a decomposed (NFD) spelling of the same name. A text mismatch there
 * would refuse every IPC call of the window.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AppUrlOptions {
  /** electron-vite's dev server (dev only): any page of its origin is ours. */
  devServerUrl?: string | undefined;
  /** The built page (`out/renderer/index.html`), as a path of `platform`. */
  rendererFile: string;
  /** Whose path rules apply; default `process.platform` (tests pass `win32`). */
  platform?: NodeJS.Platform;
}

/**
 * True for the pages this app serves: the dev server's origin in dev, else the
 * built index.html itself. A fragment is allowed (in-page navigation keeps the
 * page); a query, another file, another host or an unparseable URL is not.
 */
export function isAppUrl(rawUrl: string, options: AppUrlOptions): boolean {
  const url = parseUrl(rawUrl);
  if (url === null) return false;
  if (options.devServerUrl !== undefined) {
    const dev = parseUrl(options.devServerUrl);
    return dev !== null && (dev.protocol === 'http:' || dev.protocol === 'https:') && url.origin === dev.origin;
  }
  if (url.protocol !== 'file:' || url.search !== '') return false;
  const windows = (options.platform ?? process.platform) === 'win32';
  let file: string;
  try {
    // Throws on an encoded separator (%2F, and %5C on Windows) and on a host a platform cannot name: refused.
    file = fileURLToPath(url, { windows });
  } catch {
    return false;
  }
  return samePath(file, options.rendererFile, windows);
}

function parseUrl(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

/** Same file name: normalised separators and NFC spelling; on Windows also case-blind (NTFS is, drive letter included). */
function samePath(a: string, b: string, windows: boolean): boolean {
  const flavour = windows ? path.win32 : path.posix;
  const canonical = (file: string) => {
    const normal = flavour.normalize(file.normalize('NFC'));
    return windows ? normal.toLowerCase() : normal;
  };
  return flavour.isAbsolute(b) && canonical(a) === canonical(b);
}
