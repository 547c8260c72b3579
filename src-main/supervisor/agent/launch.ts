/**
 * Starts one agent process: log files opened and handed over by descriptor,
 * its own session and process group, CORRAL_AGENT_ID in its environment, no
 * shell, and (where there is kernel containment) born in its own cgroup.
 * Resolves once the OS has confirmed the spawn or refused it.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, fstatSync } from 'node:fs';
import path from 'node:path';
import { errnoOf, messageOf } from '../errors';
import { writeCorralLine } from '../logs/corral-line';
import { ensurePrivateDir, openForAppend, UnsafeFileError } from '../logs/safe-file';
import type { AgentCgroup } from '../process/cgroup/agent-cgroup';
import type { Containment } from '../process/cgroup/containment';
import { applyLimits, noKernelLimits, prepareLimits, type ControllerProblems, type KernelLimits } from '../process/cgroup/limits';
import { tooBigHint } from './arg-limits';
import { checkCwd, resolveExecutable } from './resolve-executable';
import type { DeploymentRequest, ErrorKind } from '../types';

export interface AgentPaths {
  dir: string;
  stdout: string;
  stderr: string;
  statusFile: string;
}

export function agentPaths(dataDir: string, agentId: string): AgentPaths {
  const dir = path.join(dataDir, 'agents', agentId);
  return { dir, stdout: path.join(dir, 'stdout.log'), stderr: path.join(dir, 'stderr.log'), statusFile: path.join(dir, 'status.json') };
}

export type LaunchResult =
  | { ok: true; child: ChildProcess; pid: number; stdoutOffset: number; stderrOffset: number; cgroup: AgentCgroup | null; limits: KernelLimits }
  | { ok: false; kind: ErrorKind; message: string };

/**
 * `hostEnv`: what the host tells every agent (CORRAL_SOCKET, CORRAL_DATA_DIR): its facts, so they win over the request's env.
 * `containment`: where there is kernel containment, the child is born in the agent's cgroup (the result's `cgroup`),
 * under the kernel limits of its guard where the controllers exist (the result's `limits`).
 */
export async function launch(
  request: DeploymentRequest,
  paths: AgentPaths,
  hostEnv: Readonly<Record<string, string>> = {},
  containment: Containment | null = null,
): Promise<LaunchResult> {
  const cwd = request.cwd ?? process.cwd();
  const cwdProblem = checkCwd(cwd);
  if (cwdProblem) return { ok: false, kind: 'spawn-failed', message: cwdProblem };

  // Corral's own environment passes through whole, LD_*/DYLD_* included: it is the user's own
  // (how they started Corral). Only the request's `env` is checked for loader keys (the schema).
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...request.env, ...request.secretEnv, ...hostEnv };
  env['CORRAL_AGENT_ID'] = request.agentId;
  env['CORRAL_STATUS_FILE'] = paths.statusFile;

  const program = request.command[0]!;
  const resolved = resolveExecutable(program, env['PATH'], cwd);
  if (!resolved.ok) return resolved;

  let out: number | null = null;
  let err: number | null = null;
  try {
    const opened = openLogs(paths);
    out = opened.out;
    err = opened.err;
    // From the descriptors just checked, never the paths: the agent's folder is its own to rearrange.
    const offsets = { stdoutOffset: fstatSync(out).size, stderrOffset: fstatSync(err).size };
    const stdio: StdioOptions = [request.stdin === undefined ? 'ignore' : 'pipe', out, err];
    const start = () => spawn(resolved.file, request.command.slice(1), { argv0: program, cwd, env, stdio, detached: process.platform !== 'win32', windowsHide: true });
    const cgroup = containment?.agent(request.agentId) ?? null;
    // The previous run's limits off before the host passes through the cgroup; the guard's on once it has left.
    const prepared = containment && cgroup ? prepareFor(containment, cgroup) : null;
    const placed = containment && cgroup ? containment.placedWhile(cgroup, start) : { value: start(), placed: false };
    const unheld = containment ? 'it could not be started in its cgroup' : 'no cgroup of its own (process-group tracking)';
    const limits = placed.placed && cgroup && prepared ? applyLimits(cgroup, request.guard ?? null, prepared) : noKernelLimits(unheld);
    const child = placed.value;
    const confirmed = await confirmSpawn(child);
    if (!confirmed.ok) return confirmed;
    if (request.stdin !== undefined && child.stdin) {
      // The agent may exit or close stdin without reading it all; that is its business.
      child.stdin.on('error', () => undefined);
      child.stdin.end(request.stdin);
    }
    return { ok: true, child, pid: child.pid!, ...offsets, cgroup: placed.placed ? cgroup : null, limits };
  } catch (error) {
    // E2BIG is thrown here, synchronously, before any process exists: too large a command line is the request's fault.
    if (errnoOf(error) === 'E2BIG') return { ok: false, kind: 'spawn-failed', message: `Could not start ${program}: ${messageOf(error)}. ${tooBigHint(request.command, env)}` };
    return { ok: false, kind: errnoOf(error) === 'EACCES' ? 'permission-denied' : 'io-error', message: `Could not start: ${messageOf(error)}` };
  } finally {
    // The child holds its own copies of the descriptors.
    if (out !== null) closeSync(out);
    if (err !== null) closeSync(err);
  }
}

/** The agent's cgroup made and readied for the spawn (limits.ts); every controller missing when it cannot be made. */
function prepareFor(containment: Containment, cgroup: AgentCgroup): ControllerProblems {
  try {
    cgroup.ensure();
  } catch (error) {
    const why = `its cgroup could not be made: ${messageOf(error)}`;
    return { memory: why, cpu: why };
  }
  return prepareLimits(containment.base, cgroup);
}

/** What was tried when the program could not start: kept on the run record, and written to its stderr log. */
export function recordSpawnFailure(request: DeploymentRequest, paths: AgentPaths, message: string): { message: string; argv: string[]; cwd: string; path: string } {
  const cwd = request.cwd ?? process.cwd();
  const searched = request.env?.['PATH'] ?? process.env['PATH'] ?? '';
  appendCorralLine(paths, `spawn failed: ${message} (argv ${JSON.stringify(request.command)}, cwd ${cwd}, PATH ${searched})`);
  return { message, argv: [...request.command], cwd, path: searched };
}

/** Appends one line to the agent's stderr log, as the seed's _handle_spawn_failure does. Best effort. */
export function appendCorralLine(paths: AgentPaths, line: string): void {
  try {
    ensurePrivateDir(paths.dir);
    // Through a checked descriptor: never appended to whatever a link the agent planted there points to.
    const fd = openForAppend(paths.stderr);
    try {
      writeCorralLine(fd, paths.stderr, line); // a whole line of its own (logs/corral-line.ts)
    } finally {
      closeSync(fd);
    }
  } catch {
    // The failure this line reports is already in the agent's state; a log we cannot write adds nothing.
  }
}

/** The agent's log descriptors: never through a link the agent left in its folder, only plain files (safe-file.ts). */
function openLogs(paths: AgentPaths): { out: number; err: number } {
  ensurePrivateDir(paths.dir);
  const out = openLogForAgent(paths.stdout);
  try {
    return { out, err: openLogForAgent(paths.stderr) };
  } catch (error) {
    closeSync(out);
    throw error;
  }
}

function openLogForAgent(file: string): number {
  try {
    return openForAppend(file);
  } catch (error) {
    if (!(error instanceof UnsafeFileError)) throw error;
    throw new Error(`${error.message} (left there by the agent?); Corral does not write through it. Remove ${file} and start again.`);
  }
}

function confirmSpawn(child: ChildProcess): Promise<{ ok: true } | { ok: false; kind: ErrorKind; message: string }> {
  return new Promise((resolve) => {
    const onSpawn = () => {
      child.off('error', onError);
      resolve({ ok: true });
    };
    const onError = (error: Error) => {
      child.off('spawn', onSpawn);
      const code = errnoOf(error);
      const kind: ErrorKind = code === 'EACCES' || code === 'EPERM' ? 'permission-denied' : 'spawn-failed';
      const hint = code === 'E2BIG' ? ' The arguments are too large: pass a long prompt on stdin instead.' : '';
      resolve({ ok: false, kind, message: `Could not start ${child.spawnfile}: ${messageOf(error)}.${hint}` });
    };
    child.once('spawn', onSpawn);
    child.once('error', onError);
  });
}
