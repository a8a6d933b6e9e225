import { closeSync, mkdirSync, openSync, readFileSync, writeSync, ftruncateSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * fs-native-extensions: POSIX open-file-description locks (`fcntl(F_OFD_SETLK)`) from a prebuilt
 * addon. The kernel drops the lock when the process dies, however it dies, so a crash leaves no
 * stale lock to clean up (a pid file or an mtime heartbeat would). Loaded only when a lock is
 * taken: a process on PostgreSQL never needs the addon.
 */
function tryLock(fd: number): boolean {
  const addon = createRequire(import.meta.url)('fs-native-extensions') as { tryLock(fd: number): boolean };
  return addon.tryLock(fd);
}

/** The lock file inside DATA_DIR; it holds the pid of the process that has the directory. */
export const DATA_DIR_LOCK_FILE = 'server.lock';

export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: string) {
    // SPEC §7, exact.
    super(`DATA_DIR ${dataDir} is in use by another process (pid ${pid}) — stop it first, or use DATABASE_URL`);
    this.name = 'DataDirInUseError';
  }
}

/**
 * Claims the embedded DATA_DIR for this process until it exits (SPEC §7: two processes never open
 * one embedded directory; PGlite has no lock of its own, and two writers lose data). Creates the
 * directory first (SPEC §1: a first start may find none, whether or not ENCRYPTION_KEY is set).
 * Throws {@link DataDirInUseError} before anything is written when another process holds it.
 */
export function lockDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, DATA_DIR_LOCK_FILE);
  // 'a+' neither truncates nor moves anything: the holder's pid stays readable.
  const fd = openSync(path, 'a+', 0o600);
  if (!tryLock(fd)) {
    closeSync(fd);
    throw new DataDirInUseError(dataDir, holderPid(path));
  }
  ftruncateSync(fd, 0);
  writeSync(fd, `${process.pid}\n`);
  // The descriptor stays open (and locked) for the life of the process: it is never closed.
}

/** The pid the holder wrote; it writes it right after locking, so a reader may rarely find none yet. */
function holderPid(path: string): string {
  try {
    const pid = readFileSync(path, 'utf8').trim();
    return /^\d+$/.test(pid) ? pid : 'unknown';
  } catch {
    return 'unknown';
  }
}
