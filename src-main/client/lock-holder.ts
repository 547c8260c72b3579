/**
 * Who holds a data folder, for the client's messages and `corral shutdown`.
 * The reading lives in shared/lock-file.ts, which the engine's lock uses too.
 */
export { isPidAlive as isProcessAlive, LOCK_FILE_NAME, readLockHolder, type LockHolderInfo } from '../shared/lock-file';
