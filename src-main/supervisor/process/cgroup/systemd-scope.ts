/**
 * A delegated cgroup subtree from the user's systemd manager. On a systemd desktop a user may write
 * only below the cgroups systemd delegated to them, and a session scope or an app's unit usually is
 * not one. So the host asks the user's manager, over the user bus with `busctl` (part of systemd;
 * run without a shell), for a transient scope `corral-<hash>.scope` with `Delegate=yes` holding this
 * process; once moved there its own cgroup is writable and `Containment.open` puts the agents below it.
 *
 * The name is the data folder's, not the process's: agents outlive their host and keep the scope
 * alive, so the next host of the same folder finds it there and joins it
 * (`AttachProcessesToUnit`), where its agents' cgroups are (`Containment.reattach`).
 *
 * Only the failure path runs on the machine this was written on (no user systemd manager there):
 * its test points the bus at nothing and checks that the reason is told and nothing moved.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { messageOf } from '../../errors';
import { ownCgroupDir } from './hierarchy';

const MANAGER = ['org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager'];

/** How long the manager is given to answer and to move this process (it does so when the scope starts). */
const SCOPE_TIMEOUT_MS = 5_000;

export type ScopeOutcome = { ok: true; dir: string } | { ok: false; reason: string };

/** Moves this process into the delegated scope `unit` (made, or joined when it exists), and returns its cgroup directory under `mount`. */
export function moveIntoDelegatedScope(unit: string, mount: string, timeoutMs = SCOPE_TIMEOUT_MS): ScopeOutcome {
  const pid = String(process.pid);
  const started = busctl(['StartTransientUnit', 'ssa(sv)a(sa(sv))', unit, 'fail', '2', 'PIDs', 'au', '1', pid, 'Delegate', 'b', 'true', '0'], timeoutMs);
  // A scope left by an earlier host of this folder whose agents still run: join it.
  const joined = started.ok || !/UnitExists|already exists/i.test(started.reason) ? started : busctl(['AttachProcessesToUnit', 'ssau', unit, '', '1', pid], timeoutMs);
  if (!joined.ok) return { ok: false, reason: `the user's systemd manager gave no delegated scope (${joined.reason})` };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dir = ownCgroupDir(mount);
    if (dir !== null && path.basename(dir) === unit) return { ok: true, dir };
    if (Date.now() > deadline) return { ok: false, reason: `systemd accepted ${unit} but did not move this process into it within ${timeoutMs / 1000} s` };
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // a synchronous pause: Containment.open is synchronous
  }
}

function busctl(call: string[], timeoutMs: number): { ok: true } | { ok: false; reason: string } {
  try {
    execFileSync('busctl', ['--user', 'call', ...MANAGER, ...call], { timeout: timeoutMs, stdio: ['ignore', 'ignore', 'pipe'] });
    return { ok: true };
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString('utf8').trim();
    return { ok: false, reason: (stderr || messageOf(error)).split('\n')[0]!.slice(0, 200) };
  }
}
