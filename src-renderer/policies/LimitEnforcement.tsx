/**
 * Beside the guard's limits: for each limit set, whether the kernel enforces
 * it (the agent's cgroup) or Corral's guard only watches it, and why — so a
 * limit is never taken for a wall it is not.
 */
import type { GuardLimitsView, LimitEnforcementView, ResourceGuard } from '../../src-preload/contract';
import { formatCpu, formatMemory } from '../format/format';

/** One sentence per limit the guard sets: "Memory limit 512 MB — watched by Corral, not enforced by the kernel (why)". */
export function limitLines(guard: ResourceGuard | null, enforcement: GuardLimitsView): string[] {
  if (guard === null) return [];
  const lines: string[] = [];
  if (guard.memoryMb !== null) lines.push(`Memory limit ${formatMemory(guard.memoryMb)} — ${words(enforcement.memory)}`);
  if (guard.cpuPercent !== null) lines.push(`CPU limit ${formatCpu(guard.cpuPercent)} — ${words(enforcement.cpu)}`);
  return lines;
}

function words(limit: LimitEnforcementView | null): string {
  if (limit === null) return 'watched by Corral';
  return limit.by === 'enforced' ? `enforced by the kernel (${limit.why})` : `watched by Corral, not enforced by the kernel (${limit.why})`;
}

/** The agent's guard limits and who holds each; nothing when no limit is set. */
export function LimitEnforcement({ guard, enforcement }: { guard: ResourceGuard | null; enforcement: GuardLimitsView }) {
  const lines = limitLines(guard, enforcement);
  if (lines.length === 0) return null;
  return (
    <ul className="limit-enforcement small muted" aria-label="Resource limits">
      {lines.map((line) => (
        <li key={line}>{line}</li>
      ))}
    </ul>
  );
}
