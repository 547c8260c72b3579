import path from 'node:path';

/**
 * True when `file` (an agent's CORRAL_STATUS_FILE) lies inside `dir`. That is
 * how a process is known to be this Corral's and not another instance's (a
 * second host or a test run with its own data dir may use the same agent ids).
 */
export function isUnder(file: string | null, dir: string): boolean {
  if (file === null || !path.isAbsolute(file)) return false;
  const relative = path.relative(dir, path.resolve(file));
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
