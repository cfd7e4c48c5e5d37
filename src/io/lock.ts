/**
 * A site-wide lock so that commands run at the same time never lose an update: the lock file is
 * created exclusively and holds the owner's pid; a lock whose owner is gone is taken over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOCK_FILE } from './site-paths.js';
import { MacvpnError } from '../errors.js';
import { removeLeftovers, track, untrack } from './leftovers.js';
import { describeFsError } from './write-files.js';

const WAIT_MS = 60_000;

function readPid(lock: string): number | undefined {
  try {
    return Number(fs.readFileSync(lock, 'utf8').trim());
  } catch {
    return undefined;
  }
}

function ownerAlive(lock: string): boolean {
  const pid = readPid(lock);
  if (pid === undefined) return true; // vanished or unreadable: let the next attempt decide
  // The lock is created complete (see take()), so a bad pid means someone wrote it by hand.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates the lock with its content already in it: the pid goes into a private temp file that is
 * then hard-linked to the lock path, which fails if the lock exists. A reader never sees a
 * half-written lock and mistakes it for a stale one.
 */
function take(lock: string): void {
  const tmp = `${lock}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(tmp, `${process.pid}\n`, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(tmp, lock);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Removes a lock whose owner is gone. It is renamed aside first, which only one contender can
 * do; if what was moved turns out to be a live lock (taken meanwhile), it is put back.
 */
function breakStale(lock: string): void {
  const aside = `${lock}.stale.${process.pid}`;
  try {
    fs.renameSync(lock, aside);
  } catch {
    return; // someone else moved it first
  }
  if (ownerAlive(aside)) {
    try {
      fs.linkSync(aside, lock);
    } catch {
      // a new lock is already in place
    }
  }
  fs.rmSync(aside, { force: true });
}

export async function withLock<T>(siteDir: string, fn: () => T | Promise<T>): Promise<T> {
  const lock = path.join(siteDir, LOCK_FILE);
  const deadline = Date.now() + WAIT_MS;
  let delay = 5;
  for (;;) {
    try {
      take(lock);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new MacvpnError(`site folder ${siteDir} does not exist`, ['create it with "macvpn init --server HOST"']);
      if (code !== 'EEXIST') throw new MacvpnError(`cannot create lock ${lock}: ${describeFsError(e)}`);
      if (!ownerAlive(lock)) {
        breakStale(lock);
        continue;
      }
      if (Date.now() > deadline) {
        throw new MacvpnError(`site is locked by another macvpn process (${lock})`, [`if no macvpn is running, remove ${lock}`]);
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 100);
    }
  }
  track(lock);
  try {
    // Holding the lock, no live macvpn writes here: temp files of killed runs can go.
    removeLeftovers(siteDir);
    return await fn();
  } finally {
    // Remove the lock only while it is still ours.
    if (readPid(lock) === process.pid) fs.rmSync(lock, { force: true });
    untrack(lock);
  }
}
