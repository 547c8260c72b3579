/**
 * `corral apply FILE` / `corral down FILE` as real processes against a real
 * host: a file of two agents (one depending on the other's log line) comes
 * up in order, a second apply changes nothing, down stops both, and a bad
 * file is exit 2 with its position before any host is reached.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentView } from '../../src-preload/contract';
import { fixture, isPidAlive, NODE } from '../helpers/agents';
import { agentPids, corral, corralJson, dataFolder, startHost } from './cli-harness';

const SLOW_MS = 120_000;

function agentsFile(dir: string, text: string): string {
  const file = path.join(dir, 'agents.yaml');
  writeFileSync(file, text);
  return file;
}

describe('corral apply / down', () => {
  it('brings a file up in dependency order, changes nothing the second time, and takes it down', async () => {
    const dataDir = dataFolder();
    await startHost(dataDir);
    const d = ['--data-dir', dataDir];
    const file = agentsFile(
      dataDir,
      [
        'project: demo',
        'agents:',
        '  db:',
        `    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('ticker.mjs'))}]`,
        '  web:',
        `    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('sleeper.mjs'))}]`,
        '    depends_on:',
        '      db: { log: "tick 2" }',
        '',
      ].join('\n'),
    );

    const first = await corral(['apply', file, ...d, '--json'], { timeoutMs: 60_000 });
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as { ok: boolean; started: string[]; left: string[] };
    expect(report).toMatchObject({ ok: true, left: [] });
    expect(report.started.sort()).toEqual(['demo.db', 'demo.web']);
    expect(first.stderr).toContain('demo.web: waiting for demo.db (log');
    const web = await corralJson<AgentView>(['status', 'demo.web', ...d]);
    const db = await corralJson<AgentView>(['status', 'demo.db', ...d]);
    expect(web.state).toBe('running');
    // The dependant started only after the line appeared.
    expect(Date.parse(web.startedAt!)).toBeGreaterThan(Date.parse(db.startedAt!));

    const second = await corral(['apply', file, ...d, '--json'], { timeoutMs: 60_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ ok: true, started: [], restarted: [] });
    expect((await corralJson<AgentView>(['status', 'demo.web', ...d])).pid).toBe(web.pid);

    const down = await corral(['down', file, ...d], { timeoutMs: 60_000 });
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toBe('Stopped 2 agent(s).\n');
    expect(isPidAlive(web.pid!)).toBe(false);
    expect(agentPids(dataDir)).toEqual([]);
  }, SLOW_MS);

  it('refuses a bad file with its position (exit 2) and a cycle naming it, before reaching any host', async () => {
    const dataDir = dataFolder();
    const d = ['--data-dir', dataDir, '--no-start'];
    const syntax = await corral(['apply', agentsFile(dataDir, 'agents:\n  a: [unclosed\n'), ...d]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/agents\.yaml:\d+:\d+: /);
    const cycle = await corral([
      'apply',
      agentsFile(dataDir, 'agents:\n  a:\n    command: [sleep, "1"]\n    depends_on: { b: started }\n  b:\n    command: [sleep, "1"]\n    depends_on: { a: started }\n'),
      ...d,
    ]);
    expect(cycle.code).toBe(2);
    expect(cycle.stderr).toMatch(/a → b → a|b → a → b/);
  }, SLOW_MS);
});
