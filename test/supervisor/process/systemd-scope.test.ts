/**
 * Asking the user's systemd manager for a delegated scope (systemd-scope.ts) when no cgroup is
 * writable. This machine has no user manager, so what runs here is the refusal: with the user bus
 * pointed at nothing, the reason is told, this process stays where it was, and nothing is left.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseNameFor, Containment } from '../../../src-main/supervisor/process/cgroup/containment';
import { findCgroup2Mount, ownCgroupDir } from '../../../src-main/supervisor/process/cgroup/hierarchy';
import { tempDir } from '../../helpers/agents';

const mount = findCgroup2Mount();
const hasBusctl = (() => {
  try {
    execFileSync('busctl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const saved = { bus: process.env['DBUS_SESSION_BUS_ADDRESS'], runtime: process.env['XDG_RUNTIME_DIR'] };
afterEach(() => {
  for (const [key, value] of [['DBUS_SESSION_BUS_ADDRESS', saved.bus], ['XDG_RUNTIME_DIR', saved.runtime]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe.skipIf(mount === null || process.platform !== 'linux' || process.env['CORRAL_CONTAINMENT'] === 'process-group')('a delegated scope from the user systemd manager', () => {
  it('when the manager cannot be reached: no containment, the reason told, this process not moved, nothing made', async () => {
    const runtime = tempDir();
    process.env['XDG_RUNTIME_DIR'] = runtime;
    process.env['DBUS_SESSION_BUS_ADDRESS'] = `unix:path=${path.join(runtime, 'no-bus')}`;
    const dataDir = tempDir();
    const home = ownCgroupDir(mount!);
    const { containment, reason } = Containment.open(dataDir, 'auto', { systemd: 'only' });
    expect(containment).toBeNull();
    expect(reason).toMatch(/^no writable cgroup2 hierarchy \(the user's systemd manager gave no delegated scope \(.+\)\)$/);
    if (!hasBusctl) expect(reason).toMatch(/ENOENT/);
    expect(ownCgroupDir(mount!)).toBe(home);
    const made = readdirSync(mount!).filter((name) => name.startsWith(baseNameFor(dataDir)));
    expect(made).toEqual([]);
  });
});
