/**
 * `npm run serve`'s entry (src-main/serve.ts) as a real child process:
 * the URL line, serving with that token, a clean exit on SIGTERM, and agents
 * that outlive it and are re-adopted by the next start.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AgentView, SpawnResultView } from '../../src-preload/contract';
import { fixture, idPrefix, isPidAlive, NODE, tempDir, trackPid } from '../helpers/agents';
import { waitFor } from '../helpers/wait';
import { connectServe, spawnServe } from './serve-process';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const isRendererBuilt = existsSync(path.join(REPO, 'out', 'renderer', 'index.html'));
const prefix = idPrefix('serve');

interface Served {
  child: ChildProcess;
  stdout: () => string;
  url: URL;
  port: number;
  token: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function serve(dataDir: string, extra: string[] = []): Promise<Served> {
  const started = spawnServe(['--port', '0', '--data-dir', dataDir, '--sample-ms', '100', ...extra]);
  const line = await waitFor(() => started.stdout().match(/^Corral web host: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43}))\n$/), {
    timeoutMs: 20_000,
    what: 'the URL line',
  }).catch((error: Error) => {
    throw new Error(`${error.message}; stdout: ${started.stdout()}; stderr: ${started.stderr()}`);
  });
  return { ...started, url: new URL(line[1] as string), port: Number(line[2]), token: line[3] as string };
}

describe('npm run serve', () => {
  it.skipIf(!isRendererBuilt)(
    'prints one URL line, serves the built page and the contract with that token, and exits 0 on SIGTERM leaving agents running for the next start',
    async () => {
      const dataDir = tempDir();
      const first = await serve(dataDir);
      // The page itself, with the CSP.
      const page = await fetch(new URL('/', first.url));
      expect(page.status).toBe(200);
      expect(await page.text()).toBe(readFileSync(path.join(REPO, 'out', 'renderer', 'index.html'), 'utf8'));
      expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");

      const client = await connectServe(first);
      const version = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
      expect(await client.call('getHostInfo')).toMatchObject({ ok: true, value: { host: 'web', version, dataDir, canOpenFolders: false } });
      const agentId = `${prefix}-1`;
      const spawned = await client.call('spawnAgent', { requestId: `${agentId}-req`, agentId, agentName: 'Outlives the host', agentType: 'test', command: [NODE, fixture('sleeper.mjs')] });
      const pid = (spawned as { ok: true; value: SpawnResultView }).value.pid as number;
      trackPid(pid);
      expect(isPidAlive(pid)).toBe(true);

      first.child.kill('SIGTERM');
      expect(await first.exited, first.stderr()).toEqual({ code: 0, signal: null });
      expect(first.stdout().split('\n').filter(Boolean)).toHaveLength(1);
      expect(first.stderr()).not.toContain(first.token);
      expect(isPidAlive(pid)).toBe(true);

      // The next start reuses the token kept in the data folder (open tabs reconnect) and re-adopts the agent.
      const second = await serve(dataDir);
      expect(second.token).toBe(first.token);
      const again = await connectServe(second);
      const all = await again.call('monitorAllAgents');
      expect((all as { ok: true; value: Record<string, AgentView> }).value[agentId]).toMatchObject({ state: 'running', pid, adopted: true });
      expect(await again.call('stopAgent', { agentId })).toMatchObject({ ok: true, value: { outcome: 'stopped' } });
      await waitFor(() => !isPidAlive(pid), { what: 'the agent to end' });

      second.child.kill('SIGINT');
      expect(await second.exited).toEqual({ code: 0, signal: null });

      // --new-token rotates it: the old one is refused from then on.
      const third = await serve(dataDir, ['--new-token']);
      expect(third.token).not.toBe(first.token);
      await expect(connectServe({ ...third, token: first.token })).rejects.toThrow();
      third.child.kill('SIGTERM');
      expect(await third.exited).toEqual({ code: 0, signal: null });
    },
  );

  it('refuses a bad flag with the usage and exit code 2', async () => {
    const started = spawnServe(['--port', 'eighty']);
    expect(await started.exited).toEqual({ code: 2, signal: null });
    expect(started.stderr()).toContain('--port must be a whole number');
    expect(started.stderr()).toContain('Usage: npm run serve --');
    expect(started.stdout()).toBe('');
  });
});
