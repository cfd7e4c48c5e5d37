/**
 * Who else could change what macvpn reads or writes (issue 10, item 1–3). As ssh does for
 * ~/.ssh (auth2-pubkeyfile.c safe_path), every folder on the way to the site's secrets must be
 * owned by this user or root and not writable by group or others, so nobody else can swap a file
 * in between. Folders above the site may be world-writable with the sticky bit (/tmp): there only
 * an entry's owner can rename or remove it. Every check uses lstat and opens nothing, so a FIFO
 * or device planted in secrets/ is refused instead of blocking the read.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MacvpnError } from '../errors.js';
import { SECRETS_DIR, SITE_FILE } from './site-paths.js';

const modeText = (m: number) => (m & 0o7777).toString(8).padStart(4, '0');
const myUid = (): number | undefined => process.getuid?.();

/** The name for a chown hint: the login name when the system knows it, else the uid. */
function me(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(myUid());
  }
}

/** What a non-regular entry is, in words. */
export function kindOf(st: fs.Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'a regular file';
}

export const foreignOwner = (st: fs.Stats): boolean => {
  const uid = myUid();
  return uid !== undefined && st.uid !== uid && st.uid !== 0;
};

/** Owner and write bits of a folder or file: an error naming the chown/chmod that fixes it. */
export function accessProblem(p: string, st: fs.Stats, what: string, opts: { sticky?: boolean } = {}): MacvpnError | undefined {
  if (foreignOwner(st)) {
    return new MacvpnError(`${p} is owned by uid ${st.uid}, not by you (uid ${myUid()}) or root; ${what}`, [`chown ${me()} ${p}`]);
  }
  const stickyOk = opts.sticky === true && st.isDirectory() && (st.mode & 0o1000) !== 0;
  if (st.mode & 0o022 && !stickyOk) {
    return new MacvpnError(`${p} is writable by group or others (mode ${modeText(st.mode)}); ${what}`, [`chmod go-w ${p}`]);
  }
  return undefined;
}

/** The site folder's real path, or of its nearest existing parent when it does not exist yet. */
function existingReal(dir: string): string {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      return fs.realpathSync(d);
    } catch {
      if (d === path.dirname(d)) return d;
    }
  }
}

/** The site folder and every folder above it: owned by you or root, not writable by others. */
export function checkSitePath(siteDir: string): void {
  const real = existingReal(siteDir);
  const site = (() => {
    try {
      return fs.realpathSync(siteDir);
    } catch {
      return undefined;
    }
  })();
  const chain: string[] = [];
  for (let d = real; ; d = path.dirname(d)) {
    chain.unshift(d);
    if (d === path.dirname(d)) break;
  }
  for (const d of chain) {
    const st = fs.lstatSync(d);
    const problem = accessProblem(d, st, "another user could replace the site's files; refusing to use it", { sticky: d !== site });
    if (problem) throw problem;
  }
}

/**
 * macvpn.yaml decides what install.sh does on the router: refuse one that others can change. A
 * symlink is followed on purpose (macvpn.yaml kept in a git checkout), then the file it names is
 * checked. A FIFO or device is refused before it is opened.
 */
export function checkSiteFile(siteDir: string): void {
  const file = path.join(siteDir, SITE_FILE);
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) return; // "not found" comes from the reader, with its hint
  if (!st.isFile()) throw new MacvpnError(`${file} is ${kindOf(st)}, not a regular file; refusing to read it`);
  const problem = accessProblem(file, st, 'it decides what install.sh does on the router; refusing to use it');
  if (problem) throw problem;
}

/**
 * secrets/ must hold regular files and plain folders only, none a symlink, FIFO or device, all
 * owned by you and private (folders 0700, files 0600).
 */
export function checkSecretsDir(siteDir: string): void {
  const dir = path.join(siteDir, SECRETS_DIR);
  const top = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (!top) return;
  const check = (p: string, st: fs.Stats, isDir: boolean): void => {
    if (isDir ? !st.isDirectory() : !st.isFile()) {
      const want = isDir ? 'a folder' : 'a regular file';
      throw new MacvpnError(`${p} is ${kindOf(st)}, not ${want}; secrets must be plain files in a plain folder`, [`move it away and restore the real ${isDir ? 'folder' : 'file'} from a backup`]);
    }
    const owner = accessProblem(p, st, 'refusing to use it');
    if (owner && foreignOwner(st)) throw owner;
    if (st.mode & 0o077) {
      throw new MacvpnError(`${p} is accessible by group or others (mode ${modeText(st.mode)}); refusing to use it`, [`chmod ${isDir ? '700' : '600'} ${p}`]);
    }
  };
  // Plain folders inside (a VPN type's per-user identities, secrets/users/) get the same rules.
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      // = path.join(d, name): d is joined already and a name from readdir is one plain segment
      // (secrets/users/ holds a file per user: path.join's normalising was a third of this walk).
      const p = d + path.sep + name;
      const st = fs.lstatSync(p);
      check(p, st, st.isDirectory());
      if (st.isDirectory()) walk(p);
    }
  };
  check(dir, top, true);
  walk(dir);
}

/** Everything a site-loading command checks before it opens a file (DESIGN.md §3). */
export function checkSiteTrust(siteDir: string): void {
  checkSitePath(siteDir);
  checkSiteFile(siteDir);
  checkSecretsDir(siteDir);
}

/**
 * For `macvpn check`: what would stop (or has subverted) a write into server/ and profiles/ — a
 * symlinked, foreign or writable folder, or a symlink where a generated file belongs.
 */
export function outputProblems(siteDir: string, dirs: readonly string[]): string[] {
  const problems: string[] = [];
  const walk = (p: string, depth: number): void => {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) return;
    const rel = path.relative(siteDir, p);
    if (st.isSymbolicLink()) {
      problems.push(depth === 0 || fs.statSync(p, { throwIfNoEntry: false })?.isDirectory()
        ? `${rel} is a symbolic link to a folder: macvpn never writes through one; replace it with a real folder`
        : `${rel} is a symbolic link: the next build replaces it with the file itself`);
      return;
    }
    if (!st.isDirectory()) return;
    const problem = accessProblem(rel, st, 'macvpn refuses to write into it');
    if (problem) problems.push(`${problem.message} (${problem.hints[0]})`);
    for (const name of fs.readdirSync(p).sort()) walk(path.join(p, name), depth + 1);
  };
  for (const d of dirs) walk(path.join(siteDir, d), 0);
  return problems;
}
