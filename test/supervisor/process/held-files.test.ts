/**
 * Files held open from tick to tick (process/held-files.ts): a read at offset 0 on a held
 * descriptor sees the kernel's figures of now, for every file the cgroup tick reads; a held
 * `/proc/<pid>/…` stops answering once its process has gone; descriptors are let go by owner, at
 * close, and never beyond the holder's cap. Then the engine: a second tick over the same agents opens
 * no file, and an ended agent's files, then every file at close, are let go. Real processes, real
 * cgroups (those parts skipped where the engine cannot contain).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Containment } from '../../../src-main/supervisor/process/cgroup/containment';
import { HeldFiles, heldFileOpens } from '../../../src-main/supervisor/process/held-files';
import { procFilesRead } from '../../../src-main/supervisor/process/proc-reader';
import { fixture, idPrefix, NODE, request, tempDir, trackPid, useSupervisor } from '../../helpers/agents';
import { cgroupDirOf, untilEachRan } from '../../helpers/cgroup-usage';
import { cgroupsOff } from '../../helpers/cgroups';
import { waitFor } from '../../helpers/wait';

const prefix = idPrefix('held');

const started: ChildProcess[] = [];
const holders: HeldFiles[] = [];
const containments: Containment[] = [];

afterEach(async () => {
  for (const files of holders.splice(0)) files.close();
  await Promise.all(
    started.splice(0).map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return exited;
    }),
  );
  for (const containment of containments.splice(0)) {
    const cgroup = containment.agent('one');
    for (const pid of cgroup.pids()) process.kill(pid, 'SIGKILL');
    await cgroup.whenEmpty(Date.now() + 5_000);
    containment.close();
  }
});

function holder(maxHeld?: number): HeldFiles {
  const files = new HeldFiles(maxHeld);
  holders.push(files);
  return files;
}

function child(command: string, args: string[]): ChildProcess {
  const proc = spawn(command, args, { stdio: ['pipe', 'ignore', 'ignore'] });
  started.push(proc);
  trackPid(proc.pid!);
  return proc;
}

/** The paths this process has open now (what /proc/self/fd links to). */
function openPaths(): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return [];
    }
  });
}

/** user + system clock ticks in a /proc/<pid>/stat text. */
function cpuTicks(stat: Buffer): number {
  const text = stat.toString('latin1');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const text = (buffer: Buffer | null): string | null => (buffer === null ? null : buffer.toString('latin1'));

describe('held files', () => {
  it('reads /proc/<pid>/stat fresh through one descriptor, and lets go once the process has gone', async () => {
    const busy = child(NODE, [fixture('busy.mjs')]);
    const files = holder();
    const stat = `/proc/${busy.pid}/stat`;
    const opens = heldFileOpens();
    const first = cpuTicks(files.read(stat, busy.pid!)!);
    await waitFor(() => cpuTicks(files.read(stat, busy.pid!)!) > first + 5, { what: 'CPU time advancing through the held descriptor' });
    expect(heldFileOpens() - opens).toBe(1);
    expect(openPaths()).toContain(stat);
    busy.kill('SIGKILL');
    await new Promise((resolve) => busy.once('exit', resolve));
    await waitFor(() => files.read(stat, busy.pid!) === null, { what: 'the reaped process unreadable' });
    expect(files.size).toBe(0);
    expect(openPaths()).not.toContain(stat);
  });

  it('reads a children list fresh: none, one, none again', async () => {
    // The shell starts a `sleep` on its first line of input and kills it on the second.
    const shell = child('sh', ['-c', 'read a; sleep 60 & read b; kill $!; wait; read c']);
    const files = holder();
    const list = `/proc/${shell.pid}/task/${shell.pid}/children`;
    const children = () => text(files.read(list, shell.pid!))!.trim();
    expect(children()).toBe('');
    shell.stdin!.write('go\n');
    const sleeper = Number(await waitFor(() => children()));
    expect(sleeper).toBeGreaterThan(0);
    shell.stdin!.write('stop\n');
    await waitFor(() => children() === '', { what: 'the killed sleep gone from the list' });
    expect(files.size).toBe(1);
  });

  it.skipIf(cgroupsOff)('reads cgroup.procs and cpu.stat fresh; a removed cgroup is let go, one made anew is read', async () => {
    const { containment } = Containment.open(tempDir());
    containments.push(containment!);
    const cgroup = containment!.agent('one');
    cgroup.ensure();
    const files = holder();
    const procs = () => text(files.read(cgroup.file('cgroup.procs'), cgroup.dir))!.trim();
    const usageUsec = () => Number(/^usage_usec (\d+)$/m.exec(text(files.read(cgroup.file('cpu.stat'), cgroup.dir))!)![1]);
    expect(procs()).toBe('');
    const before = usageUsec();
    const busy = child(NODE, [fixture('busy.mjs')]);
    cgroup.adopt(busy.pid!);
    expect(procs()).toBe(String(busy.pid));
    await waitFor(() => usageUsec() > before + 50_000, { what: 'the cgroup’s CPU advancing through the held descriptor' });
    const opens = heldFileOpens();
    procs();
    usageUsec();
    expect(heldFileOpens()).toBe(opens);
    busy.kill('SIGKILL');
    await waitFor(() => procs() === '', { what: 'the killed process gone from cgroup.procs' });
    // A held descriptor keeps no cgroup from going; once gone it reads nothing, and one made anew is read.
    expect(await cgroup.whenEmpty(Date.now() + 5_000)).toBe(true);
    expect(cgroup.remove()).toBe(true);
    expect(files.read(cgroup.file('cgroup.procs'), cgroup.dir)).toBeNull();
    expect(openPaths()).not.toContain(cgroup.file('cgroup.procs'));
    cgroup.ensure();
    expect(procs()).toBe('');
  });

  it('lets go by owner and at close, and holds no more than its cap', () => {
    const files = holder(2);
    const paths = ['/proc/self/stat', '/proc/uptime', '/proc/loadavg'];
    expect(files.read(paths[0]!, 'a')).not.toBeNull();
    expect(files.read(paths[1]!, 'b')).not.toBeNull();
    expect(text(files.read(paths[2]!, 'b'))).toMatch(/^\d+\.\d+ /); // beyond the cap: read all the same
    expect(files.size).toBe(2);
    files.keepOnly(new Set(['b']));
    expect(files.size).toBe(1);
    expect(files.read(paths[2]!, 'b')).not.toBeNull();
    expect(files.size).toBe(2);
    files.close();
    expect(files.size).toBe(0);
  });
});

/** The files of `pids` and of the cgroup in `dir` this process holds open now. */
function heldOf(pids: readonly number[], dir: string): string[] {
  return openPaths().filter((open) => pids.some((pid) => open.startsWith(`/proc/${pid}/`)) || open.startsWith(`${dir}/`));
}

describe.skipIf(cgroupsOff)('the cgroup tick’s held files', () => {
  it('a second tick over the same agents opens no file; an ended agent’s files and, at close, all are let go', async () => {
    const supervisor = await useSupervisor(prefix, { sampleIntervalMs: 60_000, orphanSweepMs: 600_000 });
    const reqs = [1, 2].map(() => request(prefix, [NODE, fixture('tree.mjs'), '1']));
    for (const req of reqs) await supervisor.spawnAgent(req);
    const trees = await waitFor(async () => {
      await supervisor.sampleNow();
      const found = await Promise.all(reqs.map((req) => supervisor.getProcessTree(req.agentId)));
      return found.every((tree) => tree.length === 3 && tree.some((p) => p.name === 'sleep')) && found;
    });
    const pids = trees.map((tree) => tree.map((p) => p.pid));
    const dirs = pids.map((agentPids) => cgroupDirOf(agentPids[0]!));
    // A tick that reads every member (the first after a full one may open the files of the others).
    await supervisor.sampleNow();
    await untilEachRan(dirs); // tree.mjs's node processes wake every second: the next tick reads every member
    const opens = heldFileOpens();
    const reads = procFilesRead();
    await supervisor.sampleNow();
    expect(procFilesRead() - reads).toBe(2 * 6); // each member's stat and children list, read…
    expect(heldFileOpens() - opens).toBe(0); // …through descriptors held since the last tick
    for (const [i, agentPids] of pids.entries()) {
      const files = [...agentPids.flatMap((pid) => [`/proc/${pid}/stat`, `/proc/${pid}/task/${pid}/children`]), `${dirs[i]}/cgroup.procs`, `${dirs[i]}/cpu.stat`];
      expect(heldOf(agentPids, dirs[i]!)).toEqual(expect.arrayContaining(files));
    }
    await supervisor.killAgent(reqs[0]!.agentId, { force: true });
    // Its processes leave the tree once reaped (a zombie is still a member), its cgroup once none is left.
    await waitFor(
      async () => {
        await supervisor.sampleNow();
        return heldOf(pids[0]!, dirs[0]!).length === 0;
      },
      { what: 'the ended agent’s files let go' },
    );
    expect(heldOf(pids[1]!, dirs[1]!).length).toBeGreaterThanOrEqual(2 * 3 + 2);
    await supervisor.cleanup({ force: true });
    await supervisor.close();
    expect(heldOf(pids[1]!, dirs[1]!)).toEqual([]);
  }, 30_000);
});
