/** The outcome of a stopOrphans call, in one sentence. */
import type { OrphanStopView } from '../../src-preload/contract';
import { plural } from '../format/format';

export function describeOrphanStop(result: OrphanStopView): string {
  const parts = [`Stopped ${plural(result.stopped, 'orphan')}`];
  if (result.alreadyEnded > 0) parts.push(`${result.alreadyEnded} had already ended`);
  if (result.survivors.length > 0) parts.push(`survived SIGKILL: ${result.survivors.map((survivor) => `${survivor.pid} (${survivor.name})`).join(', ')}`);
  const recycled = result.refused.filter((refusal) => refusal.reason === 'recycled').length;
  const notOrphans = result.refused.length - recycled;
  if (recycled > 0) parts.push(`${recycled} left alone: the pid now belongs to another process`);
  if (notOrphans > 0) parts.push(`${notOrphans} left alone: no longer an orphan of this Corral`);
  return `${parts.join('; ')}.`;
}
