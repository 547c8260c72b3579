/**
 * Secret environment values: kept in memory, saved only sealed by the host's
 * SecretBox (Electron safeStorage), never in clear. A host without a box (the
 * web host) keeps them in memory only: after it restarts they are gone, and
 * a run that needs them is refused with words saying so.
 *
 * The box is asynchronous (the keychain may take its time, or ask the user):
 * values are sealed once per request before its run is spawned, opened once
 * when Corral starts, and the state file's frequent, synchronous writes reuse
 * the sealed text instead of calling the box.
 */
import { messageOf } from '../errors';
import type { DeploymentRequest } from '../types';

export interface SecretBox {
  /** Encrypts for the state file (base64 or any text). */
  seal(plain: string): Promise<string>;
  /** Rejects when it cannot decrypt (another user, a changed keychain). */
  open(sealed: string): Promise<string>;
}

export type SecretStorage = 'encrypted' | 'memory-only';

/** The host's box once it is ready (a promise, as the desktop's safeStorage gives it); one that failed to come leaves secrets in memory only, with a warning, rather than a Corral that cannot start. */
export async function readyBox(box: SecretBox | null | Promise<SecretBox | null> | undefined, warn: (message: string) => void): Promise<SecretBox | null> {
  try {
    return (await box) ?? null;
  } catch (error) {
    warn(`Secrets are kept in memory only this time: the keychain did not answer (${messageOf(error)}).`);
    return null;
  }
}

/** What the state file keeps of an agent's secrets: their names, and their sealed values when a box is present. */
export interface PersistedSecrets {
  keys: string[];
  sealed: Record<string, string>;
}

/** The sealed text of a request's secret values, by the values' object (a restart or a policy change keeps the object, so it is sealed once). */
const sealedCache = new WeakMap<Record<string, string>, Record<string, string>>();

/**
 * Seals the request's secret values with the box, unless they were already
 * (before its run is spawned, so the state file can hold them). Resolves to a
 * note for the user when the box failed: those values are then kept in memory only.
 */
export async function sealRequestSecrets(secretEnv: Record<string, string> | undefined, box: SecretBox | null): Promise<string | null> {
  if (!box || !secretEnv || Object.keys(secretEnv).length === 0 || sealedCache.has(secretEnv)) return null;
  try {
    const entries = await Promise.all(Object.entries(secretEnv).map(async ([key, value]) => [key, await box.seal(value)] as const));
    sealedCache.set(secretEnv, Object.fromEntries(entries));
    return null;
  } catch (error) {
    return `Could not encrypt the secrets ${Object.keys(secretEnv).sort().join(', ')} (${messageOf(error)}): they are kept in memory only and will be gone after Corral restarts.`;
  }
}

/** What the state file keeps of the secrets: every name, and the values sealed so far (sealRequestSecrets); never a value in clear. */
export function sealSecrets(secretEnv: Record<string, string> | undefined, missing: readonly string[], box: SecretBox | null): PersistedSecrets | null {
  const keys = [...Object.keys(secretEnv ?? {}), ...missing].sort();
  if (keys.length === 0) return null;
  const sealed = box && secretEnv ? (sealedCache.get(secretEnv) ?? {}) : {};
  return { keys, sealed: { ...sealed } };
}

/** A saved agent's secrets as opened when Corral starts: the values, the names that could not be, and a note for each. */
export interface OpenedSecrets {
  secretEnv: Record<string, string>;
  missing: string[];
  notes: string[];
}

/** The values that could be opened, and a note for each that could not. */
export async function openSecrets(saved: PersistedSecrets | null | undefined, box: SecretBox | null): Promise<OpenedSecrets> {
  const secretEnv: Record<string, string> = {};
  const sealed: Record<string, string> = {};
  const missing: string[] = [];
  const notes: string[] = [];
  for (const key of saved?.keys ?? []) {
    const text = saved!.sealed[key];
    if (text === undefined || box === null) {
      missing.push(key);
      continue;
    }
    try {
      secretEnv[key] = await box.open(text);
      sealed[key] = text;
    } catch (error) {
      missing.push(key);
      notes.push(`Could not decrypt the secret ${key} (${messageOf(error)}); enter it again to run this agent.`);
    }
  }
  // Saved again as read: no second round trip to the keychain for values it just gave back.
  if (Object.keys(sealed).length > 0) sealedCache.set(secretEnv, sealed);
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
