import { readFileSync } from 'node:fs';
import { uptime } from 'node:os';

/**
 * Identifies this boot, so a pid persisted before a reboot is never mistaken
 * for the same process after it.
 */
export function readBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // Elsewhere: the boot time, rounded so clock jitter between reads agrees.
    return `boot-${Math.round((Date.now() / 1000 - uptime()) / 60)}`;
  }
}
