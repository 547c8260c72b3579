/**
 * Secret environment values in the state file (`secrets.ts`). The module is
 * pure: the host's SecretBox (Electron safeStorage, asynchronous) is replaced
 * here by a reversible test double that counts its calls; the real box is
 * tested with the desktop host.
 */
import { describe, expect, it } from 'vitest';
import { missingSecretsMessage, openSecrets, sealRequestSecrets, sealSecrets, type PersistedSecrets, type SecretBox } from '../../../src-main/supervisor/agent/secrets';

const reverse = (s: string): string => [...s].reverse().join('');
const sealedText = (plain: string) => `sealed:${Buffer.from(reverse(plain), 'utf8').toString('base64')}`;

/** Test double: "sealed:" + base64 of the reversed value, answered asynchronously; refuses anything else. */
function testBox(): SecretBox & { calls: { seal: number; open: number } } {
  const calls = { seal: 0, open: 0 };
  return {
    calls,
    seal: async (plain) => {
      calls.seal++;
      await Promise.resolve();
      return sealedText(plain);
    },
    open: async (sealed) => {
      calls.open++;
      await Promise.resolve();
      if (!sealed.startsWith('sealed:')) throw new Error('not sealed by this box');
      return reverse(Buffer.from(sealed.slice('sealed:'.length), 'base64').toString('utf8'));
    },
  };
}

const box = testBox();
const CLEAR = { API_KEY: 'sk-live-0123456789', DB_PASSWORD: 'pässwörd hunter2' };

/** `secretEnv` sealed as a run's request is before its spawn, then as the state file saves it. */
async function saved(secretEnv: Record<string, string> | undefined, missing: string[], with_: SecretBox | null): Promise<PersistedSecrets | null> {
  expect(await sealRequestSecrets(secretEnv, with_)).toBeNull();
  return sealSecrets(secretEnv, missing, with_);
}

describe('sealSecrets', () => {
  it('with a box: keeps the sorted names and only sealed values, never the clear ones', async () => {
    const kept = await saved({ DB_PASSWORD: CLEAR.DB_PASSWORD, API_KEY: CLEAR.API_KEY }, [], box);
    expect(kept).not.toBeNull();
    expect(kept!.keys).toEqual(['API_KEY', 'DB_PASSWORD']);
    expect(Object.keys(kept!.sealed).sort()).toEqual(['API_KEY', 'DB_PASSWORD']);
    expect(kept!.sealed.API_KEY).toBe(sealedText(CLEAR.API_KEY));
    expect(kept!.sealed.DB_PASSWORD).toBe(sealedText(CLEAR.DB_PASSWORD));
    const json = JSON.stringify(kept);
    for (const value of Object.values(CLEAR)) expect(json).not.toContain(value);
    expect(json).not.toContain('hunter2');
  });

  it('without a box: names only, no values at all', async () => {
    const kept = await saved(CLEAR, [], null);
    expect(kept).toEqual({ keys: ['API_KEY', 'DB_PASSWORD'], sealed: {} });
    const json = JSON.stringify(kept);
    for (const value of Object.values(CLEAR)) expect(json).not.toContain(value);
  });

  it('keeps the names of secrets already missing, without a value', async () => {
    expect(await saved({ B: 'b-value' }, ['A', 'C'], box)).toEqual({ keys: ['A', 'B', 'C'], sealed: { B: sealedText('b-value') } });
    expect(await saved(undefined, ['GONE'], box)).toEqual({ keys: ['GONE'], sealed: {} });
  });

  it('is null when there are no secrets', async () => {
    expect(await saved(undefined, [], box)).toBeNull();
    expect(await saved({}, [], null)).toBeNull();
  });

  it('seals each values object once: the state file’s saves and a restart’s request (the same object) never call the box again', async () => {
    const counting = testBox();
    const secretEnv = { ...CLEAR };
    expect(sealSecrets(secretEnv, [], counting)).toEqual({ keys: ['API_KEY', 'DB_PASSWORD'], sealed: {} }); // not sealed yet: names only, never clear
    await sealRequestSecrets(secretEnv, counting);
    await sealRequestSecrets(secretEnv, counting);
    for (let save = 0; save < 5; save++) sealSecrets(secretEnv, [], counting);
    expect(counting.calls.seal).toBe(2); // one per value
    await sealRequestSecrets(structuredClone(secretEnv), counting); // Run again copies the request: sealed anew
    expect(counting.calls.seal).toBe(4);
  });

  it('a box that fails: a note naming the secrets, and the file keeps their names only', async () => {
    const failing: SecretBox = { seal: () => Promise.reject(new Error('the keychain is locked')), open: () => Promise.reject(new Error('unused')) };
    const secretEnv = { B: 'b', A: 'a' };
    expect(await sealRequestSecrets(secretEnv, failing)).toBe('Could not encrypt the secrets A, B (the keychain is locked): they are kept in memory only and will be gone after Corral restarts.');
    expect(sealSecrets(secretEnv, [], failing)).toEqual({ keys: ['A', 'B'], sealed: {} });
  });
});

describe('openSecrets', () => {
  it('opens what the box sealed (a round trip)', async () => {
    expect(await openSecrets(await saved(CLEAR, [], box), box)).toEqual({ secretEnv: CLEAR, missing: [], notes: [] });
  });

  it('keeps the sealed text it opened: saving the opened values again needs no seal', async () => {
    const counting = testBox();
    const file: PersistedSecrets = { keys: ['API_KEY'], sealed: { API_KEY: sealedText(CLEAR.API_KEY) } };
    const opened = await openSecrets(file, counting);
    expect(await sealRequestSecrets(opened.secretEnv, counting)).toBeNull();
    expect(sealSecrets(opened.secretEnv, opened.missing, counting)).toEqual(file);
    expect(counting.calls).toEqual({ seal: 0, open: 1 });
  });

  it('reports a value it cannot decrypt as missing, with a note naming it and why', async () => {
    const file: PersistedSecrets = { keys: ['API_KEY', 'DB_PASSWORD'], sealed: { API_KEY: sealedText(CLEAR.API_KEY), DB_PASSWORD: 'garbage' } };
    const opened = await openSecrets(file, box);
    expect(opened.secretEnv).toEqual({ API_KEY: CLEAR.API_KEY });
    expect(opened.missing).toEqual(['DB_PASSWORD']);
    expect(opened.notes).toEqual(['Could not decrypt the secret DB_PASSWORD (not sealed by this box); enter it again to run this agent.']);
  });

  it('a name saved without a value is missing', async () => {
    const opened = await openSecrets({ keys: ['A', 'B'], sealed: { B: sealedText('b') } }, box);
    expect(opened.secretEnv).toEqual({ B: 'b' });
    expect(opened.missing).toEqual(['A']);
  });

  it('without a box every secret is missing, with a note that they were kept in memory only', async () => {
    const opened = await openSecrets(await saved(CLEAR, [], null), null);
    expect(opened.secretEnv).toEqual({});
    expect(opened.missing).toEqual(['API_KEY', 'DB_PASSWORD']);
    expect(opened.notes).toHaveLength(1);
    expect(opened.notes[0]).toMatch(/^Secrets API_KEY, DB_PASSWORD were kept in memory only and are gone since Corral restarted/);
    // Even sealed values cannot be opened without the box.
    expect((await openSecrets(await saved({ ...CLEAR }, [], box), null)).missing).toEqual(['API_KEY', 'DB_PASSWORD']);
  });

  it('nothing saved: nothing to open', async () => {
    expect(await openSecrets(null, box)).toEqual({ secretEnv: {}, missing: [], notes: [] });
    expect(await openSecrets(undefined, null)).toEqual({ secretEnv: {}, missing: [], notes: [] });
  });
});

describe('missingSecretsMessage', () => {
  it('names the agent and the one missing key, in the singular', () => {
    const message = missingSecretsMessage('worker-1', ['API_KEY']);
    expect(message).toContain('"worker-1"');
    expect(message).toContain('the secret API_KEY, whose value is no longer known');
    expect(message).not.toMatch(/secrets|values/);
  });

  it('names every missing key, in the plural', () => {
    const message = missingSecretsMessage('worker-2', ['API_KEY', 'DB_PASSWORD']);
    expect(message).toContain('"worker-2"');
    expect(message).toContain('the secrets API_KEY, DB_PASSWORD, whose values are no longer known');
    expect(message).toContain('with the values entered again');
  });
});
