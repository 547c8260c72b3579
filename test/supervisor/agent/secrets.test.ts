/**
 * Secret environment values in the state file (`secrets.ts`). The module is
 * pure: the host's SecretBox (Electron safeStorage) is replaced here by a
 * reversible test double; the real box is tested with the desktop host.
 */
import { describe, expect, it } from 'vitest';
import { missingSecretsMessage, openSecrets, sealSecrets, type PersistedSecrets, type SecretBox } from '../../../src-main/supervisor/agent/secrets';

const reverse = (s: string): string => [...s].reverse().join('');

/** Test double: "sealed:" + base64 of the reversed value; refuses anything else. */
const box: SecretBox = {
  seal: (plain) => `sealed:${Buffer.from(reverse(plain), 'utf8').toString('base64')}`,
  open: (sealed) => {
    if (!sealed.startsWith('sealed:')) throw new Error('not sealed by this box');
    return reverse(Buffer.from(sealed.slice('sealed:'.length), 'base64').toString('utf8'));
  },
};

const CLEAR = { API_KEY: 'sk-live-0123456789', DB_PASSWORD: 'pässwörd hunter2' };

describe('sealSecrets', () => {
  it('with a box: keeps the sorted names and only sealed values, never the clear ones', () => {
    const saved = sealSecrets({ DB_PASSWORD: CLEAR.DB_PASSWORD, API_KEY: CLEAR.API_KEY }, [], box);
    expect(saved).not.toBeNull();
    expect(saved!.keys).toEqual(['API_KEY', 'DB_PASSWORD']);
    expect(Object.keys(saved!.sealed).sort()).toEqual(['API_KEY', 'DB_PASSWORD']);
    expect(saved!.sealed.API_KEY).toBe(box.seal(CLEAR.API_KEY));
    expect(saved!.sealed.DB_PASSWORD).toBe(box.seal(CLEAR.DB_PASSWORD));
    const json = JSON.stringify(saved);
    for (const value of Object.values(CLEAR)) expect(json).not.toContain(value);
    expect(json).not.toContain('hunter2');
  });

  it('without a box: names only, no values at all', () => {
    const saved = sealSecrets(CLEAR, [], null);
    expect(saved).toEqual({ keys: ['API_KEY', 'DB_PASSWORD'], sealed: {} });
    const json = JSON.stringify(saved);
    for (const value of Object.values(CLEAR)) expect(json).not.toContain(value);
  });

  it('keeps the names of secrets already missing, without a value', () => {
    expect(sealSecrets({ B: 'b-value' }, ['A', 'C'], box)).toEqual({ keys: ['A', 'B', 'C'], sealed: { B: box.seal('b-value') } });
    expect(sealSecrets(undefined, ['GONE'], box)).toEqual({ keys: ['GONE'], sealed: {} });
  });

  it('is null when there are no secrets', () => {
    expect(sealSecrets(undefined, [], box)).toBeNull();
    expect(sealSecrets({}, [], null)).toBeNull();
  });
});

describe('openSecrets', () => {
  it('opens what the box sealed (a round trip)', () => {
    const saved = sealSecrets(CLEAR, [], box);
    expect(openSecrets(saved, box)).toEqual({ secretEnv: CLEAR, missing: [], notes: [] });
  });

  it('reports a value it cannot decrypt as missing, with a note naming it and why', () => {
    const saved: PersistedSecrets = { keys: ['API_KEY', 'DB_PASSWORD'], sealed: { API_KEY: box.seal(CLEAR.API_KEY), DB_PASSWORD: 'garbage' } };
    const opened = openSecrets(saved, box);
    expect(opened.secretEnv).toEqual({ API_KEY: CLEAR.API_KEY });
    expect(opened.missing).toEqual(['DB_PASSWORD']);
    expect(opened.notes).toEqual(['Could not decrypt the secret DB_PASSWORD (not sealed by this box); enter it again to run this agent.']);
  });

  it('a name saved without a value is missing', () => {
    const opened = openSecrets({ keys: ['A', 'B'], sealed: { B: box.seal('b') } }, box);
    expect(opened.secretEnv).toEqual({ B: 'b' });
    expect(opened.missing).toEqual(['A']);
  });

  it('without a box every secret is missing, with a note that they were kept in memory only', () => {
    const opened = openSecrets(sealSecrets(CLEAR, [], null), null);
    expect(opened.secretEnv).toEqual({});
    expect(opened.missing).toEqual(['API_KEY', 'DB_PASSWORD']);
    expect(opened.notes).toHaveLength(1);
    expect(opened.notes[0]).toMatch(/^Secrets API_KEY, DB_PASSWORD were kept in memory only and are gone since Corral restarted/);
    // Even sealed values cannot be opened without the box.
    expect(openSecrets(sealSecrets(CLEAR, [], box), null).missing).toEqual(['API_KEY', 'DB_PASSWORD']);
  });

  it('nothing saved: nothing to open', () => {
    expect(openSecrets(null, box)).toEqual({ secretEnv: {}, missing: [], notes: [] });
    expect(openSecrets(undefined, null)).toEqual({ secretEnv: {}, missing: [], notes: [] });
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
