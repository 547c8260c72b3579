/**
 * "Never lose an agent": hostile agents and bad input against the real engine,
 * with real processes and signals. Cases already covered elsewhere are not
 * repeated here (see terminate.test.ts, sampling.test.ts, spawn.test.ts).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentStatus, LogEvent, Supervisor } from '../../src-main/supervisor/index';
import { fixture, idPrefix, isPidAlive, liveAgentProcesses, NODE, readLog, request, tempDir, useSupervisor, waitForLog, waitForTicks } from '../helpers/agents';
import { waitFor } from '../helpers/wait';

const prefix = idPrefix('hostile');
const FAST = { firstTermMs: 2000, secondTermMs: 1000, killMs: 2000 };

function environOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Nothing of a refused request may exist: no record, no log folder. */
async function expectNothingCreated(supervisor: Supervisor): Promise<void> {
  expect(await supervisor.monitorAllAgents()).toEqual({});
  expect(existsSync(path.join(supervisor.dataDir, 'agents'))).toBe(false);
}

describe('hostile agents', () => {
  it('counts all 200 children of an agent that forks 200, and a graceful stop ends all 201 processes', async () => {
    const supervisor = await useSupervisor(prefix);
    const script = 'i=0; while [ $i -lt 200 ]; do sleep 1000 & i=$((i+1)); done; echo forked; wait';
    const req = request(prefix, ['sh', '-c', script]);
    expect((await supervisor.spawnAgent(req)).status).toBe('running');
    await waitForLog(supervisor, req.agentId, 'forked');
    // Under load a forked child may still be `sh` for a moment before it becomes `sleep`.
    const tree = await waitFor(async () => {
      await supervisor.sampleNow();
      const processes = await supervisor.getProcessTree(req.agentId);
      return processes.filter((p) => p.name === 'sleep').length === 200 && processes;
    }, { what: '200 sleep children' });
    expect(tree).toHaveLength(201);
    const status = await supervisor.getAgentStatus(req.agentId);
    expect(status.descendantCount).toBe(200);
    expect(status.treeMemoryMb).toBeGreaterThan(status.memoryMb!);

    expect(await supervisor.killAgent(req.agentId, { timeouts: FAST })).toBe(true);
    expect(tree.map((p) => p.pid).filter(isPidAlive)).toEqual([]);
    const after = await supervisor.getAgentStatus(req.agentId);
    expect(after.state).toBe('cancelled');
    expect(after.stopReport!.outcome).toBe('stopped');
    expect(after.stopReport!.processCount).toBeGreaterThanOrEqual(201);
    expect(after.stopReport!.endedByStage.kill).toBe(0); // graceful: SIGTERM was enough for every one
    expect(after.stopReport!.survivors).toEqual([]);
    expect(liveAgentProcesses(req.agentId)).toEqual([]);
  });

  it('never leaves an agent that exits within a millisecond in spawning or running: right state, code and signal, 40 times over', async () => {
    const supervisor = await useSupervisor(prefix);
    const kinds = [
      { command: ['true'], state: 'completed', exitCode: 0, signal: null },
      { command: ['false'], state: 'failed', exitCode: 1, signal: null },
      { command: ['sh', '-c', 'exit 42'], state: 'failed', exitCode: 42, signal: null },
      { command: ['sh', '-c', 'kill -KILL $$'], state: 'failed', exitCode: null, signal: 'SIGKILL' },
    ] as const;
    const cases = Array.from({ length: 40 }, (_, i) => ({ ...kinds[i % kinds.length]!, req: request(prefix, [...kinds[i % kinds.length]!.command]) }));
    const lastState = new Map<string, string>();
    supervisor.on('state', (event) => lastState.set(event.agentId, event.state));
    const responses = await Promise.all(cases.map(({ req }) => supervisor.spawnAgent(req)));
    responses.forEach((response, i) => {
      const expected = cases[i]!;
      // Whether it had ended when the answer was made is a race; the answer must be true either way.
      expect(['running', 'exited']).toContain(response.status);
      expect(response.pid).toBeGreaterThan(0);
      if (response.status === 'exited') expect({ exitCode: response.exitCode, signal: response.signal }).toEqual({ exitCode: expected.exitCode, signal: expected.signal });
    });
    const final = await waitFor(async () => {
      const all = await supervisor.monitorAllAgents();
      return Object.values(all).every((s) => s.state !== 'spawning' && s.state !== 'running') && all;
    }, { what: 'every quick agent to end' });
    for (const { req, state, exitCode, signal } of cases) {
      const status = final[req.agentId] as AgentStatus;
      expect({ state: status.state, exitCode: status.exitCode, signal: status.signal }, req.command.join(' ')).toEqual({ state, exitCode, signal });
      expect(lastState.get(req.agentId)).toBe(state);
      expect(status.endedAt).not.toBeNull();
    }
    expect(final[cases[3]!.req.agentId]!.error).toBe('Killed by SIGKILL, not sent by Corral. Possibly out of memory (the kernel OOM killer sends SIGKILL).');
    expect(final[cases[3]!.req.agentId]!.lastExit).toMatchObject({ kind: 'signalled', signal: 'SIGKILL', possiblyOutOfMemory: true });
  });

  it('keeps an agent that closed its stdout and stderr running: still sampled, its logs tailed without error, and stoppable', async () => {
    const supervisor = await useSupervisor(prefix, { logPollMs: 20 });
    const chunks: LogEvent[] = [];
    supervisor.on('log', (event) => chunks.push(event));
    const req = request(prefix, ['sh', '-c', 'echo before; exec 1>&-; echo after >&2; exec 2>&-; exec sleep 1000']);
    const { pid } = await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'after', 'stderr');
    // It really has no stdout or stderr any more, and it is `sleep` now.
    await waitFor(() => !existsSync(`/proc/${pid}/fd/1`) && !existsSync(`/proc/${pid}/fd/2`) && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep');
    const historyBefore = (await supervisor.getAgentHistory(req.agentId)).length;
    await supervisor.sampleNow();
    // The engine's own ticks sample it too, and give the 20 ms log tail a 200 ms interval's polls of the closed streams.
    const ticks = await waitForTicks(supervisor, 2);
    expect(ticks.map((tick) => tick.agents[req.agentId]?.processAlive)).toEqual([true, true]);
    await supervisor.sampleNow();
    const status = await supervisor.getAgentStatus(req.agentId);
    expect(status).toMatchObject({ state: 'running', health: 'healthy', processAlive: true, pid });
    expect(status.memoryMb).toBeGreaterThan(0);
    expect((await supervisor.getAgentHistory(req.agentId)).length).toBeGreaterThan(historyBefore);
    expect(status.notes).toEqual([]); // the tail reported no problem
    const text = (stream: 'stdout' | 'stderr') =>
      chunks
        .filter((c) => c.agentId === req.agentId && c.stream === stream)
        .map((c) => Buffer.from(c.data).toString('utf8'))
        .join('');
    await waitFor(() => text('stdout') === 'before\n' && text('stderr') === 'after\n', { what: 'both log events' });
    expect(Buffer.from((await supervisor.readLog(req.agentId, 'stdout', { maxBytes: 100 })).data).toString()).toBe('before\n');

    expect(await supervisor.killAgent(req.agentId, { timeouts: FAST })).toBe(true);
    expect(isPidAlive(pid!)).toBe(false);
    expect((await supervisor.getAgentStatus(req.agentId)).state).toBe('cancelled');
  });

  it('counts several zombie descendants, and reapZombies clears them when their parent reaps on SIGCHLD', async () => {
    const supervisor = await useSupervisor(prefix);
    // Three children exit while the parent has no SIGCHLD handler (zombies: it waits until /proc says all three are
    // state Z); then it installs one that reaps.
    const script = 'use POSIX ":sys_wait_h"; $| = 1; my @kids; for (1..3) { my $kid = fork(); exit 0 if $kid == 0; push @kids, $kid } sub zombie { open(my $f, "<", "/proc/$_[0]/stat") or return 0; return <$f> =~ /\\) Z /; } select(undef, undef, undef, 0.01) until 3 == grep { zombie($_) } @kids; $SIG{CHLD} = sub { 1 while waitpid(-1, WNOHANG) > 0 }; print "ready\\n"; sleep 1 while 1;';
    const req = request(prefix, ['perl', '-e', script]);
    await supervisor.spawnAgent(req);
    await waitForLog(supervisor, req.agentId, 'ready');
    const status = await waitFor(async () => {
      await supervisor.sampleNow();
      const s = await supervisor.getAgentStatus(req.agentId);
      return s.zombieDescendants === 3 && s;
    }, { what: '3 zombie descendants' });
    expect(status.descendantCount).toBe(3);
    expect(status.health).toBe('healthy');
    expect((await supervisor.getProcessSummary()).zombieDescendants).toBe(3);
    expect(await supervisor.reapZombies()).toEqual([req.agentId]);
    await supervisor.sampleNow();
    const after = await supervisor.getAgentStatus(req.agentId);
    expect(after).toMatchObject({ zombieDescendants: 0, descendantCount: 0, state: 'running' });
    expect(after.notes.join('\n')).not.toMatch(/remains/);
  });

  it('answers 200 spawn requests at once: 200 running with distinct pids, all saved, all stopped by one cleanup, no descriptor leaked', async () => {
    const dataDir = tempDir();
    const supervisor = await useSupervisor(prefix, { dataDir, sampleIntervalMs: 1000 });
    const fdsBefore = openFds();
    const reqs = Array.from({ length: 200 }, () => request(prefix, ['sleep', '1000']));
    const responses = await Promise.all(reqs.map((req) => supervisor.spawnAgent(req)));
    expect(responses.map((r) => r.status)).toEqual(reqs.map(() => 'running'));
    const pids = responses.map((r) => r.pid!);
    expect(new Set(pids).size).toBe(200);
    expect(pids.every(isPidAlive)).toBe(true);

    // The state file, read on its own: every agent, running, with its pid.
    const saved = await waitFor(() => {
      const file = JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8')) as { agents: Record<string, { state: string; pid: number }> };
      return reqs.every((req, i) => file.agents[req.agentId]?.state === 'running' && file.agents[req.agentId]?.pid === pids[i]) && file;
    }, { what: 'all 200 agents in state.json' });
    expect(Object.keys(saved.agents)).toHaveLength(200);

    const report = await supervisor.cleanup({ timeouts: FAST });
    expect(report.stopped.sort()).toEqual(reqs.map((r) => r.agentId).sort());
    expect(pids.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]); // reaped, not even zombies
    expect(liveAgentProcesses(prefix)).toEqual([]);
    expect(Object.values(await supervisor.monitorAllAgents()).every((s) => s.state === 'cancelled')).toBe(true);
    // Every log file the spawns opened, and every child handle, is closed again.
    await waitFor(() => openFds() <= fdsBefore, { what: `descriptors back to ${fdsBefore} (now ${openFds()})`, timeoutMs: 5000 });
  });
});

describe('bad input', () => {
  it('refuses a NUL byte in the prompt or argv, and passes every unicode plane, quoting characters, newlines and an RTL override byte for byte, as one argument and on stdin', async () => {
    const supervisor = await useSupervisor(prefix);
    for (const bad of [request(prefix, [NODE, fixture('echo-args.mjs'), 'a\0b']), request(prefix, ['true'], { prompt: 'a\0b' })]) {
      expect(await supervisor.spawnAgent(bad)).toMatchObject({ status: 'failed', errorKind: 'invalid-argument', error: expect.stringMatching(/NUL byte/) });
    }
    await expectNothingCreated(supervisor);

    // One valid scalar value from each plane 0–16 (assigned, unassigned and private-use alike).
    const planes = [0x00e9, 0x1f980, 0x20000, 0x30000, 0x40000, 0x50001, 0x60002, 0x70003, 0x80004, 0x90005, 0xa0006, 0xb0007, 0xc0008, 0xd0009, 0xe0001, 0xf0000, 0x10fffd];
    expect(planes.map((cp) => cp >> 16)).toEqual([...Array(17).keys()]);
    const prompt = `${String.fromCodePoint(...planes)} '"\`$(){}[];&|<>*?!#~\\ $(rm -rf /) \${HOME}\nline two\r\nline three\t\u202eRTL override\u202c\u200f end`;
    const req = request(prefix, [NODE, fixture('echo-args.mjs'), prompt], { prompt, stdin: prompt });
    expect(['running', 'exited']).toContain((await supervisor.spawnAgent(req)).status);
    await waitFor(async () => (await supervisor.getAgentStatus(req.agentId)).state === 'completed');
    const { logDir } = await supervisor.getAgentStatus(req.agentId);
    const echoed = JSON.parse(readLog(logDir, 'stdout')) as { argv: string[]; stdin: string };
    expect(echoed.argv).toEqual([prompt]);
    expect(Buffer.from(echoed.argv[0]!, 'utf8').equals(Buffer.from(prompt, 'utf8'))).toBe(true);
    expect(Buffer.from(echoed.stdin, 'utf8').equals(Buffer.from(prompt, 'utf8'))).toBe(true);
    expect(new Set([...echoed.argv[0]!].map((char) => char.codePointAt(0)! >> 16)).size).toBe(17);
  });

  // Every LD_* key ld.so(8) documents, and the dyld ones: the rule is the prefix, so these are examples, not the list.
  const LOADER_KEYS = [
    'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'LD_BIND_NOW', 'LD_BIND_NOT', 'LD_DEBUG', 'LD_DEBUG_OUTPUT', 'LD_DYNAMIC_WEAK',
    'LD_HWCAP_MASK', 'LD_ORIGIN_PATH', 'LD_POINTER_GUARD', 'LD_PROFILE', 'LD_PROFILE_OUTPUT', 'LD_SHOW_AUXV', 'LD_USE_LOAD_BIAS',
    'LD_ASSUME_KERNEL', 'LD_VERBOSE', 'LD_WARN', 'LD_TRACE_LOADED_OBJECTS', 'LD_TRACE_PRELINKING', 'LD_PREFER_MAP_32BIT_EXEC',
    'LD_SOMETHING_FUTURE', 'DYLD_INSERT_LIBRARIES', 'DYLD_LIBRARY_PATH', 'DYLD_FRAMEWORK_PATH', 'DYLD_FALLBACK_LIBRARY_PATH', 'DYLD_IMAGE_SUFFIX',
  ];

  it('refuses every loader-injection key (LD_*, DYLD_*) in a request without allowLoaderEnv, naming it, and creates nothing', async () => {
    const supervisor = await useSupervisor(prefix);
    for (const key of LOADER_KEYS) {
      for (const extra of [{}, { allowLoaderEnv: false }]) {
        const response = await supervisor.spawnAgent(request(prefix, [NODE, fixture('sleeper.mjs')], { env: { SAFE: '1', [key]: '/tmp/evil.so' }, ...extra }));
        expect(response).toEqual({
          agentId: expect.any(String),
          status: 'failed',
          errorKind: 'invalid-argument',
          error: `Invalid request: env: ${key} changes how every program loads; set "allow loader variables" to pass it`,
        });
      }
    }
    // Two at once: each one named.
    const both = await supervisor.spawnAgent(request(prefix, ['true'], { env: { LD_PRELOAD: 'x', LD_AUDIT: 'y' } }));
    expect(both.error).toMatch(/env: LD_AUDIT changes .*; env: LD_PRELOAD changes/);
    await expectNothingCreated(supervisor);
  });

  it('passes loader keys when the request sets allowLoaderEnv, keeps the permission for Run again, and reloads it from disk', async () => {
    const dataDir = tempDir();
    const first = await useSupervisor(prefix, { dataDir });
    // Harmless to a real process: an empty preload list, eager binding, and a dyld key Linux ignores.
    const env = { LD_PRELOAD: '', LD_BIND_NOW: '1', DYLD_INSERT_LIBRARIES: '/nonexistent/corral.dylib' };
    const req = request(prefix, [NODE, fixture('sleeper.mjs')], { env, allowLoaderEnv: true });
    const { status, pid } = await first.spawnAgent(req);
    expect(status).toBe('running');
    await waitForLog(first, req.agentId, 'up');
    expect(environOf(pid!)).toEqual(expect.arrayContaining(['LD_PRELOAD=', 'LD_BIND_NOW=1', 'DYLD_INSERT_LIBRARIES=/nonexistent/corral.dylib']));
    expect((await first.getAgentRequest(req.agentId)).allowLoaderEnv).toBe(true);
    expect(await first.killAgent(req.agentId, { timeouts: FAST })).toBe(true);
    await first.close();

    const second = await useSupervisor(prefix, { dataDir });
    expect(second.warnings).toEqual([]);
    const saved = await second.getAgentRequest(req.agentId);
    expect(saved).toMatchObject({ env, allowLoaderEnv: true });
    const again = await second.spawnAgent({ ...saved, requestId: `${req.requestId}-again` });
    expect(again.status).toBe('running');
    expect(environOf(again.pid!)).toContain('LD_BIND_NOW=1');
  });

  it('keeps a saved run that carries a loader key from before the rule existed, instead of setting the state file aside', async () => {
    const dataDir = tempDir();
    const agentId = `${prefix}-legacy`;
    const record = {
      request: { requestId: `${agentId}-r`, agentId, agentName: 'legacy', agentType: 't', command: ['true'], env: { LD_LIBRARY_PATH: '/opt/lib' } },
      state: 'completed', pid: 4_000_000, startTime: '1', bootId: 'some-boot', exitCode: 0, signal: null,
      startedAt: new Date().toISOString(), endedAt: new Date().toISOString(), error: null, notes: [], adopted: false, stopReport: null, knownMembers: [],
    };
    writeFileSync(path.join(dataDir, 'state.json'), JSON.stringify({ version: 1, agents: { [agentId]: record } }));
    const supervisor = await useSupervisor(prefix, { dataDir });
    expect(supervisor.warnings).toEqual([]);
    expect(await supervisor.getAgentStatus(agentId)).toMatchObject({ state: 'completed', exitCode: 0 });
    // Run again asks anew, and the rule applies now.
    const again = await supervisor.spawnAgent({ ...(await supervisor.getAgentRequest(agentId)), requestId: `${agentId}-again` });
    expect(again).toMatchObject({ status: 'failed', errorKind: 'invalid-argument', error: expect.stringContaining('LD_LIBRARY_PATH changes how every program loads') });
  });

  it("passes Corral's own inherited LD_* variables through: they are the user's environment, not the request's", async () => {
    const supervisor = await useSupervisor(prefix);
    process.env['LD_CORRAL_INHERITED'] = 'from-corral'; // unknown to ld.so: harmless
    try {
      const req = request(prefix, [NODE, fixture('sleeper.mjs')], { env: { PLAIN: '1' } });
      const { status, pid } = await supervisor.spawnAgent(req);
      expect(status).toBe('running');
      expect(environOf(pid!)).toEqual(expect.arrayContaining(['LD_CORRAL_INHERITED=from-corral', 'PLAIN=1']));
    } finally {
      delete process.env['LD_CORRAL_INHERITED'];
    }
  });
});
