import { existsSync } from 'node:fs';
import { createProcReader } from './proc-reader';
import type { ProcessReader } from './process-table';
import { createPidusageReader, createPsReader } from './ps-reader';

/** The cheapest reader this platform supports (DESIGN.md decision 7). */
export function createProcessReader(): ProcessReader {
  if (process.platform === 'linux' && existsSync('/proc/self/stat')) return createProcReader();
  if (process.platform === 'win32') return createPidusageReader();
  return createPsReader();
}
