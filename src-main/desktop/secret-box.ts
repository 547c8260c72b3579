/**
 * Secret env values sealed with Electron safeStorage (the OS keychain: Keychain,
 * DPAPI, libsecret/kwallet). Where it offers no real encryption (Linux with only
 * the `basic_text` backend) there is no box: secrets then live in memory only,
 * which the UI says, rather than being saved under a hard-coded key.
 *
 * Asynchronous, as Electron 45 recommends (the synchronous calls are
 * deprecated): a keychain that is slow or asks the user never blocks the main
 * process, so the window keeps painting meanwhile. Electron 45's typings
 * declare the asynchronous API unconditionally, so there is no synchronous fallback.
 */
import { safeStorage } from 'electron';
import type { SecretBox } from '../supervisor/index';

/** The box, once the app is ready: null when safeStorage cannot really encrypt here. */
export async function safeStorageBox(): Promise<SecretBox | null> {
  // Also starts the asynchronous encryptor (lazily, on first use after `ready`).
  if (!(await safeStorage.isAsyncEncryptionAvailable())) return null;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return null;
  return {
    seal: async (plain) => (await safeStorage.encryptStringAsync(plain)).toString('base64'),
    // `shouldReEncrypt` (a rotated key) is not acted on here: Run again seals a fresh copy of the request with the current key.
    open: async (sealed) => (await safeStorage.decryptStringAsync(Buffer.from(sealed, 'base64'))).result,
  };
}
