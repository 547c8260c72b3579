/**
 * An unusable file (corrupt, truncated, hand-edited) is never overwritten nor
 * silently deleted: it is kept byte for byte beside itself and removed from
 * its place, so a clean one can be written there.
 */
import { constants, copyFileSync, unlinkSync } from 'node:fs';
import { messageOf } from '../errors';

/** Moves `file` aside as `<file>.corrupt-<time>`; the kept path, or why it could not be done. */
export function setAside(file: string): { kept: string } | { failure: string } {
  const kept = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  try {
    copyFileSync(file, kept, constants.COPYFILE_EXCL);
    unlinkSync(file);
    return { kept };
  } catch (error) {
    return { failure: messageOf(error) };
  }
}
