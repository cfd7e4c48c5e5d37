/**
 * Temp files and staging folders hold secrets until they are renamed into place. This module
 * keeps track of the ones this process is writing, so an interrupted command (Ctrl-C, kill)
 * removes them, and finds those a process left behind when it was killed outright.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROFILES_DIR, SECRETS_DIR, SERVER_DIR } from './site-paths.js';

const inFlight = new Set<string>();

export const track = (p: string): void => void inFlight.add(p);
export const untrack = (p: string): void => void inFlight.delete(p);

/**
 * Removes everything this process has in flight (temp files, staging folders, its lock). Worker
 * threads may still be writing into a staging folder: it is renamed away first, so their next
 * file cannot land in it, then removed with retries.
 */
export function removeInFlight(): void {
  for (const p of inFlight) {
    let victim = p;
    try {
      if (fs.statSync(p).isDirectory()) {
        victim = `${p}.removing`;
        fs.renameSync(p, victim);
      }
    } catch {
      // gone already, or cannot be renamed: remove it where it is
    }
    try {
      fs.rmSync(victim, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
    } catch {
      // nothing more to do on the way out; `macvpn check` reports what is left
    }
  }
  inFlight.clear();
}

/** `.NAME.<pid>.<8 hex>.tmp` (write-files.ts tempName) and `.macvpn-staging.<pid>.<8 hex>[.removing]`. */
const LEFTOVER = /^\.(?:.+\.(\d+)\.[0-9a-f]{8}\.tmp|macvpn-staging\.(\d+)\.[0-9a-f]{8}(?:\.removing)?)$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function scan(dir: string, recursive: boolean, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    // Every leftover name starts with a dot: profiles/ holds thousands of names that cannot match.
    if (!recursive && e.name.charCodeAt(0) !== 0x2e) continue;
    const full = path.join(dir, e.name);
    const m = LEFTOVER.exec(e.name);
    if (m && !alive(Number(m[1] ?? m[2]))) out.push(full);
    else if (recursive && e.isDirectory()) scan(full, true, out);
  }
}

/** Leftovers of dead macvpn processes in a site: its root, secrets/, profiles/ and server/. */
export function findLeftovers(siteDir: string): string[] {
  const out: string[] = [];
  scan(siteDir, false, out);
  scan(path.join(siteDir, SECRETS_DIR), false, out);
  scan(path.join(siteDir, PROFILES_DIR), false, out);
  scan(path.join(siteDir, SERVER_DIR), true, out);
  return out;
}

export function removeLeftovers(siteDir: string): string[] {
  const found = findLeftovers(siteDir);
  for (const p of found) fs.rmSync(p, { recursive: true, force: true });
  return found;
}
