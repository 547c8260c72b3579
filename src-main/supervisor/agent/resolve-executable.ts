import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { ErrorKind } from '../types';

export type Resolution = { ok: true; file: string } | { ok: false; kind: ErrorKind; message: string };

/**
 * Finds the file `program` names, the way execvp would, so a failure can say
 * exactly what is wrong (Node blames every launch failure on the command).
 * Windows resolves PATHEXT itself, so there we only check explicit paths.
 */
export function resolveExecutable(program: string, pathVariable: string | undefined, cwd: string): Resolution {
  if (program.includes('/') || (process.platform === 'win32' && program.includes('\\'))) {
    return checkFile(path.resolve(cwd, program), program);
  }
  if (process.platform === 'win32') return { ok: true, file: program };
  const dirs = (pathVariable ?? '').split(path.delimiter).map((dir) => (dir === '' ? cwd : path.resolve(cwd, dir)));
  let denied: Resolution | null = null;
  for (const dir of dirs) {
    const candidate = checkFile(path.join(dir, program), program);
    if (candidate.ok) return candidate;
    if (candidate.kind === 'permission-denied') denied ??= candidate;
  }
  return (
    denied ?? {
      ok: false,
      kind: 'spawn-failed',
      message:
        dirs.length === 0
          ? `Executable "${program}" was not found: PATH is empty. Give its full path.`
          : `Executable "${program}" was not found on PATH (${dirs.length} folders searched). Install it or give its full path.`,
    }
  );
}

function checkFile(file: string, program: string): Resolution {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    return { ok: false, kind: 'spawn-failed', message: `Executable "${program}" does not exist (looked for ${file}).` };
  }
  if (!isFile) return { ok: false, kind: 'spawn-failed', message: `"${program}" is not a file (${file}).` };
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return { ok: false, kind: 'permission-denied', message: `Permission denied: ${file} is not executable (chmod +x it, or run it through its interpreter).` };
  }
  return { ok: true, file };
}

/** Checks the working directory ourselves: Node reports a missing cwd as ENOENT of the command. */
export function checkCwd(cwd: string): string | null {
  try {
    return statSync(cwd).isDirectory() ? null : `Working directory ${cwd} is not a directory.`;
  } catch {
    return `Working directory ${cwd} does not exist.`;
  }
}
