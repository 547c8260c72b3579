/**
 * Sub-agents end to end: an orchestrator agent (a shell script) runs the real
 * `corral` command three times. Inside the agent, CORRAL_SOCKET leads that
 * command to the host that started it and `--parent` defaults to the agent's
 * own CORRAL_AGENT_ID, so the three workers appear under it in the browser's
 * Agents tree — within one tick of their creation. Stopping the orchestrator
 * from the page stops all four, its workers first, and nothing is left in /proc.
 *
 * "One tick" is the host's sampling interval (TEST_SAMPLE_MS): the page learns
 * of a new agent from the host's status event, pushed once per tick. The test
 * times each worker from its creation (its `startedAt`, the host's clock,
 * which is this machine's) to the moment its row is in the page's tree,
 * polling the DOM every 20 ms, and allows one interval plus ROW_SLACK_MS for
 * the event to cross the WebSocket, React to render, and the poll to look (a
 * shared 2-core machine).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { AgentView, StopReportView } from '../../src-preload/contract';
import { liveAgentProcesses } from '../helpers/proc';
import { agentRow, NODE, openAgent, REPO, until, waitForState, WireClient } from './harness';
import { TEST_SAMPLE_MS, useE2E } from './session';

const e2e = useE2E('subagents');
const TIMEOUT = 90_000;
const CLI = path.join(REPO, 'out', 'cli', 'corral.js');
const ROW_SLACK_MS = 1_000;
const WORKERS = 3;

/** The rows of the Agents tree as the page has them now: id → aria-level and vertical position. A string: the node tsconfig has no DOM types. */
const TREE_ROWS = `(() => Object.fromEntries(Array.from(document.querySelectorAll('[role="tree"] [role="treeitem"]')).map((el) => [
  el.id.replace(/^agent-row-/, ''),
  { level: Number(el.getAttribute('aria-level')), top: el.getBoundingClientRect().top },
])))()`;

describe('sub-agents in the browser', () => {
  test(
    'an agent that runs `corral run` three times shows three children under it within one tick; Stop on it stops all four, children first',
    async () => {
      if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (it builds the corral command with build:cli) before the e2e tests.`);
      const { page } = await e2e.open();
      const parentId = e2e.id('orchestrator');
      const workerIds = Array.from({ length: WORKERS }, (_, i) => `${parentId}-w${i + 1}`);
      // No --parent: it must default to $CORRAL_AGENT_ID. --no-start: a missing socket fails here instead of starting a second host.
      const script = [
        'echo "socket=$CORRAL_SOCKET"',
        ...workerIds.map((id, i) => `"$CORRAL_NODE" "$CORRAL_CLI" run --no-start --id ${id} --name child-${i + 1} -- sleep 600 || exit 9`),
        'exec sleep 600',
      ].join('\n');

      const client = await WireClient.connect(e2e.host);
      try {
        await client.must('spawnAgent', {
          requestId: `${parentId}-req`,
          agentId: parentId,
          agentName: 'Orchestrator',
          agentType: 'e2e',
          command: ['sh', '-c', script],
          env: { CORRAL_NODE: NODE, CORRAL_CLI: CLI },
        });
        await agentRow(page, parentId).waitFor({ timeout: 15_000 });

        // Each worker's row, and when the page first had it (wall clock, to compare with the host's startedAt).
        const seen = new Map<string, { level: number; top: number; at: number }>();
        await until(
          `the ${WORKERS} workers in the tree`,
          async () => {
            const rows = (await page.evaluate(TREE_ROWS)) as Record<string, { level: number; top: number }>;
            const now = Date.now();
            for (const id of workerIds) if (rows[id] && !seen.has(id)) seen.set(id, { ...rows[id]!, at: now });
            return seen.size === WORKERS;
          },
          60_000,
          20,
        ).catch(async (error: unknown) => {
          const log = await client.call('readLog', { agentId: parentId, stream: 'stderr', maxBytes: 4096 });
          throw new Error(`${error instanceof Error ? error.message : String(error)}; the orchestrator's stderr: ${JSON.stringify(log)}`);
        });
        const parentRow = ((await page.evaluate(TREE_ROWS)) as Record<string, { level: number; top: number }>)[parentId]!;
        for (const id of workerIds) {
          const row = seen.get(id)!;
          const { startedAt } = await client.must<AgentView>('getAgent', { agentId: id });
          expect(row.at - Date.parse(startedAt!), `${id}: ms from its start to its row in the tree`).toBeLessThanOrEqual(TEST_SAMPLE_MS + ROW_SLACK_MS);
          // Under the orchestrator: one level deeper, below it.
          expect(row.level).toBe(parentRow.level + 1);
          expect(row.top).toBeGreaterThan(parentRow.top);
        }
        expect(await agentRow(page, parentId).getAttribute('aria-expanded')).toBe('true');

        // Through the contract: the workers name it as their parent (defaulted), and it saw the host's socket.
        for (const id of workerIds) expect((await client.must<AgentView>('getAgent', { agentId: id })).parentAgentId).toBe(parentId);
        const log = await client.must<{ data: string }>('readLog', { agentId: parentId, stream: 'stdout', maxBytes: 4096 });
        expect(Buffer.from(log.data, 'base64').toString('utf8')).toContain(`socket=${path.join(e2e.host.dataDir, 'corral.sock')}`);
        await until('the orchestrator and its workers to run', async () => liveAgentProcesses(parentId).length >= WORKERS + 1);

        // Stop the orchestrator from the page.
        const panel = await openAgent(page, parentId);
        await panel.getByRole('button', { name: 'Stop', exact: true }).click();
        const confirm = page.getByRole('alertdialog', { name: 'Stop Orchestrator?' });
        await confirm.waitFor({ timeout: 5_000 });
        await confirm.getByRole('button', { name: 'Stop', exact: true }).click();
        await waitForState(panel, 'cancelled', 40_000);

        // All four stopped by Corral; the orchestrator's report lists its three workers, each stopped before it began.
        const parent = await client.must<AgentView>('getAgent', { agentId: parentId });
        const report = parent.stopReport as StopReportView;
        expect(report.outcome).toBe('stopped');
        expect((report.children ?? []).map((child) => child.agentId).sort()).toEqual([...workerIds].sort());
        const parentStoppedAt = Date.parse(report.startedAt);
        for (const id of workerIds) {
          const worker = await client.must<AgentView>('getAgent', { agentId: id });
          expect(worker.state).toBe('cancelled');
          expect(worker.lastExit).toMatchObject({ kind: 'stopped', stoppedBy: 'user' });
          expect(Date.parse(worker.endedAt!), `${id} ended before the orchestrator's own stop began`).toBeLessThanOrEqual(parentStoppedAt);
        }
        expect(parent.lastExit).toMatchObject({ kind: 'stopped', stoppedBy: 'user' });
        await until('no process of the four left', () => liveAgentProcesses(parentId).length === 0, 10_000);
      } finally {
        client.close();
      }
    },
    TIMEOUT,
  );
});
