/**
 * The spawn journal (<dataDir>/journal/): a spawn's record is on disk there,
 * with its pid and start time, before the running answer; state.json catching
 * up empties it; on start its entries newer than state.json's records replace
 * them, a stale one does not; and whatever else is planted there (a link, a
 * FIFO, a huge file, garbage) is set aside with a warning: never followed,
 * never blocking, never a crash, nothing outside the folder touched.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { JOURNAL_DIR_NAME } from '../../../src-main/supervisor/state/spawn-journal';
import { STATE_VERSION, StateStore, type PersistedAgent } from '../../../src-main/supervisor/state/state-store';
import { fixture, idPrefix, isPidAlive, NODE, request, tempDir, useSupervisor } from '../../helpers/agents';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('journal');
/** A start that blocked on a planted file would take forever; a normal one takes well under this, even on a loaded machine. */
const START_MS = 5000;

function journalDir(dataDir: string): string {
  return path.join(dataDir, JOURNAL_DIR_NAME);
}

/** `<agentId>.<write number>.json` */
const ENTRY_NAME = /^(.+)\.(\d+)\.json$/;

/** Where Corral could have put an entry of `agentId` (write number `seq`): where a test plants one. */
function entryPath(dataDir: string, agentId: string, seq = 1): string {
  return path.join(journalDir(dataDir), `${agentId}.${seq}.json`);
}

/** The agents with an entry in the journal, sorted (set-aside copies are not entries). */
function entries(dataDir: string): string[] {
  return readdirSync(journalDir(dataDir))
    .map((name) => ENTRY_NAME.exec(name)?.[1])
    .filter((agentId): agentId is string => agentId !== undefined)
    .sort();
}

/** The file of an agent's entry: the one there is, named for its write. */
function entryFileOf(dataDir: string, agentId: string): string {
  const names = readdirSync(journalDir(dataDir)).filter((name) => ENTRY_NAME.exec(name)?.[1] === agentId);
  expect(names, `the journal entries of ${agentId}`).toHaveLength(1);
  return path.join(journalDir(dataDir), names[0]!);
}

function entryOf(dataDir: string, agentId: string): PersistedAgent | undefined {
  return (JSON.parse(readFileSync(entryFileOf(dataDir, agentId), 'utf8')) as { agents: Record<string, PersistedAgent> }).agents[agentId];
}

function setAside(dataDir: string): string[] {
  return readdirSync(journalDir(dataDir)).filter((name) => name.includes('.corrupt-'));
}

function savedRecords(dataDir: string): Record<string, PersistedAgent> {
  return (JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8')) as { agents: Record<string, PersistedAgent> }).agents;
}

/** A journal entry as Corral writes one: a state file of that one agent. */
function entryText(agentId: string, record: PersistedAgent): string {
  return JSON.stringify({ version: STATE_VERSION, agents: { [agentId]: record } });
}

/** A real record, as a supervisor saved it: an agent that ran and completed. */
async function completedRecord(agentId: string): Promise<{ dataDir: string; record: PersistedAgent }> {
  const dataDir = tempDir();
  const supervisor = await useSupervisor(prefix, { dataDir });
  await supervisor.spawnAgent({ ...request(prefix, [NODE, fixture('exit-code.mjs'), '0']), agentId });
  await waitFor(async () => (await supervisor.getAgentStatus(agentId)).state === 'completed');
  await supervisor.close();
  return { dataDir, record: savedRecords(dataDir)[agentId]! };
}

/** The same run, as the journal held it at its start (before its pid was known). */
function atItsStart(record: PersistedAgent): PersistedAgent {
  const runs = structuredClone(record.runs);
  Object.assign(runs.at(-1)!, { pid: null, endedAt: null, durationMs: null, exit: null });
  return { ...structuredClone(record), state: 'spawning', pid: null, startTime: null, exitCode: null, signal: null, startedAt: null, endedAt: null, error: null, runs };
}

describe('the spawn journal', () => {
  it('holds a spawn’s record with its pid and start time before the running answer, and is empty after a normal close', async () => {
    const dataDir = tempDir();
    // The coalesced writes of state.json are a minute away: only the journal can put the spawn on disk.
    const supervisor = await useSupervisor(prefix, { dataDir, stateFlushMs: 60_000 });
    const req = request(prefix, [NODE, fixture('sleeper.mjs')]);
    let atRunning: PersistedAgent | undefined;
    // 'running' is emitted before the answer is given, in the same turn: the entry must already be on disk then.
    supervisor.on('state', (event) => {
      if (event.agentId === req.agentId && event.state === 'running') {
        atRunning = entryOf(dataDir, req.agentId);
      }
    });
    const answer = await supervisor.spawnAgent(req);
    expect(answer.status).toBe('running');
    expect(atRunning, 'the journal entry when the agent turned running').toMatchObject({ state: 'spawning', pid: answer.pid, startTime: expect.any(String) });
    expect(existsSync(path.join(dataDir, 'state.json')) ? savedRecords(dataDir)[req.agentId] : undefined, 'state.json has not caught up yet').toBeUndefined();
    expect(statSync(journalDir(dataDir)).mode & 0o777).toBe(0o700);
    expect(statSync(entryFileOf(dataDir, req.agentId)).mode & 0o777).toBe(0o600);

    await supervisor.close();
    expect(readdirSync(journalDir(dataDir)), 'the journal after a normal close').toEqual([]);
    expect(savedRecords(dataDir)[req.agentId]).toMatchObject({ state: 'running', pid: answer.pid });
    process.kill(answer.pid!, 'SIGKILL'); // closing Corral leaves its agents running
    await waitFor(() => !isPidAlive(answer.pid!));
  });

  it('holds each spawn of a burst, with its pid, until state.json catches up, and no longer', async () => {
    const dataDir = tempDir();
    const supervisor = await useSupervisor(prefix, { dataDir, stateFlushMs: 60_000 });
    const reqs = Array.from({ length: 10 }, () => request(prefix, [NODE, fixture('sleeper.mjs')]));
    const answers = await Promise.all(reqs.map((req) => supervisor.spawnAgent(req)));
    expect(entries(dataDir)).toEqual(reqs.map((req) => req.agentId).sort());
    for (const [i, req] of reqs.entries()) {
      expect(entryOf(dataDir, req.agentId)).toMatchObject({ pid: answers[i]!.pid, startTime: expect.any(String) });
    }
    await supervisor.cleanup({ force: true });
    await supervisor.close(); // the one write of state.json that catches up
    expect(entries(dataDir)).toEqual([]);
    const saved = savedRecords(dataDir);
    for (const req of reqs) expect(saved[req.agentId]?.state).toBe('cancelled');
  });

  it('an entry left stale (Corral stopped after writing state.json, before removing it) does not undo the later record', async () => {
    const agentId = `${prefix}-stale`;
    const { dataDir, record } = await completedRecord(agentId);
    mkdirSync(journalDir(dataDir), { recursive: true });
    writeFileSync(entryPath(dataDir, agentId), entryText(agentId, atItsStart(record)));

    const supervisor = await useSupervisor(prefix, { dataDir });
    expect(await supervisor.getAgentStatus(agentId)).toMatchObject({ state: 'completed', exitCode: 0 });
    expect(entries(dataDir), 'the start empties the journal').toEqual([]);
    expect(supervisor.warnings).toEqual([]);
  });

  it('an entry of a run state.json never saw replaces its record', async () => {
    const agentId = `${prefix}-newer`;
    const { dataDir, record } = await completedRecord(agentId);
    const next = atItsStart(record);
    next.runs.at(-1)!.run += 1;
    next.runs.at(-1)!.startedAt = new Date(Date.parse(record.runs.at(-1)!.startedAt) + 1000).toISOString();
    mkdirSync(journalDir(dataDir), { recursive: true });
    writeFileSync(entryPath(dataDir, agentId), entryText(agentId, next));

    const { store, agents } = StateStore.open({ dataDir, warn: (message) => expect.fail(message) });
    expect(agents[agentId]).toEqual(next);
    store.close();
  });

  it('two entries of one agent (Corral stopped between a write and the removal of the one before): the later write wins, and numbers go on after it', async () => {
    const agentId = `${prefix}-twice`;
    const { record } = await completedRecord(agentId);
    const dataDir = tempDir();
    const started = atItsStart(record);
    const withPid = { ...structuredClone(started), pid: record.pid, startTime: record.startTime };
    mkdirSync(journalDir(dataDir), { recursive: true });
    writeFileSync(entryPath(dataDir, agentId, 9), entryText(agentId, started));
    writeFileSync(entryPath(dataDir, agentId, 10), entryText(agentId, withPid));

    const { store, agents } = StateStore.open({ dataDir, warn: (message) => expect.fail(message) });
    expect(agents[agentId]).toEqual(withPid);
    expect(readdirSync(journalDir(dataDir))).toEqual([`${agentId}.10.json`]);
    store.writeAhead(agentId, withPid);
    expect(readdirSync(journalDir(dataDir))).toEqual([`${agentId}.11.json`]);
    store.setSource(() => ({ [agentId]: withPid }));
    store.close();
    expect(readdirSync(journalDir(dataDir))).toEqual([]);
  });

  it('a write of state.json removes only the entries it covers: one rewritten while it collects stays', async () => {
    const a = `${prefix}-covered`;
    const b = `${prefix}-rewritten`;
    const { record } = await completedRecord(a);
    const dataDir = tempDir();
    const { store } = StateStore.open({ dataDir, warn: (message) => expect.fail(message) });
    const recordOf = (agentId: string) => ({ ...record, request: { ...record.request, agentId } });
    store.writeAhead(a, recordOf(a));
    store.writeAhead(b, recordOf(b));
    store.setSource(() => {
      store.writeAhead(b, recordOf(b)); // newer than what this write of state.json carries
      return { [a]: recordOf(a), [b]: recordOf(b) };
    });
    store.flush();
    expect(entries(dataDir)).toEqual([b]);
    store.setSource(() => ({ [a]: recordOf(a), [b]: recordOf(b) }));
    store.close();
    expect(entries(dataDir)).toEqual([]);
  });
});

describe('a journal entry planted by something else', () => {
  /**
   * Starts a supervisor over a journal holding what `plant` put at `<agentId>.json`, with a victim outside the
   * data folder that holds a valid entry (following a link to it would bring "its" agent in). The start does not
   * block or crash; the thing is set aside as it was (the name moved, never copied through), with a warning giving
   * `reason`; nothing came of it; the victim is untouched; and the journal still works for that very id.
   */
  async function startOver(plant: (file: string, victim: string) => void, reason: RegExp): Promise<void> {
    const agentId = `${prefix}-planted-${Math.random().toString(36).slice(2, 7)}`;
    const { record } = await completedRecord(agentId);
    const outside = tempDir();
    const victim = path.join(outside, 'victim.json');
    writeFileSync(victim, entryText(agentId, record));
    const victimBytes = readFileSync(victim);
    const dataDir = tempDir();
    mkdirSync(journalDir(dataDir), { mode: 0o700 });
    const file = entryPath(dataDir, agentId);
    plant(file, victim);
    const planted = lstatSync(file);

    const startedAt = performance.now();
    const supervisor = await useSupervisor(prefix, { dataDir });
    expect(performance.now() - startedAt, 'the start took (ms)').toBeLessThan(START_MS);
    expect(supervisor.warnings.join('\n')).toMatch(new RegExp(`spawn journal entry \\S*${agentId}\\.1\\.json was set aside because ${reason.source}`));
    expect(await supervisor.monitorAllAgents(), 'nothing came of the planted entry').toEqual({});
    expect(entries(dataDir)).toEqual([]);
    const [kept, ...more] = setAside(dataDir);
    expect(more).toEqual([]);
    expect(kept, 'the planted entry, kept aside').toMatch(new RegExp(`^${agentId}\\.1\\.json\\.corrupt-`));
    const keptStats = lstatSync(path.join(journalDir(dataDir), kept!));
    expect([keptStats.ino, keptStats.mode, keptStats.size]).toEqual([planted.ino, planted.mode, planted.size]);
    expect(readFileSync(victim), 'the victim outside the data folder').toEqual(victimBytes);
    expect(readdirSync(outside)).toEqual(['victim.json']);

    const answer = await supervisor.spawnAgent({ ...request(prefix, [NODE, fixture('sleeper.mjs')]), agentId });
    expect(answer.status).toBe('running');
    await supervisor.cleanup({ force: true });
  }

  it('a symbolic link to a valid entry outside the data folder: not followed', async () => {
    await startOver((file, victim) => symlinkSync(victim, file), /it is a symbolic link, not a regular file/);
  });

  it('a hard link to a valid entry outside the data folder: not read', async () => {
    await startOver((file, victim) => linkSync(victim, file), /it is a second name \(hard link\) of another file, not a regular file/);
  });

  it('a FIFO nobody writes to: the start does not block on it', async () => {
    await startOver((file) => execFileSync('mkfifo', ['-m', '600', file]), /it is a FIFO \(named pipe\), not a regular file/);
  });

  it('a directory', async () => {
    await startOver((file) => mkdirSync(file), /it is a directory, not a regular file/);
  });

  it('an 8 GiB sparse file: refused by its size, never read', async () => {
    const rssBefore = process.memoryUsage().rss;
    await startOver((file) => {
      const fd = openSync(file, 'w', 0o600);
      try {
        ftruncateSync(fd, 8 * 1024 ** 3);
      } finally {
        closeSync(fd);
      }
    }, /it is 8589934592 bytes, over the journal's \d+/);
    expect(process.memoryUsage().rss - rssBefore, 'RSS growth (bytes)').toBeLessThan(200 * 1024 * 1024);
  });

  it('garbage', async () => {
    await startOver((file) => writeFileSync(file, '{"version": 3, "agents": {"x": \u0000', { mode: 0o600 }), /it is not valid JSON/);
  });

  it('valid JSON that is not a record', async () => {
    await startOver((file) => writeFileSync(file, JSON.stringify({ version: STATE_VERSION, agents: { x: { state: 'running' } } }), { mode: 0o600 }), /it does not match the expected format/);
  });

  it('the record of another agent', async () => {
    const other = `${prefix}-other`;
    const { record } = await completedRecord(other);
    await startOver((file) => writeFileSync(file, entryText(other, record), { mode: 0o600 }), /it does not hold the record of "\S+" alone/);
  });

  it('the journal folder itself replaced by a link to a folder outside: not followed, set aside, a new one made', async () => {
    const agentId = `${prefix}-dirlink`;
    const { record } = await completedRecord(agentId);
    const outside = tempDir();
    writeFileSync(path.join(outside, `${agentId}.1.json`), entryText(agentId, record));
    const before = readdirSync(outside);
    const dataDir = tempDir();
    symlinkSync(outside, journalDir(dataDir));

    const supervisor = await useSupervisor(prefix, { dataDir, stateFlushMs: 60_000 });
    expect(supervisor.warnings.join('\n')).toMatch(/spawn journal folder \S+ was a symbolic link; it is kept as \S+ and a new folder was made/);
    expect(await supervisor.monitorAllAgents()).toEqual({});
    expect(lstatSync(journalDir(dataDir)).isDirectory()).toBe(true);
    const kept = readdirSync(dataDir).find((name) => name.startsWith(`${JOURNAL_DIR_NAME}.corrupt-`))!;
    expect(readlinkSync(path.join(dataDir, kept))).toBe(outside);
    expect(readdirSync(outside)).toEqual(before);
    expect((await supervisor.spawnAgent(request(prefix, [NODE, fixture('sleeper.mjs')]))).status).toBe('running');
    expect(entries(dataDir), 'the new folder takes the spawn’s entry').toHaveLength(1);
  });
});
