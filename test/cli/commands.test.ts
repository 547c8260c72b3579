/**
 * Every `corral` command as a real process against a real host (`corral serve
 * --no-web` as a child) over its real socket: what each prints (human and
 * `--json`), what it does to real processes (/proc), and every documented
 * exit code from a real case.
 */
import { describe, expect, it } from 'vitest';
import type { AgentView, SpawnResultView, StopReportView } from '../../src-preload/contract';
import type { AgentRow } from '../../src-main/cli/agents';
import { fixture, isPidAlive, NODE } from '../helpers/agents';
import { waitFor } from '../helpers/wait';
import { agentPids, corral, corralJson, dataFolder, startHost } from './cli-harness';

/** Each CLI call is a Node start: a second or more on a loaded 2-core machine. */
const SLOW_MS = 120_000;

describe('corral commands against a running host', () => {
  it('run, ls, status, logs, wait, stop, restart and rm do what they say, in people’s and in JSON form', async () => {
    const dataDir = dataFolder();
    const host = await startHost(dataDir);
    const d = ['--data-dir', dataDir];

    // run: every flag reaches the request; the id is the one line on stdout.
    const run = await corral(
      ['run', ...d, '--id', 'worker-1', '--name', 'Worker one', '--type', 'worker', '--model', 'm-1', '--parent', 'boss', '--load', '40', '--cwd', '/tmp', '--env', 'GREETING=hi there', '--secret-env', 'TOKEN_X', '--restart', 'on-failure', '--prompt', 'do it', '--', NODE, fixture('sleeper.mjs')],
      { env: { TOKEN_X: 's3cret' } },
    );
    expect(run, run.stderr).toMatchObject({ code: 0, stdout: 'worker-1\n' });
    const view = await corralJson<AgentView>(['status', 'worker-1', ...d]);
    expect(view).toMatchObject({ agentId: 'worker-1', agentName: 'Worker one', agentType: 'worker', model: 'm-1', parentAgentId: 'boss', state: 'running' });
    expect(view.policies.restart.mode).toBe('on-failure');
    const pid = view.pid!;
    expect(isPidAlive(pid)).toBe(true);
    const environ = (await import('node:fs')).readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
    expect(environ).toEqual(expect.arrayContaining(['GREETING=hi there', 'TOKEN_X=s3cret', `CORRAL_SOCKET=${host.socketPath}`, `CORRAL_DATA_DIR=${dataDir}`]));
    expect((await import('node:fs')).readlinkSync(`/proc/${pid}/cwd`)).toBe('/tmp');

    // A short one that fails, with a few lines on each stream.
    const printer = await corral(['run', ...d, '--id', 'printer', '--', 'sh', '-c', 'for i in 1 2 3 4; do echo out $i; done; echo err 1 >&2; exit 3']);
    expect(printer.code, printer.stderr).toBe(0);
    const waited = await corral(['wait', 'printer', ...d]);
    expect(waited.code, waited.stderr).toBe(3);

    // ls: live ones only by default; --all adds the ended; --json rows are the documented shape.
    const live = await corralJson<AgentRow[]>(['ls', ...d]);
    expect(live.map((row) => row.id)).toEqual(['worker-1']);
    expect(live[0]).toMatchObject({ id: 'worker-1', name: 'Worker one', type: 'worker', parent: 'boss', state: 'running', pid, processes: 1, exitCode: null, restarts: 0 });
    const all = await corralJson<AgentRow[]>(['ls', '--all', ...d]);
    expect(all.find((row) => row.id === 'printer')).toMatchObject({ state: 'failed', exitCode: 3, processes: 0 });
    const table = await corral(['ls', '--all', ...d]);
    expect(table.code).toBe(0);
    const [header, ...lines] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID +STATE +PID +CPU +MEMORY +UPTIME +PARENT +NAME$/);
    expect(lines).toHaveLength(2);
    // Aligned: every row's STATE starts in the header's STATE column; no colour codes off a terminal.
    for (const line of lines) expect(line.indexOf(line.includes('printer') ? 'failed' : 'running')).toBe(header!.indexOf('STATE'));
    expect(table.stdout).not.toContain('\u001b[');
    const human = await corral(['status', 'printer', ...d]);
    expect(human.stdout).toMatch(/^State: +failed/m);
    expect(human.stdout).toMatch(/^Exit: +Exited with code 3/m);

    // logs: both streams, one stream, the tail.
    expect(await corral(['logs', 'printer', ...d])).toMatchObject({ code: 0, stdout: 'out 1\nout 2\nout 3\nout 4\n', stderr: 'err 1\n' });
    expect(await corral(['logs', 'printer', '--stderr', ...d])).toMatchObject({ code: 0, stdout: '', stderr: 'err 1\n' });
    expect(await corral(['logs', 'printer', '--stdout', '--tail', '2', ...d])).toMatchObject({ code: 0, stdout: 'out 3\nout 4\n', stderr: '' });

    // logs -f: what is there, then new lines as they come, and it ends when the agent does.
    expect((await corral(['run', ...d, '--id', 'ticker', '--', 'sh', '-c', 'echo first; read -t 1 x < /dev/zero; for i in 1 2 3; do echo tick $i; sleep 0.2; done'])).code).toBe(0);
    const followed = await corral(['logs', 'ticker', '-f', ...d]);
    expect(followed).toMatchObject({ code: 0, stdout: 'first\ntick 1\ntick 2\ntick 3\n' });

    // run --follow prints the output and exits with the agent's code.
    const follow = await corral(['run', ...d, '--follow', '--', NODE, fixture('exit-code.mjs'), '7', '300']);
    expect(follow).toMatchObject({ code: 7, stdout: 'exiting with 7\n', stderr: 'a line on stderr\n' });

    // restart: a new process for the same agent.
    const restarted = await corral(['restart', 'worker-1', ...d]);
    expect(restarted.code, restarted.stderr).toBe(0);
    const after = await corralJson<AgentView>(['status', 'worker-1', ...d]);
    expect(after.state).toBe('running');
    expect(after.pid).not.toBe(pid);
    expect(isPidAlive(pid)).toBe(false);

    // stop: the tree is gone, the report says how.
    const stopped = await corralJson<StopReportView[]>(['stop', 'worker-1', ...d]);
    expect(stopped).toEqual([expect.objectContaining({ agentId: 'worker-1', outcome: 'stopped', forced: false })]);
    expect(isPidAlive(after.pid!)).toBe(false);

    // rm: one by id (a live one is refused), then every ended one.
    const sleeper = await corral(['run', ...d, '--json', '--id', 'keeps', '--', NODE, fixture('sleeper.mjs')]);
    expect(JSON.parse(sleeper.stdout) as SpawnResultView).toMatchObject({ agentId: 'keeps', status: 'running' });
    const refused = await corral(['rm', 'keeps', ...d]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('stop it first (`corral stop keeps`)');
    expect(await corral(['rm', 'printer', ...d])).toMatchObject({ code: 0, stdout: 'Removed printer.\n' });
    expect((await corral(['rm', '--finished', ...d])).code).toBe(0);
    expect((await corralJson<AgentRow[]>(['ls', '--all', ...d])).map((row) => row.id)).toEqual(['keeps']);

    // stop --all --force: nothing of this folder left in /proc.
    expect(await corralJson(['stop', '--all', '--force', ...d])).toMatchObject({ stopped: ['keeps'], unkillable: [] });
    await waitFor(() => agentPids(dataDir).length === 0, { what: 'no agent processes' });
    expect(host.child.exitCode).toBeNull();
  }, SLOW_MS);

  it('exits 2 on usage errors, 3 without a host, 4 for an unknown id, and 1 when the agent failed — each message saying what to do', async () => {
    const dataDir = dataFolder();
    const d = ['--data-dir', dataDir];
    // 3: no host, and none started.
    const noHost = await corral(['run', '--no-start', ...d, '--', 'true']);
    expect(noHost.code).toBe(3);
    expect(noHost.stderr).toContain(`No Corral host is running on ${dataDir}; start one with \`corral serve\``);
    expect((await corral(['ls', ...d])).code).toBe(3);

    await startHost(dataDir);
    // 2: usage, with the usage line.
    const badFlag = await corral(['ls', '--bogus', ...d]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('Usage: corral ls');
    expect((await corral(['run', ...d])).stderr).toContain('Name the program to run after `--`');
    expect((await corral(['run', ...d, '--secret-env', 'SURELY_UNSET_HERE', '--', 'true'])).stderr).toContain('SURELY_UNSET_HERE is not set in this environment');
    // 4: unknown id, for every command that names one.
    for (const args of [['status', 'ghost'], ['stop', 'ghost'], ['wait', 'ghost']]) {
      const result = await corral([...args, ...d]);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(4);
      expect(result.stderr).toContain('corral ls --all');
    }
    // 1: the agent failed (wait, run --follow), or it could not start.
    expect((await corral(['run', ...d, '--follow', '--', 'sh', '-c', 'exit 1'])).code).toBe(1);
    const missing = await corral(['run', ...d, '--', '/nonexistent/program']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('did not start');
    // And 0 for success.
    const ok = (await corral(['run', ...d, '--', 'true'])).stdout.trim();
    expect(await corral(['wait', ok, ...d])).toMatchObject({ code: 0 });
  }, SLOW_MS);
});
