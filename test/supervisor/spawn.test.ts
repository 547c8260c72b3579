import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, idPrefix, isPidAlive, NODE, readLog, request, tempDir, useSupervisor, waitForLog } from '../helpers/agents';
import { waitFor } from '../helpers/wait';

const prefix = idPrefix('spawn');

describe('spawnAgent', () => {
  it('reports a verified running agent with its pid, and completed with exit code 0 when it ends', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('exit-code.mjs'), '0', '300']);
    const response = await supervisor.spawnAgent(req);
    expect(response.status).toBe('running');
    expect(response.pid).toBeGreaterThan(0);
    expect((await supervisor.getAgentStatus(req.agentId)).state).toBe('running');
    const done = await waitFor(async () => {
      const status = await supervisor.getAgentStatus(req.agentId);
      return status.state === 'completed' && status;
    });
    expect(done.exitCode).toBe(0);
    expect(done.health).toBe('completed');
    expect(done.processAlive).toBe(false);
    expect(done.endedAt).not.toBeNull();
  });

  it('a tick while an agent is still spawning leaves it spawning, then running: never lost', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('sleeper.mjs')]);
    const states: string[] = [];
    supervisor.on('state', (event) => event.agentId === req.agentId && states.push(event.state));
    const answer = supervisor.spawnAgent(req);
    // The record is registered (spawning) before the process exists: its root cannot be in any table yet.
    await supervisor.sampleNow();
    expect((await answer).status).toBe('running');
    const status = await supervisor.getAgentStatus(req.agentId);
    expect(status.state).toBe('running');
    expect(status.notes.filter((note) => note.startsWith('Ended while adopted'))).toEqual([]);
    expect(states).toEqual(['spawning', 'running']);
  });

  it('reports failed with the exit code of an agent that exits non-zero', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('exit-code.mjs'), '3', '200']);
    expect((await supervisor.spawnAgent(req)).status).toBe('running');
    const status = await waitFor(async () => {
      const s = await supervisor.getAgentStatus(req.agentId);
      return s.state === 'failed' && s;
    });
    expect(status.exitCode).toBe(3);
    expect(status.health).toBe('failed');
    expect(status.signal).toBeNull();
  });

  it('reports an agent that exits at once truthfully, never as running', async () => {
    const supervisor = await useSupervisor(prefix);
    const states: string[] = [];
    const req = request(prefix, ['sh', '-c', 'exit 7']);
    supervisor.on('state', (event) => event.agentId === req.agentId && states.push(event.state));
    const response = await supervisor.spawnAgent(req);
    // Whether it had already ended when the answer was made is a race; what it says must be true either way.
    if (response.status === 'exited') expect(response.exitCode).toBe(7);
    else expect(response.status).toBe('running');
    const status = await waitFor(async () => {
      const s = await supervisor.getAgentStatus(req.agentId);
      return s.state !== 'running' && s.state !== 'spawning' && s;
    });
    expect(status.state).toBe('failed');
    expect(status.exitCode).toBe(7);
    expect(status.error).toBe('Exited with code 7.');
    expect(states.at(-1)).toBe('failed');
    expect(states[0]).toBe('spawning');

    const ok = request(prefix, ['true']);
    await supervisor.spawnAgent(ok);
    const done = await waitFor(async () => {
      const s = await supervisor.getAgentStatus(ok.agentId);
      return s.state === 'completed' && s;
    });
    expect(done.exitCode).toBe(0);
  });

  it('fails clearly for a missing executable and leaves no record (a refused request creates nothing)', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, ['corral-no-such-program-xyz', '--flag']);
    const response = await supervisor.spawnAgent(req);
    expect(response.status).toBe('failed');
    expect(response.errorKind).toBe('spawn-failed');
    expect(response.error).toMatch(/corral-no-such-program-xyz.*not found on PATH/);
    await expect(supervisor.getAgentStatus(req.agentId)).rejects.toMatchObject({ kind: 'not-found' });
    expect(existsSync(path.join(supervisor.dataDir, 'agents', req.agentId))).toBe(false);
  });

  it('fails with permission-denied for a file that is not executable', async () => {
    const supervisor = await useSupervisor(prefix);
    const dir = tempDir();
    const script = path.join(dir, 'not-executable.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    chmodSync(script, 0o644);
    const response = await supervisor.spawnAgent(request(prefix, [script]));
    expect(response.status).toBe('failed');
    expect(response.errorKind).toBe('permission-denied');
    expect(response.error).toMatch(/Permission denied: .*not-executable\.sh is not executable/);
  });

  it('blames a missing working directory on the directory, not the command', async () => {
    const supervisor = await useSupervisor(prefix);
    const response = await supervisor.spawnAgent(request(prefix, ['true'], { cwd: '/definitely/not/here' }));
    expect(response.status).toBe('failed');
    expect(response.error).toBe('Working directory /definitely/not/here does not exist.');
  });

  it.each([
    ['path traversal', '../etc'],
    ['a slash', 'a/b'],
    ['empty', ''],
    ['too long', 'a'.repeat(65)],
    ['1000 characters', 'a'.repeat(1000)],
    ['a dot', '.'],
    ['a NUL byte', 'a\0b'],
  ])('rejects an agent id with %s and changes nothing', async (_what, agentId) => {
    const supervisor = await useSupervisor(prefix);
    const response = await supervisor.spawnAgent({ ...request(prefix, ['true']), agentId });
    expect(response.status).toBe('failed');
    expect(response.errorKind).toBe('invalid-argument');
    expect(response.error).toMatch(/agentId/);
    expect(await supervisor.monitorAllAgents()).toEqual({});
    expect(existsSync(path.join(supervisor.dataDir, 'agents'))).toBe(false); // no log folder, anywhere
    await expect(supervisor.getAgentStatus(agentId)).rejects.toMatchObject({ kind: 'invalid-argument' });
  });

  it('rejects an empty command, NUL bytes in argv or env, and malformed env keys', async () => {
    const supervisor = await useSupervisor(prefix);
    const cases = [
      { ...request(prefix, []) },
      { ...request(prefix, ['']) },
      { ...request(prefix, ['echo', 'a\0b']) },
      { ...request(prefix, ['true'], { env: { FOO: 'x\0y' } }) },
      { ...request(prefix, ['true'], { env: { 'A=B': 'x' } }) },
      { ...request(prefix, ['true'], { env: { '': 'x' } }) },
    ];
    for (const req of cases) {
      const response = await supervisor.spawnAgent(req);
      expect(response, JSON.stringify(req)).toMatchObject({ status: 'failed', errorKind: 'invalid-argument' });
    }
    expect(await supervisor.monitorAllAgents()).toEqual({});
  });

  it('refuses a second agent with the id of a running one', async () => {
    const supervisor = await useSupervisor(prefix);
    const first = request(prefix, [NODE, fixture('sleeper.mjs')]);
    expect((await supervisor.spawnAgent(first)).status).toBe('running');
    const second = await supervisor.spawnAgent({ ...first, requestId: `${first.requestId}-again` });
    expect(second).toMatchObject({ status: 'failed', errorKind: 'already-running' });
    expect((await supervisor.getAgentStatus(first.agentId)).state).toBe('running');
  });

  it('answers a repeated requestId with the first answer instead of spawning twice, even concurrently', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('sleeper.mjs')]);
    const [a, b] = await Promise.all([supervisor.spawnAgent(req), supervisor.spawnAgent(req)]);
    const c = await supervisor.spawnAgent(req);
    expect(a.status).toBe('running');
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(Object.keys(await supervisor.monitorAllAgents())).toEqual([req.agentId]);
  });

  it('passes the prompt byte for byte: quotes, newlines, $(...), unicode, as one argument and on stdin', async () => {
    const supervisor = await useSupervisor(prefix);
    const prompt = `it's "quoted" \`tick\` $(rm -rf /) $HOME ; | & > < \\ \n second line\t tab 🦀 漢字 \u202e rtl \u{10FFFF} end`;
    const req = request(prefix, [NODE, fixture('echo-args.mjs'), prompt, '--'], { prompt, stdin: prompt.repeat(3000) });
    const response = await supervisor.spawnAgent(req);
    expect(['running', 'exited']).toContain(response.status);
    await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).state === 'completed');
    const { logDir } = await supervisor.getAgentStatus(req.agentId);
    const echoed = JSON.parse(readLog(logDir, 'stdout'));
    expect(echoed.argv).toEqual([prompt, '--']);
    expect(echoed.stdin).toBe(prompt.repeat(3000));
  });

  it('runs each agent in its own session with CORRAL_AGENT_ID and CORRAL_STATUS_FILE set', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('sleeper.mjs')]);
    const { pid } = await supervisor.spawnAgent(req);
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    expect(Number(fields[2])).toBe(pid); // process group
    expect(Number(fields[3])).toBe(pid); // session
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(env).toContain(`CORRAL_AGENT_ID=${req.agentId}`);
    const status = await supervisor.getAgentStatus(req.agentId);
    expect(env).toContain(`CORRAL_STATUS_FILE=${path.join(status.logDir, 'status.json')}`);
    expect(status.pgid).toBe(pid);
  });

  it('writes stdout and stderr straight to 0600 files in a 0700 folder, appending across runs of the same id', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('exit-code.mjs'), '0']);
    await supervisor.spawnAgent(req);
    await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).state === 'completed');
    await supervisor.spawnAgent({ ...req, requestId: `${req.requestId}-2` });
    await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).state === 'completed');
    const { logDir } = await supervisor.getAgentStatus(req.agentId);
    expect(readLog(logDir, 'stdout')).toBe('exiting with 0\nexiting with 0\n');
    expect(readLog(logDir, 'stderr')).toBe('a line on stderr\na line on stderr\n');
    expect(statSync(logDir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(logDir, 'stdout.log')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(logDir, 'stderr.log')).mode & 0o777).toBe(0o600);
  });

  it('refuses every call with a typed error once closed, leaving agents running', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, fixture('sleeper.mjs')]);
    const { pid } = await supervisor.spawnAgent(req);
    await supervisor.close();
    await expect(supervisor.getAgentStatus(req.agentId)).rejects.toMatchObject({ kind: 'closed' });
    await expect(supervisor.spawnAgent(request(prefix, ['true']))).rejects.toMatchObject({ kind: 'closed' });
    expect(readFileSync(`/proc/${pid}/stat`, 'latin1')).toContain('(node)');
    process.kill(pid!, 'SIGKILL'); // ours to clean up now: the closed supervisor no longer tracks it
    await waitFor(() => !isPidAlive(pid!));
  });

  it('keeps an agent running and logging to its file without anyone reading it', async () => {
    const supervisor = await useSupervisor(prefix);
    const req = request(prefix, [NODE, '-e', "for (let i = 0; i < 20000; i++) console.log('line ' + i); setInterval(() => {}, 1000)"]);
    await supervisor.spawnAgent(req);
    const log = await waitForLog(supervisor, req.agentId, 'line 19999\n');
    expect(log.split('\n').length).toBe(20001);
  });
});
