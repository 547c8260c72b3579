/**
 * The local socket's address for a data folder. On Linux and macOS a Unix
 * domain socket inside the folder (`<dataDir>/corral.sock`): access is the
 * folder's permissions (0700) and the socket's own (0600). On Windows a named
 * pipe, whose name is derived from the folder (pipes live in their own
 * namespace, not in the file system); not exercised by the tests here.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

/** The socket's name inside the data folder. */
export const SOCKET_FILE_NAME = 'corral.sock';

/**
 * Longest socket path the kernel accepts, in bytes, without the final NUL:
 * `sun_path` is 108 bytes on Linux, 104 on macOS and the BSDs.
 */
export function maxSocketPathBytes(platform: NodeJS.Platform = process.platform): number {
  return platform === 'linux' || platform === 'android' ? 107 : 103;
}

export type SocketAddress = { ok: true; path: string } | { ok: false; message: string };

/** Where the host of `dataDir` listens (absolute `dataDir`), or why it cannot. */
export function socketAddressFor(dataDir: string, platform: NodeJS.Platform = process.platform): SocketAddress {
  if (platform === 'win32') {
    const key = createHash('sha256').update(path.win32.resolve(dataDir).toLowerCase()).digest('hex').slice(0, 24);
    return { ok: true, path: `\\\\.\\pipe\\corral-${key}` };
  }
  const socketPath = path.posix.join(dataDir, SOCKET_FILE_NAME);
  const bytes = Buffer.byteLength(socketPath);
  const max = maxSocketPathBytes(platform);
  if (bytes > max) {
    return {
      ok: false,
      message:
        `The data folder's path is too long for a local socket: ${socketPath} is ${bytes} bytes, and the system allows ${max}. ` +
        'Use a data folder with a shorter path (--data-dir / CORRAL_DATA_DIR), e.g. under ~/.local/state.',
    };
  }
  return { ok: true, path: socketPath };
}
