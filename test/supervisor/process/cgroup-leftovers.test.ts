/**
 * The suite's cgroup check (test/global-setup.ts, issue 14) on a real directory tree shaped like a
 * cgroup hierarchy: it finds `corral-*` at any depth, counts only what is new and whose data folder is
 * gone, and never touches what it lists.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseNameFor } from '../../../src-main/supervisor/process/cgroup/containment';
import { corralCgroupPaths, describeCgroup, formatLeftover, leftoversOf, namesOfExistingDataDirs } from '../../helpers/cgroup-leftovers';
import { tempDir } from '../../helpers/agents';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tree(): string {
  const root = tempDir();
  made.push(root);
  return root;
}

describe('the suite\'s check for corral-* cgroups left behind', () => {
  it('finds corral-* dirs at the root and below a delegated subtree, without entering them', () => {
    const mount = tree();
    mkdirSync(path.join(mount, 'corral-aaa', 'a-one'), { recursive: true });
    mkdirSync(path.join(mount, 'user.slice', 'user-1000.slice', 'app.scope', 'corral-bbb', 'a-two'), { recursive: true });
    mkdirSync(path.join(mount, 'corral-aaa', 'corral-nested'), { recursive: true });
    mkdirSync(path.join(mount, 'system.slice', 'other'), { recursive: true });
    expect(corralCgroupPaths(mount).sort()).toEqual([path.join(mount, 'corral-aaa'), path.join(mount, 'user.slice', 'user-1000.slice', 'app.scope', 'corral-bbb')]);
    expect(corralCgroupPaths(null)).toEqual([]);
  });

  it('counts only what is new since the suite began and has no data folder any more', () => {
    const mount = tree();
    const dataDir = tree(); // an engine at work elsewhere: its folder is still there
    const old = path.join(mount, 'corral-old');
    const inUse = path.join(mount, baseNameFor(dataDir));
    const left = path.join(mount, 'corral-test-leftover');
    const now = [old, inUse, left];
    expect(leftoversOf(new Set([old]), now, namesOfExistingDataDirs())).toEqual([left]);
    rmSync(dataDir, { recursive: true });
    expect(leftoversOf(new Set([old]), now, namesOfExistingDataDirs())).toEqual([inUse, left]);
  });

  it('describes a leftover with its agent cgroups and processes, and leaves it as it was', () => {
    const mount = tree();
    const base = path.join(mount, 'corral-ccc');
    mkdirSync(path.join(base, 'a-x'), { recursive: true });
    writeFileSync(path.join(base, 'cgroup.procs'), '');
    writeFileSync(path.join(base, 'a-x', 'cgroup.procs'), '123\n456\n');
    const described = describeCgroup(base);
    expect(described).toEqual({ path: base, agents: ['a-x'], pids: [123, 456] });
    expect(formatLeftover(described)).toBe(`${base} (agents a-x; processes 123, 456)`);
    expect(existsSync(path.join(base, 'a-x', 'cgroup.procs'))).toBe(true);
  });
});
