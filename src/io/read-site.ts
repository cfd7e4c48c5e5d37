/**
 * Reads a site folder: checks the modes of everything in secrets/ first (as ssh does for keys),
 * then parses macvpn.yaml and the secrets into a validated Site.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseSite } from '../site/parse-site.js';
import { checkPasswords, parsePasswords } from '../site/secrets.js';
import type { Problem, Secrets, Settings, Site } from '../site/types.js';
import { MacvpnError, problemsError } from '../errors.js';
import { PASSWORDS_FILE, SITE_FILE } from './site-paths.js';
import { checkSiteTrust } from './trust.js';
import { describeFsError } from './write-files.js';
import { vpnTypeOf } from '../vpn/index.js';

/** Sites whose secrets/ this process has checked: one command checks once, not per reader. */
const checked = new Set<string>();

/**
 * Refuses a site that someone else could change: secrets/ and its files not private, not plain,
 * or not yours; a folder on the way there or macvpn.yaml writable by others (src/io/trust.ts).
 * Each problem names the chmod or chown that fixes it.
 */
export function checkSecretModes(siteDir: string): void {
  if (checked.has(siteDir)) return;
  checkSiteTrust(siteDir);
  checked.add(siteDir);
}

function readText(siteDir: string, rel: string, missingHint: string): string {
  try {
    return fs.readFileSync(path.join(siteDir, rel), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MacvpnError(`${path.join(siteDir, rel)} not found`, [missingHint]);
    throw new MacvpnError(`cannot read ${path.join(siteDir, rel)}: ${describeFsError(e)}`);
  }
}

/** Settings only (no secrets are read), after the secrets/ mode check. */
export function loadSettings(siteDir: string): Settings {
  checkSecretModes(siteDir);
  const text = readText(siteDir, SITE_FILE, `no site here: create one with "macvpn init --server HOST" or pass --site DIR`);
  const result = parseSite(text);
  if (!result.ok) throw problemsError(SITE_FILE, result.problems);
  return result.settings;
}

/** What a file that is a symlink, FIFO, device or folder gets instead of being read. */
const notPlain = (full: string) => new MacvpnError(`${full} is not a plain file; refusing to read it`);

/** The error of a failed lstat or open, as the readers below report it; undefined when the file is absent. */
function absentOr(full: string, e: unknown): undefined {
  if (e instanceof MacvpnError) throw e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return undefined;
  // An open that failed on what is not a plain file (O_NOFOLLOW on a symlink: ELOOP; a socket:
  // ENXIO on Linux, EOPNOTSUPP on macOS and OpenBSD) is refused as such, not as an I/O error.
  if (thereButNotPlain(full)) throw notPlain(full);
  throw new MacvpnError(`cannot read ${full}: ${describeFsError(e)}`);
}

/** Whether something that is not a plain file is at `full` (why an open failed, when it did). */
function thereButNotPlain(full: string): boolean {
  try {
    return fs.lstatSync(full, { throwIfNoEntry: false })?.isFile() === false;
  } catch {
    return false; // the first error is the one to report
  }
}

/** True when `full` is a plain file, false when it is absent; what is neither is refused. */
function isPlainFile(full: string): boolean {
  try {
    if (!fs.lstatSync(full).isFile()) throw notPlain(full);
    return true;
  } catch (e) {
    return absentOr(full, e) ?? false;
  }
}

/**
 * Opened without following a symlink and without waiting (a FIFO opened O_NONBLOCK returns at
 * once), then refused unless fstat shows a plain file: what was checked is what is read, and
 * nothing is read from a FIFO or a device. One path lookup instead of an lstat and an open.
 */
const READ_PLAIN = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

/** A plain file's bytes; undefined when it is absent. Anything else that is wrong is one MacvpnError naming the file. */
function readPlainFile(full: string): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(full, READ_PLAIN);
  } catch (e) {
    return absentOr(full, e);
  }
  try {
    if (!fs.fstatSync(fd).isFile()) throw notPlain(full);
    return fs.readFileSync(fd);
  } catch (e) {
    return absentOr(full, e);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * VpnType's SiteFileThere: whether a file is there, refused as the reader refuses it when it is
 * not a plain file. A folder's plain files are listed once (readdir's file types: one call for
 * 5,000 identities instead of 5,000 lstats, 3-4 ms against 10 here); a name not listed as one is
 * looked up on its own, so what is absent, not plain, or named in another case on a
 * case-insensitive disk is answered as before.
 */
function siteFileThere(siteDir: string) {
  const listed = new Map<string, Set<string> | undefined>();
  const plainFilesIn = (dir: string): Set<string> | undefined => {
    try {
      return new Set(fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name));
    } catch {
      return undefined; // looked up name by name
    }
  };
  return (rel: string): boolean => {
    const full = path.join(siteDir, rel);
    const dir = path.dirname(full);
    if (!listed.has(dir)) listed.set(dir, plainFilesIn(dir));
    return listed.get(dir)?.has(path.basename(full)) === true || isPlainFile(full);
  };
}

/** A site file's bytes for the VPN type's reader: absent is undefined, or an error when a hint is given. */
export function siteFileReader(siteDir: string) {
  return (rel: string, missingHint?: string): Uint8Array | undefined => {
    const full = path.join(siteDir, rel);
    const bytes = readPlainFile(full);
    if (bytes === undefined && missingHint !== undefined) throw new MacvpnError(`${full} not found`, [missingHint]);
    return bytes;
  };
}

/**
 * The VPN type's state as it will be once `files` are written and `remove` deleted (paths
 * relative to the site): to check a change as a whole before anything is written.
 */
export function loadStateAfter(siteDir: string, settings: Settings, files: ReadonlyArray<{ path: string; contents: string | Uint8Array }>, remove: readonly string[]): object {
  const disk = siteFileReader(siteDir);
  const overlay = new Map<string, Uint8Array | undefined>(remove.map((r) => [r, undefined]));
  for (const f of files) overlay.set(f.path, typeof f.contents === 'string' ? Buffer.from(f.contents, 'utf8') : f.contents);
  const read = (rel: string, missingHint?: string) => {
    if (!overlay.has(rel)) return disk(rel, missingHint);
    const v = overlay.get(rel);
    if (v === undefined && missingHint !== undefined) return disk(rel, missingHint);
    return v;
  };
  return vpnTypeOf(settings).loadState(read, settings);
}

/** How much of the type's state to read (VpnType.loadState). */
export interface LoadOptions {
  /** Leave what only profiles embed unread, checked for being there (a build that signs every profile). */
  deferIdentities?: boolean;
}

/** The per-user secrets and the VPN type's state; only `users`' per-user state when given. */
export function loadSecrets(siteDir: string, settings: Settings, users?: readonly string[], opts: LoadOptions = {}): Secrets {
  const vpn = vpnTypeOf(settings).loadState(siteFileReader(siteDir), settings, users, opts.deferIdentities ? siteFileThere(siteDir) : undefined);
  const passwords = parsePasswords(readText(siteDir, PASSWORDS_FILE, 'restore it from a backup (without it no user can log in)'));
  if (typeof passwords === 'string') throw new MacvpnError(`${PASSWORDS_FILE} ${passwords}`);
  return { passwords, vpn };
}

const SECRETS_HINT = 'set a new value with "macvpn psk rotate" or "macvpn user rotate NAME"';

/** Secrets problems as errors naming the secrets file each concerns. */
export function secretsError(problems: Problem[]): MacvpnError {
  return new MacvpnError(problems.map((p) => `${p.path === 'passwords' ? PASSWORDS_FILE : p.path}: ${p.message}`), [SECRETS_HINT]);
}

/** Every problem of the secrets against the settings: passwords, then the type's own state. */
export function secretsProblems(settings: Settings, secrets: Secrets): Problem[] {
  return [...vpnTypeOf(settings).checkState(settings, secrets), ...checkPasswords(settings, secrets)];
}

/** Settings and secrets as stored, before they are checked against each other (for repairs). */
export function loadSiteUnchecked(siteDir: string, users?: readonly string[], opts: LoadOptions = {}): Site {
  const settings = loadSettings(siteDir);
  return { ...settings, secrets: loadSecrets(siteDir, settings, users, opts) };
}

/** The whole validated site: settings plus secrets, cross-checked (the type's per-user state for `users` only, when given). */
export function loadSite(siteDir: string, users?: readonly string[]): Site {
  const site = loadSiteUnchecked(siteDir, users);
  const problems = secretsProblems(site, site.secrets);
  if (problems.length > 0) throw secretsError(problems);
  return site;
}
