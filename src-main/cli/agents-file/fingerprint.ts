/**
 * How a second `apply` tells an unchanged agent from a changed one: a hash of
 * the request the file produces, carried by the agent as the NAME of an
 * environment variable, `CORRAL_APPLIED_<hash>`.
 *
 * Why a variable's name: the fingerprint must survive everything the engine
 * does to an agent and be readable over the contract. The engine keeps a
 * request's env across restarts by policy, Run again and a restart of Corral
 * (the state file saves it), while the request id does not survive (each run
 * gets a fresh one); and the contract shows an agent's env keys
 * (`getAgentRequest().envKeys`) but never env values. The variable's value is
 * the agents file's path, for whoever looks inside the agent.
 */
import { createHash } from 'node:crypto';
import type { SpawnRequest } from '../../../src-preload/contract';

/** Prefix of the variable that carries the fingerprint. */
export const FINGERPRINT_ENV_PREFIX = 'CORRAL_APPLIED_';

/** The request an agents file produces, before a request id is drawn for a spawn. */
export type FileRequest = Omit<SpawnRequest, 'requestId'>;

/**
 * A stable hash of everything the agent is started with: every field of the
 * request (keys sorted at every depth), except secret values. Secrets count
 * by name only: a hash of a secret value in an env key the UI shows could be
 * brute-forced when the secret is weak, so a changed secret value alone does
 * not restart an agent (`corral down` + `corral apply` does).
 */
export function fingerprintOf(request: FileRequest): string {
  const { secretEnv, env, ...rest } = request;
  const plainEnv = Object.fromEntries(Object.entries(env ?? {}).filter(([key]) => !key.startsWith(FINGERPRINT_ENV_PREFIX)));
  const canonical = canonicalJson({ ...rest, env: plainEnv, secretEnvNames: Object.keys(secretEnv ?? {}).sort() });
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22); // 132 bits: collisions are not a concern
}

/** The variable name that carries `fingerprint`. */
export function fingerprintKey(fingerprint: string): string {
  return `${FINGERPRINT_ENV_PREFIX}${fingerprint}`;
}

/** The fingerprint among an agent's env keys; null when it was not started by an agents file. */
export function fingerprintIn(envKeys: readonly string[]): string | null {
  const key = envKeys.find((candidate) => candidate.startsWith(FINGERPRINT_ENV_PREFIX));
  return key === undefined ? null : key.slice(FINGERPRINT_ENV_PREFIX.length);
}

/** JSON with object keys sorted at every depth and undefined fields left out: equal values give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, v]) => `${JSON.stringify(key)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
