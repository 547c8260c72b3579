/**
 * One agent's cgroup: the kernel's list of its processes (`cgroup.procs`, which
 * a setsid, a double fork or a cleared environment cannot leave), and the
 * kernel's own stop (`cgroup.freeze`, `cgroup.kill`) and end-of-tree notice
 * (`cgroup.events` `populated 0`, announced as a file modification).
 *
 * Reads and writes are synchronous: these files live in kernel memory, a read
 * costs microseconds and never blocks on a disk.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { errnoOf } from '../../errors';

/** How often `whenEmpty` looks anyway, in case a change notification was missed: a safety net, not the mechanism. */
const SAFETY_POLL_MS = 1000;

/** The pids in `cgroup.procs` text, one a line. */
export function parsePids(text: string): number[] {
  const pids: number[] = [];
  for (const line of text.split('\n')) {
    const pid = Number(line);
    if (line !== '' && Number.isInteger(pid) && pid > 0) pids.push(pid);
  }
  return pids;
}

export class AgentCgroup {
  constructor(readonly dir: string) {}

  /** Creates the directory if missing. */
  ensure(): void {
    mkdirSync(this.dir, { recursive: true });
  }

  get exists(): boolean {
    return existsSync(path.join(this.dir, 'cgroup.procs'));
  }

  /** The pids in it now (zombies are not listed: an exited process has left its cgroup). Empty when the cgroup is gone. */
  pids(): number[] {
    const text = this.read('cgroup.procs');
    return text === null ? [] : parsePids(text);
  }

  /** The path of one of its files (`cpu.stat`, `memory.current`, `cpu.pressure`…), for readers that read it their own way. */
  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** True while any live process is in it or below it. */
  populated(): boolean {
    return /^populated 1$/m.test(this.read('cgroup.events') ?? '');
  }

  /** True once every process in it is frozen. */
  frozen(): boolean {
    return /^frozen 1$/m.test(this.read('cgroup.events') ?? '');
  }

  /** Freezes (a frozen process runs, forks and handles signals no more, but SIGKILL still ends it) or thaws. */
  freeze(on: boolean): boolean {
    return this.write('cgroup.freeze', on ? '1' : '0');
  }

  /** SIGKILL to every process in it and below, by the kernel, forks in flight included. */
  kill(): boolean {
    // Never while the host itself is in it (only ever for the instant of a spawn: containment.ts).
    if (this.pids().includes(process.pid)) return false;
    return this.write('cgroup.kill', '1');
  }

  /**
   * Resolves true when nothing lives in it any more, false at `deadline` (a `Date.now()` reading).
   * Driven by change notifications on `cgroup.events`; `safetyPollMs` is only the fallback's pace.
   */
  whenEmpty(deadline: number, safetyPollMs = SAFETY_POLL_MS): Promise<boolean> {
    return this.whenEvents(() => !this.populated(), deadline, safetyPollMs);
  }

  /** Resolves true once every member is frozen (`frozen` true) or none is, false at `deadline` (a `Date.now()` reading). */
  whenFrozen(frozen: boolean, deadline: number, safetyPollMs = SAFETY_POLL_MS): Promise<boolean> {
    return this.whenEvents(() => this.frozen() === frozen, deadline, safetyPollMs);
  }

  /** Whether `cgroup.freeze` asks for frozen (a pause's own mark, set before every member is frozen). */
  freezeAsked(): boolean {
    return this.read('cgroup.freeze')?.trim() === '1';
  }

  /**
   * Resolves true once `reached()` holds, false at `deadline`. The kernel announces each change of
   * `cgroup.events` (populated, frozen) as a modification of the file; the poll is only a safety net.
   */
  private whenEvents(reached: () => boolean, deadline: number, safetyPollMs: number): Promise<boolean> {
    if (reached()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let watcher: FSWatcher | null = null;
      const finish = (done: boolean): void => {
        watcher?.close();
        clearInterval(safety);
        clearTimeout(timer);
        resolve(done);
      };
      const check = (): void => {
        if (reached()) finish(true);
      };
      const safety = setInterval(check, Math.max(1, safetyPollMs));
      const timer = setTimeout(() => finish(reached()), Math.max(0, deadline - Date.now()));
      try {
        watcher = watch(path.join(this.dir, 'cgroup.events'), check);
        watcher.on('error', () => undefined);
      } catch {
        watcher = null; // the poll does the work alone
      }
      check(); // it may have changed before the watch began
    });
  }

  /**
   * Calls `then` once nothing lives in it, from a change notification that keeps no process alive
   * (an agent that outlives the engine's close: its cgroup goes when it ends, if this process still runs).
   */
  onceEmpty(then: () => void): void {
    if (!this.populated()) return then();
    try {
      const watcher = watch(path.join(this.dir, 'cgroup.events'), { persistent: false }, () => {
        if (this.populated()) return;
        watcher.close();
        then();
      });
      watcher.on('error', () => watcher.close());
    } catch {
      // Gone meanwhile: nothing to remove.
    }
  }

  /** Removes it when empty; true when it is gone. A cgroup something still lives in stays (EBUSY). */
  remove(): boolean {
    try {
      rmdirSync(this.dir);
      return true;
    } catch (error) {
      return errnoOf(error) === 'ENOENT';
    }
  }

  /** Moves the process `pid` (all its threads) into this cgroup. */
  adopt(pid: number): void {
    writeFileSync(path.join(this.dir, 'cgroup.procs'), String(pid));
  }

  private read(file: string): string | null {
    try {
      return readFileSync(path.join(this.dir, file), 'utf8');
    } catch {
      return null;
    }
  }

  private write(file: string, value: string): boolean {
    try {
      writeFileSync(path.join(this.dir, file), value);
      return true;
    } catch {
      return false;
    }
  }
}
