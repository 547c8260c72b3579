/**
 * Per-agent pressure (PSI): the share of the last 10 s in which some of the
 * agent's processes were stalled waiting for CPU, memory or I/O, as its cgroup's
 * `cpu.pressure`, `memory.pressure` and `io.pressure` say (`some avg10`).
 * The kernel averages over 10 s and updates those averages every 2 s (PSI_FREQ), so
 * reading more often than that adds nothing: each cgroup is read at most once per
 * `minIntervalMs` (2 s by default), whatever the tick interval.
 */
import { performance } from 'node:perf_hooks';
import type { PressureView } from '../../../../src-preload/contract';
import { readOnce, type HeldFiles } from '../held-files';
import type { AgentCgroup } from './agent-cgroup';

/** Pressure figures, 0–100 each (null where unreadable). */
export type PressureFigures = PressureView;

const RESOURCES = ['cpu', 'memory', 'io'] as const;

/** The `some avg10` value of a PSI file's text, clamped to 0–100; null when the line is missing. */
export function someAvg10(text: string): number | null {
  const match = /^some avg10=(\d+(?:\.\d+)?)/m.exec(text);
  if (!match) return null;
  const value = Number(match[1]);
  return Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : null;
}

/**
 * The three figures of `cgroup` now; null when none can be read (PSI off in this kernel, or the cgroup
 * gone). Through `files` (owned by the cgroup's folder) when given, else each opened and closed.
 */
export function readPressure(cgroup: AgentCgroup, files?: HeldFiles): PressureFigures | null {
  const figures = { cpu: null, memory: null, io: null } as PressureFigures;
  let any = false;
  for (const resource of RESOURCES) {
    const path = cgroup.file(`${resource}.pressure`);
    const text = files ? files.read(path, cgroup.dir) : readOnce(path);
    figures[resource] = text === null ? null : someAvg10(text.toString('latin1'));
    any ||= figures[resource] !== null;
  }
  return any ? figures : null;
}

/** How often the kernel recomputes a PSI file's averages (kernel/sched/psi.c, PSI_FREQ = 2 s). */
const PSI_UPDATE_MS = 2000;

/** How much of a `some avg10` figure is left after one PSI_UPDATE_MS period without a stall (psi.c: e^(-2 s / 10 s)). */
const AVG10_DECAY_PER_UPDATE = Math.exp(-PSI_UPDATE_MS / 10_000);

/** Remembers each cgroup's last figures, so a tick reads them only when they are `minIntervalMs` old. */
export class PressureReader {
  private readonly last = new WeakMap<AgentCgroup, { atMs: number; figures: PressureFigures | null; decayed?: { periods: number; figures: PressureFigures } }>();

  constructor(
    private readonly minIntervalMs = PSI_UPDATE_MS,
    private readonly files?: HeldFiles,
    private readonly restingRereadMs = 10_000,
  ) {}

  /**
   * `cgroup`'s figures, read anew when the last read is `minIntervalMs` old. A `resting` tree — none
   * of its members ran since they were read, and each was then asleep or stopped, neither runnable
   * nor in uninterruptible (I/O) sleep — has started no stall since: its averages only decay, as the
   * kernel decays them every 2 s, and are computed so for up to `restingRereadMs` instead of read.
   */
  read(cgroup: AgentCgroup, nowMs = performance.now(), resting = false): PressureFigures | null {
    const last = this.last.get(cgroup);
    if (last && nowMs - last.atMs < this.minIntervalMs) return last.figures;
    if (last?.figures && resting && nowMs - last.atMs < this.restingRereadMs) {
      // Whole periods only: the figures change when the kernel's would, and are the same object between.
      const periods = Math.floor((nowMs - last.atMs) / PSI_UPDATE_MS);
      if (last.decayed?.periods !== periods) last.decayed = { periods, figures: decay(last.figures, periods) };
      return last.decayed.figures;
    }
    const figures = readPressure(cgroup, this.files);
    this.last.set(cgroup, { atMs: nowMs, figures });
    return figures;
  }
}

/** `figures` after `periods` PSI updates without a stall, to the kernel's two decimals. */
function decay(figures: PressureFigures, periods: number): PressureFigures {
  const factor = AVG10_DECAY_PER_UPDATE ** periods;
  const one = (value: number | null) => (value === null ? null : Math.round(value * factor * 100) / 100);
  return { cpu: one(figures.cpu), memory: one(figures.memory), io: one(figures.io) };
}
