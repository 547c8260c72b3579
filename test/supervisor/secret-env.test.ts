/**
 * Secret environment values with real processes and a real state file: the
 * agent gets them, the state file never holds them in clear, what leaves the
 * engine is masked, and a host without a box forgets them on restart.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorralError, type LogEvent, type SecretBox } from '../../src-main/supervisor/index';
import { idPrefix, NODE, readLog, request, tempDir, useSupervisor, waitForLog } from '../helpers/agents';
import { waitFor } from '../helpers/wait';

const prefix = idPrefix('secret-env');
const SECRET = 'sk-live-9f8e7d6c5b4a';

/** A real AES-GCM box with a key held in memory: what safeStorage does with the OS keychain's key. */
function aesBox(key = randomBytes(32)): SecretBox {
  return {
    async seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
    },
    async open(sealed) {
      const bytes = Buffer.from(sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

// Prints the secret whole, then its first 7 bytes; the rest (a later write, so a later log chunk) on SIGUSR2; then stays up.
const PRINT = [NODE, '-e', "const s = process.env.API_TOKEN; process.on('SIGUSR2', () => console.log(s.slice(7) + ' end')); console.log('token=' + s); process.stdout.write('split=' + s.slice(0, 7)); setInterval(() => {}, 1000)"];

describe('secret environment values', () => {
  it('reach the agent, are masked in log events and slices (split across chunks too), and never reach the state file in clear', async () => {
    const dataDir = tempDir();
    const supervisor = await useSupervisor(prefix, { dataDir, logPollMs: 20, secretBox: aesBox() });
    const events: LogEvent[] = [];
    supervisor.on('log', (event) => events.push(event));
    const req = request(prefix, PRINT, { secretEnv: { API_TOKEN: SECRET }, env: { PLAIN: 'visible' } });
    const { pid } = await supervisor.spawnAgent(req);
    const sent = () => Buffer.concat(events.filter((event) => event.agentId === req.agentId).map((event) => event.data)).toString();
    // 'split=' and the first half are one write, so one read: once 'split=' is out, the second half comes in a later chunk.
    await waitFor(() => sent().includes('split='), { what: 'the first half of the split secret to be read' });
    process.kill(pid!, 'SIGUSR2');
    const onDisk = await waitForLog(supervisor, req.agentId, ' end');
    // The file holds what the agent wrote: masking is for what leaves the engine.
    expect(onDisk).toContain(`token=${SECRET}`);
    await waitFor(() => Buffer.concat(events.map((event) => event.data)).toString().includes(' end'));
    const all = sent();
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(SECRET.slice(7)); // the split half is masked too
    expect(all).toContain(`token=${'*'.repeat(SECRET.length)}`);
    expect(all).toContain(`split=${'*'.repeat(SECRET.length)} end`);
    // Offsets stay true to the file: same length, contiguous.
    const mine = events.filter((event) => event.agentId === req.agentId && event.stream === 'stdout');
    mine.slice(1).forEach((event, i) => expect(event.offset).toBe(mine[i]!.offset + mine[i]!.data.length));
    expect(all.length).toBe(onDisk.length);
    // Every slice, whatever its edges, is masked: each 5-byte window ending anywhere.
    for (let end = 1; end <= onDisk.length; end++) {
      const slice = await supervisor.readLog(req.agentId, 'stdout', { before: end, maxBytes: 5 });
      const text = Buffer.from(slice.data).toString();
      expect(SECRET.includes(text) && text.length === 5 && /[^*]/.test(text) ? text : '', `slice ending at ${end}`).toBe('');
    }
    expect(Buffer.from((await supervisor.readLog(req.agentId, 'stdout', { maxBytes: 1000 })).data).toString()).not.toContain(SECRET.slice(3, 10));

    const status = await supervisor.getAgentStatus(req.agentId);
    expect(status.secretEnvKeys).toEqual(['API_TOKEN']);
    await supervisor.killAgent(req.agentId);
    await supervisor.close();
    const stateText = readFileSync(path.join(dataDir, 'state.json'), 'utf8');
    expect(stateText).not.toContain(SECRET);
    const saved = JSON.parse(stateText).agents[req.agentId];
    expect(saved.request.secretEnv).toBeUndefined();
    expect(saved.request.env).toEqual({ PLAIN: 'visible' });
    expect(saved.secrets.keys).toEqual(['API_TOKEN']);
    expect(typeof saved.secrets.sealed.API_TOKEN).toBe('string');
  });

  it('come back sealed after a Corral restart with the same box, so Run again passes them again', async () => {
    const dataDir = tempDir();
    const box = aesBox();
    const first = await useSupervisor(prefix, { dataDir, secretBox: box });
    const req = request(prefix, [NODE, '-e', "console.log('len=' + process.env.API_TOKEN.length)"], { secretEnv: { API_TOKEN: SECRET } });
    await first.spawnAgent(req);
    await waitFor(async () => (await first.getAgentStatus(req.agentId)).state === 'completed');
    await first.close();
    const second = await useSupervisor(prefix, { dataDir, secretBox: box });
    expect(second.secretStorage).toBe('encrypted');
    await second.runAgain(req.agentId);
    await waitFor(async () => (await second.getAgentStatus(req.agentId)).state === 'completed' && (await second.getAgentStatus(req.agentId)).runCount === 2);
    const log = readLog((await second.getAgentStatus(req.agentId)).logDir, 'stdout');
    expect(log.match(/len=20/g)).toHaveLength(2);
  });

  it('are kept in memory only without a box: after a restart Run again and restarts are refused, saying why', async () => {
    const dataDir = tempDir();
    const first = await useSupervisor(prefix, { dataDir });
    expect(first.secretStorage).toBe('memory-only');
    const req = request(prefix, [NODE, '-e', 'process.exit(3)'], { secretEnv: { API_TOKEN: SECRET } });
    await first.spawnAgent(req);
    await waitFor(async () => (await first.getAgentStatus(req.agentId)).state === 'failed');
    await first.close();
    const saved = JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8')).agents[req.agentId];
    expect(saved.secrets).toEqual({ keys: ['API_TOKEN'], sealed: {} });
    const second = await useSupervisor(prefix, { dataDir });
    const status = await second.getAgentStatus(req.agentId);
    expect(status.secretEnvKeys).toEqual(['API_TOKEN']);
    expect(status.notes.join('\n')).toMatch(/kept in memory only and are gone/);
    const error = await second.runAgain(req.agentId).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CorralError);
    expect((error as CorralError).kind).toBe('invalid-argument');
    expect((error as CorralError).message).toMatch(/API_TOKEN/);
    expect((await second.getAgentStatus(req.agentId)).runCount).toBe(1); // nothing ran
  });

  it('refuses a key that is both plain and secret, and a secret loader key without allowLoaderEnv', async () => {
    const supervisor = await useSupervisor(prefix);
    const both = await supervisor.spawnAgent(request(prefix, ['true'], { env: { A: '1' }, secretEnv: { A: '2' } }));
    expect(both).toMatchObject({ status: 'failed', errorKind: 'invalid-argument' });
    expect(both.error).toMatch(/A is both a plain and a secret variable/);
    const loader = await supervisor.spawnAgent(request(prefix, ['true'], { secretEnv: { LD_PRELOAD: '/x.so' } }));
    expect(loader).toMatchObject({ status: 'failed', errorKind: 'invalid-argument' });
    expect(Object.keys(await supervisor.monitorAllAgents())).toEqual([]);
  });
});
