/**
 * `corral pause` / `corral resume` as real processes against a real host: the agent's process stops
 * using CPU (its CPU time, read from /proc, stands still) and says `paused`, then runs again; the
 * wrong cases exit as documented (2 usage, 4 unknown id, 1 not running) with a message saying why.
 */
import { describe, expect, it } from 'vitest';
import { cpuTicksOf } from '../helpers/proc';
import type { AgentRow } from '../../src-main/cli/agents';
import type { AgentView } from '../../src-preload/contract';
import { fixture, NODE } from '../helpers/agents';
import { waitFor } from '../helpers/wait';
import { corral, corralJson, dataFolder, startHost } from './cli-harness';

/** Each CLI call is a Node start: a second or more on a loaded 2-core machine. */
const SLOW_MS = 120_000;

describe('corral pause / resume', () => {
  it(
    'pauses and resumes an agent, and refuses what it cannot do with the documented exit codes',
    async () => {
      const dataDir = dataFolder();
      const host = await startHost(dataDir);
      const d = ['--data-dir', dataDir];
      const run = await corral(['run', ...d, '--id', 'burner', '--', NODE, fixture('busy.mjs')]);
      expect(run, run.stderr).toMatchObject({ code: 0, stdout: 'burner\n' });
      const pid = (await corralJson<AgentView>(['status', 'burner', ...d])).pid!;
      await waitFor(() => cpuTicksOf(pid) > 0, { what: 'it to burn CPU' });

      const paused = await corral(['pause', 'burner', ...d]);
      expect(paused, paused.stderr).toMatchObject({ code: 0, stdout: 'burner: paused\n' });
      expect((await corralJson<AgentView>(['status', 'burner', ...d])).state).toBe('paused');
      const still = cpuTicksOf(pid);
      // A CLI start takes far longer than a clock tick: a running busy loop would have moved it.
      expect((await corralJson<AgentRow[]>(['ls', ...d])).find((row) => row.id === 'burner')).toMatchObject({ state: 'paused' });
      expect(cpuTicksOf(pid)).toBe(still);

      const resumed = await corral(['resume', 'burner', ...d]);
      expect(resumed, resumed.stderr).toMatchObject({ code: 0, stdout: 'burner: running\n' });
      await waitFor(() => cpuTicksOf(pid) > still, { what: 'CPU time to advance again' });

      const usage = await corral(['pause', ...d]);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain('Usage: corral pause ID…');
      const unknown = await corral(['resume', 'nobody', ...d]);
      expect(unknown.code).toBe(4);
      expect(unknown.stderr).toContain('No agent with id "nobody"');
      expect((await corral(['stop', 'burner', '--force', ...d])).code).toBe(0);
      const ended = await corral(['pause', 'burner', ...d]);
      expect(ended.code).toBe(1);
      expect(ended.stderr).toMatch(/Could not pause burner: .*is cancelled: only a running agent can be paused/);
      expect((await corral(['--help'])).stdout).toContain('pause ID… | resume ID…');
      // The host's own close removes the agent's cgroup (a host killed outright would leave it).
      expect((await corral(['shutdown', ...d])).code).toBe(0);
      await host.exited;
    },
    SLOW_MS,
  );
});
