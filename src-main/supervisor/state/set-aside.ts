/**
 * An unusable file (corrupt, truncated, hand-edited) is never overwritten nor
 * silently deleted: it is kept byte for byte beside itself and removed from
 * its place, so a clean one can be written there.
 */
import { constants, copyFileSync, renameSync, unlinkSync } from 'node:fs';
import { messageOf } from '../errors';

/** Where `file` is kept once set aside: `<file>.corrupt-<time>`. */
function keptName(file: string): string {
  return `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}

/** Moves `file` aside as `<file>.corrupt-<time>`; the kept path, or why it could not be done. */
export function setAside(file: string): { kept: string } | { failure: string } {
  const kept = keptName(file);
  try {
    copyFileSync(file, kept, constants.COPYFILE_EXCL);
    unlinkSync(file);
    return { kept };
  } catch (error) {
    return { failure: messageOf(error) };
  }
}

/**
 * Renames whatever is at `file` (a file, a link, a folder: the name itself, never what it points to) to
 * `<file>.corrupt-<time>`; the kept path. Throws when it cannot. For names in a folder anyone of the user's
 * may write to, where copying would read through a planted link.
 */
export function renameAside(file: string): string {
  const kept = keptName(file);
  renameSync(file, kept);
  return kept;
}

/** Removes `file` if it can; a file already gone, or one that cannot be removed, is left to the caller's next look. */
export function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // gone already, or not ours to remove
  }
}
