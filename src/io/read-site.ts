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
import { PASSWORDS_FILE, SECRETS_DIR, SITE_FILE } from './site-paths.js';
import { vpnTypeOf } from '../vpn/index.js';

const modeText = (m: number) => (m & 0o777).toString(8).padStart(4, '0');

/** Sites whose secrets/ this process has checked: one command checks once, not per reader. */
const checked = new Set<string>();

/** Refuses a secrets folder or file that group or others can access, with the chmod that fixes it. */
export function checkSecretModes(siteDir: string): void {
  if (checked.has(siteDir)) return;
  const dir = path.join(siteDir, SECRETS_DIR);
  const walk = (p: string): void => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) throw new MacvpnError(`${p} is a symbolic link; secrets must be plain files`);
    if (st.mode & 0o077) {
      const want = st.isDirectory() ? '700' : '600';
      throw new MacvpnError(`${p} is accessible by group or others (mode ${modeText(st.mode)}); refusing to use it`, [`chmod ${want} ${p}`]);
    }
    if (st.isDirectory()) for (const name of fs.readdirSync(p).sort()) walk(path.join(p, name));
  };
  if (fs.existsSync(dir)) walk(dir);
  checked.add(siteDir);
}

function readText(siteDir: string, rel: string, missingHint: string): string {
  try {
    return fs.readFileSync(path.join(siteDir, rel), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MacvpnError(`${path.join(siteDir, rel)} not found`, [missingHint]);
    throw new MacvpnError(`cannot read ${path.join(siteDir, rel)}: ${code}`);
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

/** A site file's bytes for the VPN type's reader: absent is undefined, or an error when a hint is given. */
function siteFileReader(siteDir: string) {
  return (rel: string, missingHint?: string): Uint8Array | undefined => {
    const full = path.join(siteDir, rel);
    try {
      return fs.readFileSync(full);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && missingHint === undefined) return undefined;
      if (code === 'ENOENT') throw new MacvpnError(`${full} not found`, [missingHint!]);
      throw new MacvpnError(`cannot read ${full}: ${code}`);
    }
  };
}

/** The per-user secrets and the VPN type's state; only `users`' per-user state when given. */
export function loadSecrets(siteDir: string, settings: Settings, users?: readonly string[]): Secrets {
  const vpn = vpnTypeOf(settings).loadState(siteFileReader(siteDir), settings, users);
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
export function loadSiteUnchecked(siteDir: string, users?: readonly string[]): Site {
  const settings = loadSettings(siteDir);
  return { ...settings, secrets: loadSecrets(siteDir, settings, users) };
}

/** The whole validated site: settings plus secrets, cross-checked (the type's per-user state for `users` only, when given). */
export function loadSite(siteDir: string, users?: readonly string[]): Site {
  const site = loadSiteUnchecked(siteDir, users);
  const problems = secretsProblems(site, site.secrets);
  if (problems.length > 0) throw secretsError(problems);
  return site;
}
