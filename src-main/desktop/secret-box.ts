/**
 * Secret env values sealed with Electron safeStorage (the OS keychain: Keychain,
 * DPAPI, libsecret/kwallet). Where it offers no real encryption (Linux with only
 * the `basic_text` backend) there is no box: secrets then live in memory only,
 * which the UI says, rather than being saved under a hard-coded key.
 */
import { safeStorage } from 'electron';
import type { SecretBox } from '../supervisor/index';

export function safeStorageBox(): SecretBox | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return null;
  return {
    seal: (plain) => safeStorage.encryptString(plain).toString('base64'),
    open: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}
