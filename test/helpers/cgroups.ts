/**
 * What the containment tests need to know about this machine's cgroups, and
 * the one way they switch the engine to the heuristic tracker by environment.
 */
import { Containment, CONTAINMENT_ENV } from '../../src-main/supervisor/process/cgroup/containment';
import { tempDir } from './agents';

/**
 * Whether this machine can put agents in cgroups, whatever CORRAL_CONTAINMENT says: run with
 * CORRAL_CONTAINMENT=process-group, the cgroup tests drive today's heuristic tracker, and fail.
 */
export const cgroupsAvailable: boolean = ((): boolean => {
  const forced = process.env[CONTAINMENT_ENV];
  delete process.env[CONTAINMENT_ENV];
  const { containment } = Containment.open(tempDir());
  containment?.close();
  if (forced !== undefined) process.env[CONTAINMENT_ENV] = forced;
  return containment !== null;
})();

/** Runs `body` with CORRAL_CONTAINMENT=process-group (the fallback asked for by environment), then puts back what was there. */
export async function underProcessGroupEnv<T>(body: () => Promise<T>): Promise<T> {
  const before = process.env[CONTAINMENT_ENV];
  process.env[CONTAINMENT_ENV] = 'process-group';
  try {
    return await body();
  } finally {
    if (before === undefined) delete process.env[CONTAINMENT_ENV];
    else process.env[CONTAINMENT_ENV] = before;
  }
}

/** The run asks every engine for the heuristic tracker (CORRAL_CONTAINMENT=process-group, the fallback's run of the suite). */
export const processGroupForced: boolean = process.env[CONTAINMENT_ENV] === 'process-group';

/** Tests of the cgroup path itself skip: no cgroups here, or the run forces the fallback. */
export const cgroupsOff: boolean = !cgroupsAvailable || processGroupForced;
