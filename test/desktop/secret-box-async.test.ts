/**
 * The engine with an asynchronous SecretBox, as the desktop app's
 * (Electron 45's safeStorage encryptStringAsync/decryptStringAsync) —
 * replaced here by a plain-Node AES box that answers when the test lets it,
 * like a keychain asking the user. Real processes, a real state file.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SecretBox } from '../../src-main/supervisor/index';
import { idPrefix, NODE, readLog, request, tempDir, useSupervisor } from '../helpers/agents';
import { waitFor } from '../helpers/wait';

const prefix = idPrefix('secret-box-async');
const SECRET = 'ghp_asyncSecret0123456789';

/** AES-GCM with a key in memory; each call waits for `gate` (open by default) and is counted. */
function asyncBox(key = randomBytes(32)) {
  let gate: Promise<void> = Promise.resolve();
  const calls = { seal: 0, open: 0 };
  const box: SecretBox = {
    async seal(plain) {
      calls.seal++;
      await gate;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
    },
    async open(sealed) {
      calls.open++;
      await gate;
      const bytes = Buffer.from(sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
  /** Holds every call until the returned function is called. */
  const hold = () => {
    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    return () => {
      release();
      gate = Promise.resolve();
    };
  };
  return { box, calls, hold };
}

const stateOf = (dataDir: string) => readFileSync(path.join(dataDir, 'state.json'), 'utf8');

describe('an asynchronous secret box', () => {
  it('seals before the spawn without blocking the engine, keeps the clear value off disk, and restarts reuse the sealed text', async () => {
    const dataDir = tempDir();
    const { box, calls, hold } = asyncBox();
    // A promise, as the desktop's safeStorageBox() gives it: the engine awaits it in start().
    const engine = await useSupervisor(prefix, { dataDir, sampleIntervalMs: 100, secretBox: Promise.resolve(box) });
    expect(engine.secretStorage).toBe('encrypted');

    const release = hold();
    const restart = { mode: 'always', maxRestarts: 2, initialDelayMs: 100, maxDelayMs: 100, resetAfterMs: 60_000 } as const;
    const req = request(prefix, [NODE, '-e', "console.log('len=' + process.env.API_TOKEN.length)"], { secretEnv: { API_TOKEN: SECRET }, restart });
    const spawned = engine.spawnAgent(req);
    // The keychain has not answered: the engine still answers, the agent waits unspawned.
    await waitFor(() => calls.seal === 1, { what: 'the box to be asked' });
    expect((await engine.monitorAllAgents())[req.agentId]).toMatchObject({ state: 'spawning', pid: null });
    release();
    expect(await spawned).toMatchObject({ status: 'running' });

    // Three runs (the first and two restarts), every one with the secret; sealed once for all.
    const ended = await waitFor(async () => {
      const now = await engine.getAgentStatus(req.agentId);
      return now.runCount === 3 && !['spawning', 'running', 'backoff'].includes(now.state) && now;
    }, { what: 'three runs', timeoutMs: 15_000 });
    expect(readLog(ended.logDir, 'stdout').match(/len=25/g)).toHaveLength(3);
    expect(calls.seal).toBe(1);
    await engine.close();
    const saved = JSON.parse(stateOf(dataDir)).agents[req.agentId];
    expect(stateOf(dataDir)).not.toContain(SECRET);
    expect(saved.secrets.keys).toEqual(['API_TOKEN']);
    expect(typeof saved.secrets.sealed.API_TOKEN).toBe('string');
  }, 30_000);

  it('opens saved secrets when the engine starts, so Run again passes them; saving them again needs no seal', async () => {
    const dataDir = tempDir();
    const { box, calls } = asyncBox();
    const first = await useSupervisor(prefix, { dataDir, secretBox: box });
    const req = request(prefix, [NODE, '-e', "console.log('len=' + process.env.API_TOKEN.length)"], { secretEnv: { API_TOKEN: SECRET } });
    await first.spawnAgent(req);
    await waitFor(async () => (await first.getAgentStatus(req.agentId)).state === 'completed');
    await first.close();
    const sealedBefore = JSON.parse(stateOf(dataDir)).agents[req.agentId].secrets.sealed.API_TOKEN;

    const second = await useSupervisor(prefix, { dataDir, secretBox: Promise.resolve(box) });
    expect(calls.open).toBe(1);
    expect(second.secretStorage).toBe('encrypted');
    await second.sampleNow();
    await second.close(); // saves the recovered record: the sealed text it read, not a new one
    expect(JSON.parse(stateOf(dataDir)).agents[req.agentId].secrets.sealed.API_TOKEN).toBe(sealedBefore);
    expect(calls.seal).toBe(1);

    const third = await useSupervisor(prefix, { dataDir, secretBox: box });
    await third.runAgain(req.agentId);
    await waitFor(async () => (await third.getAgentStatus(req.agentId)).runCount === 2 && (await third.getAgentStatus(req.agentId)).state === 'completed');
    expect(readLog((await third.getAgentStatus(req.agentId)).logDir, 'stdout').match(/len=25/g)).toHaveLength(2);
  }, 30_000);

  it('a box that turns out unavailable (the promise gives null) means memory only', async () => {
    const engine = await useSupervisor(prefix, { secretBox: Promise.resolve(null) });
    expect(engine.secretStorage).toBe('memory-only');
  });

  it('a box that never came (the promise rejects): Corral starts anyway, memory only, and says why', async () => {
    const engine = await useSupervisor(prefix, { secretBox: Promise.reject(new Error('no D-Bus session')) });
    expect(engine.secretStorage).toBe('memory-only');
    expect(engine.warnings).toContainEqual(expect.stringMatching(/Secrets are kept in memory only this time: the keychain did not answer \(no D-Bus session\)/));
  });

  it('a box that fails to seal: the agent still runs, with a note, and the file keeps the name only', async () => {
    const dataDir = tempDir();
    const failing: SecretBox = { seal: () => Promise.reject(new Error('the keychain is locked')), open: () => Promise.reject(new Error('unused')) };
    const engine = await useSupervisor(prefix, { dataDir, secretBox: failing });
    const req = request(prefix, [NODE, '-e', "console.log('len=' + process.env.API_TOKEN.length)"], { secretEnv: { API_TOKEN: SECRET } });
    expect(await engine.spawnAgent(req)).toMatchObject({ status: 'running' });
    const status = await waitFor(async () => {
      const now = await engine.getAgentStatus(req.agentId);
      return now.state === 'completed' && now;
    });
    expect(status.notes.join('\n')).toMatch(/Could not encrypt the secrets API_TOKEN \(the keychain is locked\): they are kept in memory only/);
    expect(readLog(status.logDir, 'stdout')).toContain('len=25');
    await engine.close();
    expect(stateOf(dataDir)).not.toContain(SECRET);
    expect(JSON.parse(stateOf(dataDir)).agents[req.agentId].secrets).toEqual({ keys: ['API_TOKEN'], sealed: {} });
  });
});
