/**
 * One host per data folder (the hosts' side): a second `npm run serve` on the
 * folder of a running one, or of an engine, prints a message naming the
 * holder and exits 1 before serving anything; an engine on a web host's
 * folder is refused naming it; the holder keeps its agents and keeps saving.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SpawnResultView } from '../../src-preload/contract';
import { createSupervisor, CorralError } from '../../src-main/supervisor/index';
import { fixture, idPrefix, isPidAlive, NODE, request, tempDir, trackPid, useSupervisor } from '../helpers/agents';
import { waitFor } from '../helpers/wait';
import { connectServe, spawnServe, startServe } from './serve-process';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const isRendererBuilt = existsSync(path.join(REPO, 'out', 'renderer', 'index.html'));
const prefix = idPrefix('one-host');
/** serve.ts starts under tsx: seconds on a loaded 2-core machine. */
const SERVE_TEST_MS = 120_000;

function savedAgentIds(dataDir: string): string[] {
  const state = JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8')) as { agents: Record<string, unknown> };
  return Object.keys(state.agents).sort();
}

/** A second serve.ts on `dataDir`: it must exit 1 without ever printing its URL line. */
async function refusedServe(dataDir: string): Promise<string> {
  const second = spawnServe(['--port', '0', '--data-dir', dataDir, '--sample-ms', '100']);
  const served = waitFor(() => second.stdout().includes('Corral web host:'), { timeoutMs: SERVE_TEST_MS, what: 'a URL line' }).then((): never => {
    throw new Error(`A second web host started on ${dataDir}: ${second.stdout()}`);
  });
  expect(await Promise.race([second.exited, served])).toEqual({ code: 1, signal: null });
  expect(second.stdout()).toBe('');
  return second.stderr();
}

describe.skipIf(!isRendererBuilt)('one host per data folder', () => {
  it(
    'a second web host on the folder exits 1 at once naming the first, which keeps its agents and keeps saving',
    async () => {
      const dataDir = tempDir();
      const first = await startServe(dataDir);
      const client = await connectServe(first);
      const spawn = async (agentId: string) => {
        const answer = await client.call('spawnAgent', { requestId: `${agentId}-req`, agentId, agentName: 'kept', agentType: 'test', command: [NODE, fixture('sleeper.mjs')] });
        const pid = (answer as { ok: true; value: SpawnResultView }).value.pid as number;
        trackPid(pid);
        return pid;
      };
      const a = await spawn(`${prefix}-a`);
      await waitFor(() => savedAgentIds(dataDir).includes(`${prefix}-a`));

      const stderr = await refusedServe(dataDir);
      expect(stderr).toContain(`The data folder ${dataDir} is in use by another Corral web host (pid ${first.child.pid}, since `);
      expect(stderr).toContain('Stop it, or use another data folder (--data-dir / CORRAL_DATA_DIR).');

      // Nothing lost: the first still has its agent, and saves the next one.
      expect(savedAgentIds(dataDir)).toEqual([`${prefix}-a`]);
      const b = await spawn(`${prefix}-b`);
      await waitFor(() => savedAgentIds(dataDir).length === 2, { what: 'both agents saved' });
      expect(savedAgentIds(dataDir)).toEqual([`${prefix}-a`, `${prefix}-b`]);
      for (const agentId of [`${prefix}-a`, `${prefix}-b`]) {
        expect(await client.call('stopAgent', { agentId, force: true })).toMatchObject({ ok: true });
      }
      await waitFor(() => !isPidAlive(a) && !isPidAlive(b), { what: 'the agents to end' });
      first.child.kill('SIGTERM');
      expect(await first.exited).toEqual({ code: 0, signal: null });
    },
    SERVE_TEST_MS,
  );

  it(
    'an engine and a web host: whichever comes second is refused naming the first',
    async () => {
      // An engine first: the web host exits 1 naming it.
      const dataDir = tempDir();
      const engine = await useSupervisor(prefix, { dataDir, stopTimeouts: { firstTermMs: 300, secondTermMs: 300, killMs: 500 } });
      const req = request(prefix, [NODE, fixture('sleeper.mjs')]);
      expect((await engine.spawnAgent(req)).status).toBe('running');
      await waitFor(() => savedAgentIds(dataDir).includes(req.agentId));
      expect(await refusedServe(dataDir)).toContain(`is in use by another Corral engine (pid ${process.pid}, since `);
      expect(savedAgentIds(dataDir)).toEqual([req.agentId]);
      expect(Object.keys(await engine.monitorAllAgents())).toEqual([req.agentId]);

      // A web host first: an engine is refused naming it.
      const webDir = tempDir();
      const served = await startServe(webDir);
      const refused = await createSupervisor({ dataDir: webDir }).then(
        async (extra) => {
          await extra.close();
          throw new Error('an engine started on a web host’s data folder');
        },
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(CorralError);
      expect(refused).toMatchObject({ kind: 'data-dir-locked', message: expect.stringContaining(`another Corral web host (pid ${served.child.pid}, since `) });
      served.child.kill('SIGTERM');
      expect(await served.exited).toEqual({ code: 0, signal: null });
    },
    SERVE_TEST_MS,
  );

  it(
    'a data folder that is a file: the web host says so and exits 1',
    async () => {
      const file = path.join(tempDir(), 'a-file');
      writeFileSync(file, 'x');
      expect(await refusedServe(file)).toContain(`${file} is a file, not a folder: choose another data folder`);
    },
    SERVE_TEST_MS,
  );
});
