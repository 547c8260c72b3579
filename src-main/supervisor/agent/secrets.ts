/**
 * Secret environment values: kept in memory, saved only sealed by the host's
 * SecretBox (Electron safeStorage), never in clear. A host without a box (the
 * web host) keeps them in memory only: after it restarts they are gone, and
 * a run that needs them is refused with words saying so.
 */
import { messageOf } from '../errors';
import type { DeploymentRequest } from '../types';

export interface SecretBox {
  /** Encrypts for the state file (base64 or any text). */
  seal(plain: string): string;
  /** Throws when it cannot decrypt (another user, a changed keychain). */
  open(sealed: string): string;
}

export type SecretStorage = 'encrypted' | 'memory-only';

/** What the state file keeps of an agent's secrets: their names, and their sealed values when a box is present. */
export interface PersistedSecrets {
  keys: string[];
  sealed: Record<string, string>;
}

export function sealSecrets(secretEnv: Record<string, string> | undefined, missing: readonly string[], box: SecretBox | null): PersistedSecrets | null {
  const keys = [...Object.keys(secretEnv ?? {}), ...missing].sort();
  if (keys.length === 0) return null;
  const sealed: Record<string, string> = {};
  if (box) for (const [key, value] of Object.entries(secretEnv ?? {})) sealed[key] = box.seal(value);
  return { keys, sealed };
}

/** The values that could be opened, and a note for each that could not. */
export function openSecrets(saved: PersistedSecrets | null | undefined, box: SecretBox | null): { secretEnv: Record<string, string>; missing: string[]; notes: string[] } {
  const secretEnv: Record<string, string> = {};
  const missing: string[] = [];
  const notes: string[] = [];
  for (const key of saved?.keys ?? []) {
    const sealed = saved!.sealed[key];
    if (sealed === undefined || box === null) {
      missing.push(key);
      continue;
    }
    try {
      secretEnv[key] = box.open(sealed);
    } catch (error) {
      missing.push(key);
      notes.push(`Could not decrypt the secret ${key} (${messageOf(error)}); enter it again to run this agent.`);
    }
  }
  if (missing.length > 0 && box === null) notes.push(`Secrets ${missing.join(', ')} were kept in memory only and are gone since Corral restarted; enter them again to run this agent.`);
  return { secretEnv, missing, notes };
}

/** The refusal of a run whose secrets are gone. */
export function missingSecretsMessage(agentId: string, missing: readonly string[]): string {
  return `Agent "${agentId}" needs the secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, whose value${missing.length > 1 ? 's are' : ' is'} no longer known (kept in memory only, or could not be decrypted). Start it as a new agent with the value${missing.length > 1 ? 's' : ''} entered again.`;
}

/** The request's secret values as bytes, for masking; cached per request object (a policy change makes a new one). */
const secretBytesCache = new WeakMap<DeploymentRequest, Buffer[]>();
export function secretBytesOf(request: DeploymentRequest | undefined): Buffer[] {
  if (!request?.secretEnv) return [];
  let bytes = secretBytesCache.get(request);
  if (!bytes) {
    bytes = Object.values(request.secretEnv).map((value) => Buffer.from(value));
    secretBytesCache.set(request, bytes);
  }
  return bytes;
}
