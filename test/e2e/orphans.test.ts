/**
 * The orphan sweep in the real UI: an agent's double-forked daemon outlives
 * it; the header shows `Orphans 1`, the Orphans dialog lists the daemon, and
 * its Stop button ends it (checked in /proc).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { AgentView, OrphanView } from '../../src-preload/contract';
import { isPidAlive } from '../helpers/proc';
import { nodeAgentRequest, SHARED_FIXTURES, textUntil, until, WireClient } from './harness';
import { useE2E } from './session';

const e2e = useE2E('orphans');

describe('orphans in the browser', () => {
  test(
    'the Orphans dialog lists a daemon whose agent ended, and Stop removes it',
    async () => {
      const client = await WireClient.connect(e2e.host);
      let daemon = 0;
      try {
        const id = e2e.id('escape');
        await client.must('spawnAgent', nodeAgentRequest(id, path.join(SHARED_FIXTURES, 'escape.mjs'), ['--orphan'], 'Escaper'));
        const log = path.join(e2e.host.dataDir, 'agents', id, 'stdout.log');
        daemon = Number(
          (await until('the escaped pid in the log', () => /escaped (\d+)/.exec(readFileSync(log, 'utf8'))?.[1])) as string,
        );
        await until('the agent to end', async () => (await client.must<AgentView>('getAgent', { agentId: id })).state === 'completed');
        // A sweep now, rather than at the engine's next 10 s one; the header's count follows on the next tick.
        const orphans = await client.must<OrphanView[]>('listOrphans');
        expect(orphans.map((orphan) => [orphan.pid, orphan.agentId])).toEqual([[daemon, id]]);

        const { page } = await e2e.open();
        const button = page.getByRole('region', { name: 'Summary' }).getByRole('button', { name: 'Orphans', exact: true });
        await textUntil(button, 'the header to say Orphans 1', (text) => /Orphans\s*1/.test(text));
        await button.click();
        const dialog = page.getByRole('dialog', { name: 'Orphans' });
        await dialog.waitFor({ timeout: 10_000 });
        const table = dialog.getByRole('table', { name: 'Orphan processes' });
        await textUntil(table, 'the daemon to be listed', (text) => text.includes(String(daemon)) && text.includes(id));
        expect(await dialog.getByRole('button', { name: 'Stop all orphans' }).isEnabled()).toBe(true);

        await dialog.getByRole('button', { name: `Stop orphan ${daemon}` }).click();
        await dialog.getByRole('button', { name: `Stop orphan ${daemon}` }).waitFor({ state: 'detached', timeout: 15_000 });
        await textUntil(dialog, 'the outcome', (text) => text.includes('Stopped 1 orphan'));
        expect(isPidAlive(daemon)).toBe(false);

        await dialog.getByRole('button', { name: 'Close' }).click();
        await dialog.waitFor({ state: 'hidden' });
        await button.waitFor({ state: 'hidden', timeout: 10_000 });
      } finally {
        client.close();
        if (daemon > 0 && isPidAlive(daemon)) process.kill(daemon, 'SIGKILL');
      }
    },
    60_000,
  );
});
