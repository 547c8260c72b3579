/**
 * An OOM kill counted by the agent's cgroup (memory.events `oom_kill`, as a
 * plain number) makes the exit classification certain: "Killed by the kernel:
 * memory limit 2 GiB" instead of "Possibly out of memory". Without the count
 * (no memory controller, as on these machines) the wording stays as it was.
 */
import { describe, expect, it } from 'vitest';
import { classifyExit, humanMb, type RunEnd } from '../../../src-main/supervisor/policies/exit-classification';

const end = (overrides: Partial<RunEnd>): RunEnd => ({ code: null, signal: null, stop: null, spawnFailure: null, unseen: null, ...overrides });

describe('classifyExit with the kernel\'s OOM-kill count', () => {
  it('a SIGKILL with OOM kills counted under a memory limit: killed by the kernel, the limit in words', () => {
    expect(classifyExit(end({ signal: 'SIGKILL', oomKills: 1, memoryLimitMb: 2048 }))).toEqual({
      kind: 'signalled',
      code: null,
      signal: 'SIGKILL',
      stopStage: null,
      stoppedBy: null,
      possiblyOutOfMemory: true,
      oomKilled: true,
      spawn: null,
      summary: 'Killed by the kernel: memory limit 2 GiB (its OOM killer sent SIGKILL).',
    });
  });

  it('OOM kills counted without a limit of its own: the machine ran out of memory', () => {
    const exit = classifyExit(end({ signal: 'SIGKILL', oomKills: 3, memoryLimitMb: null }));
    expect(exit).toMatchObject({ kind: 'signalled', oomKilled: true, summary: 'Killed by the kernel: out of memory (its OOM killer sent SIGKILL).' });
    expect(exit.summary).not.toMatch(/possibly/i);
  });

  it('no count (null) or none counted: "possibly out of memory", as before', () => {
    for (const oomKills of [null, 0, undefined]) {
      const exit = classifyExit(end({ signal: 'SIGKILL', oomKills, memoryLimitMb: 512 }));
      expect(exit.summary).toBe('Killed by SIGKILL, not sent by Corral. Possibly out of memory (the kernel OOM killer sends SIGKILL).');
      expect(exit.oomKilled).toBeUndefined();
    }
  });

  it('the root exited with a code after the OOM killer ended one of its processes: said, with the limit', () => {
    expect(classifyExit(end({ code: 1, oomKills: 1, memoryLimitMb: 512 }))).toMatchObject({
      kind: 'exited',
      oomKilled: true,
      possiblyOutOfMemory: false,
      summary: "Exited with code 1. The kernel's OOM killer ended one of its processes (memory limit 512 MiB).",
    });
  });

  it('a stop by Corral stays a stop, whatever the count', () => {
    expect(classifyExit(end({ signal: 'SIGKILL', oomKills: 1, memoryLimitMb: 512, stop: { stage: 'kill', by: 'user' } }))).toMatchObject({ kind: 'stopped', summary: 'Stopped by Corral at SIGKILL; ended by SIGKILL.' });
  });
});

describe('humanMb', () => {
  it('sizes as people read them', () => {
    expect(humanMb(512)).toBe('512 MiB');
    expect(humanMb(2048)).toBe('2 GiB');
    expect(humanMb(1536)).toBe('1.5 GiB');
    expect(humanMb(0.5)).toBe('0.5 MiB');
    expect(humanMb(3 * 1024 * 1024)).toBe('3 TiB');
  });
});
