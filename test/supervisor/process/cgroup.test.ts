/**
 * Kernel containment's parts against the real cgroup2 hierarchy of this machine (Linux, root or a
 * delegated subtree): discovery from mountinfo, placement before the program runs, the end of a tree
 * noticed from `cgroup.events` without polling, removal. Skipped where no writable hierarchy exists.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentCgroup } from '../../../src-main/supervisor/process/cgroup/agent-cgroup';
import { Containment } from '../../../src-main/supervisor/process/cgroup/containment';
import { cgroup2MountIn, cgroup2PathIn, findCgroup2Mount, ownCgroupDir } from '../../../src-main/supervisor/process/cgroup/hierarchy';
import { isPidAlive, tempDir } from '../../helpers/agents';
import { waitFor } from '../../helpers/wait';

const opened: Containment[] = [];
const available = Containment.open(tempDir()).containment;
available?.close();

function open(): Containment {
  const { containment, reason } = Containment.open(tempDir());
  if (!containment) throw new Error(reason);
  opened.push(containment);
  return containment;
}

afterEach(async () => {
  for (const containment of opened.splice(0)) {
    for (const pid of pidsIn(containment)) process.kill(pid, 'SIGKILL');
    for (const cgroup of [containment.agent('one'), containment.agent('two')]) await cgroup.whenEmpty(Date.now() + 5_000);
    containment.close();
    expect(existsSync(containment.base), 'the cgroup of the test\'s data dir after close').toBe(false);
  }
});

function pidsIn(containment: Containment): number[] {
  return [containment.agent('one'), containment.agent('two')].flatMap((cgroup) => cgroup.pids());
}

describe('cgroup2 discovery', () => {
  it('finds the cgroup2 mount in mountinfo text, hybrid or unified, and a process cgroup from its 0:: line', () => {
    const hybrid = [
      '30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
      '31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
      '40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
    ].join('\n');
    expect(cgroup2MountIn(hybrid)).toBe('/sys/fs/cgroup/unified');
    expect(cgroup2MountIn('25 20 0:22 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate')).toBe('/sys/fs/cgroup');
    expect(cgroup2MountIn('31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu')).toBeNull();
    expect(cgroup2PathIn('4:memory:/x\n0::/user.slice/app.scope\n')).toBe('/user.slice/app.scope');
    expect(cgroup2PathIn('1:cpu:/\n')).toBeNull();
  });
});

describe.skipIf(!available)('an agent cgroup (this machine)', () => {
  it('is created below the cgroup2 mount this machine has, named for the data dir', () => {
    const containment = open();
    expect(containment.mount).toBe(findCgroup2Mount());
    expect(path.basename(containment.base)).toMatch(/^corral-[0-9a-f]{12}$/);
    expect(existsSync(path.join(containment.base, 'cgroup.kill'))).toBe(true);
  });

  it('places the child before its program runs: its first act reads its own cgroup and finds the agent\'s', async () => {
    const containment = open();
    const cgroup = containment.agent('one');
    const home = ownCgroupDir(containment.mount);
    const { value: child, placed } = containment.placedWhile(cgroup, () => spawn('/bin/cat', ['/proc/self/cgroup'], { stdio: ['ignore', 'pipe', 'ignore'] }));
    expect(placed).toBe(true);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => child.once('close', resolve));
    expect(path.join(containment.mount, cgroup2PathIn(out)!)).toBe(cgroup.dir);
    // The host went back where it was.
    expect(ownCgroupDir(containment.mount)).toBe(home);
  });

  it('brings the host back to its own cgroup even when the spawn throws', () => {
    const containment = open();
    const home = ownCgroupDir(containment.mount);
    // A refused exec is reported later, as an 'error' event; a throw from the spawn call itself below.
    const refused = containment.placedWhile(containment.agent('one'), () => spawn('/bin/true', [], { cwd: '/nonexistent-dir-for-test' }));
    refused.value.on('error', () => undefined);
    expect(() =>
      containment.placedWhile(containment.agent('one'), () => {
        throw new Error('spawn refused');
      }),
    ).toThrow('spawn refused');
    expect(ownCgroupDir(containment.mount)).toBe(home);
    expect(containment.agent('one').pids()).not.toContain(process.pid);
  });

  it('costs little per spawn to move the host in and back (the spawn itself takes ~15 ms)', () => {
    const containment = open();
    const cgroup = containment.agent('one');
    const rounds = 200;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) containment.placedWhile(cgroup, () => undefined);
    const perSpawnMs = (performance.now() - started) / rounds;
    console.log(`host move in + back: ${perSpawnMs.toFixed(3)} ms per spawn`);
    expect(perSpawnMs).toBeLessThan(5);
  });

  it('notices the end of its processes from cgroup.events, not from a poll (the safety poll set to an hour)', async () => {
    const containment = open();
    const cgroup = containment.agent('two');
    const { value: child } = containment.placedWhile(cgroup, () => spawn('/bin/sh', ['-c', 'sleep 0.6 & exec sleep 0.3'], { stdio: 'ignore' }));
    expect(cgroup.pids()).toContain(child.pid);
    const started = Date.now();
    // Resolves true only if a change notification came: the deadline is 10 s, the only poll once an hour.
    expect(await cgroup.whenEmpty(Date.now() + 10_000, 3_600_000)).toBe(true);
    const tookMs = Date.now() - started;
    console.log(`tree end noticed ${tookMs} ms after the wait began (the last process lives ~600 ms)`);
    expect(tookMs).toBeLessThan(5_000);
    expect(cgroup.populated()).toBe(false);
  });

  it('freezes, kills with the kernel, thaws, and is removed once empty; a populated one is not', async () => {
    const containment = open();
    const cgroup = containment.agent('one');
    const { value: child } = containment.placedWhile(cgroup, () => spawn('/bin/sh', ['-c', "trap '' TERM; sleep 60 & sleep 60 & wait"], { stdio: 'ignore' }));
    await waitFor(() => cgroup.pids().length === 3, { what: 'three processes in the cgroup' });
    const pids = cgroup.pids();
    expect(cgroup.remove()).toBe(false); // EBUSY: it holds processes
    expect(cgroup.freeze(true)).toBe(true);
    await waitFor(() => cgroup.frozen(), { what: 'the cgroup to be frozen' });
    expect(cgroup.kill()).toBe(true);
    expect(await cgroup.whenEmpty(Date.now() + 5_000)).toBe(true);
    cgroup.freeze(false);
    expect(pids.filter(isPidAlive)).toEqual([]);
    expect(child.pid).toBeDefined();
    expect(cgroup.remove()).toBe(true);
    expect(existsSync(cgroup.dir)).toBe(false);
  });

  it('removes at its start the empty corral cgroups a host killed outright left, never a populated one', async () => {
    const mount = findCgroup2Mount()!;
    const left = path.join(mount, `corral-leftover${process.pid}`);
    mkdirSync(path.join(left, 'a-gone'), { recursive: true });
    const busy = open();
    const { value: child } = busy.placedWhile(busy.agent('one'), () => spawn('/bin/sleep', ['30'], { stdio: 'ignore' }));
    open();
    expect(existsSync(left)).toBe(false);
    expect(busy.agent('one').pids()).toEqual([child.pid]);
  });

  it('never kills a cgroup the host itself is in', () => {
    const host = new AgentCgroup(ownCgroupDir(findCgroup2Mount()!)!);
    expect(host.kill()).toBe(false);
  });
});
