/**
 * Read-modify-write of a site under the lock: load, change, re-validate the whole result, then
 * write every changed file in one atomic plan. Nothing is written if any check fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { withLock } from '../io/lock.js';
import { checkSecretModes, loadSiteUnchecked, secretsError } from '../io/read-site.js';
import { ensureDir, writeFiles } from '../io/write-files.js';
import { checkSitePath } from '../io/trust.js';
import { parseSite } from '../site/parse-site.js';
import { renderSiteYaml } from '../site/render-site-yaml.js';
import { updateSiteYaml } from '../site/update-site-yaml.js';
import { checkSecrets, renderPasswords } from '../site/secrets.js';
import type { Settings, Site } from '../site/types.js';
import { MODE_PUBLIC, MODE_SECRET, type OutputFile } from '../plan/output-file.js';
import { PASSWORDS_FILE, PSK_FILE, SECRETS_DIR, SITE_FILE } from '../io/site-paths.js';
import { MacvpnError, problemsError } from '../errors.js';
import { siteSignerFiles } from './signer-files.js';
import type { Ctx } from './context.js';

export interface SiteChange {
  settings?: Settings;
  psk?: string;
  passwords?: Map<string, string>;
  /** Extra paths to delete (relative to the site) once the new files are in place. */
  remove?: string[];
}

const pskFile = (psk: string): OutputFile => ({ path: PSK_FILE, contents: psk + '\n', mode: MODE_SECRET, secret: true });
const passwordsFile = (passwords: ReadonlyMap<string, string>): OutputFile => ({
  path: PASSWORDS_FILE,
  contents: renderPasswords(passwords),
  mode: MODE_SECRET,
  secret: true,
});

/** The files that store a new site: macvpn.yaml (canonical layout), secrets/psk, secrets/passwords.json. */
export function siteFiles(settings: Settings, psk: string, passwords: ReadonlyMap<string, string>): OutputFile[] {
  return [pskFile(psk), passwordsFile(passwords), { path: SITE_FILE, contents: renderSiteYaml(settings), mode: MODE_PUBLIC }];
}

/** Validates a new site state as a whole (the rendered YAML is parsed back) before any write. */
export function validateSiteState(settings: Settings, psk: string, passwords: ReadonlyMap<string, string>): Settings {
  const parsed = parseSite(renderSiteYaml(settings));
  // Line numbers would point into the new text, not the file on disk: leave them out.
  if (!parsed.ok) throw problemsError(SITE_FILE, parsed.problems.map(({ line: _line, ...p }) => p));
  const problems = checkSecrets(parsed.settings, { psk, passwords });
  if (problems.length > 0) throw secretsError(problems);
  return parsed.settings;
}

export async function editSite(ctx: Ctx, change: (site: Site) => SiteChange): Promise<Site> {
  return withLock(ctx.siteDir, () => {
    // Unchecked: a site whose secrets are broken must be repairable by the very commands the
    // error suggests (psk rotate, user rotate); the result is validated as a whole below.
    const site = loadSiteUnchecked(ctx.siteDir);
    const c = change(site);
    const settings = c.settings ?? site;
    const psk = c.psk ?? site.secrets.psk;
    const passwords = c.passwords ?? new Map(site.secrets.passwords);
    const valid = validateSiteState(settings, psk, passwords);
    // Only the users still listed keep a password entry.
    const kept = new Map(valid.users.map((u) => [u.name, passwords.get(u.name)!]));
    // Write only what changed; macvpn.yaml keeps the administrator's comments and layout.
    const files: OutputFile[] = [];
    if (c.psk !== undefined) files.push(pskFile(psk));
    if (c.passwords !== undefined || c.settings !== undefined) files.push(passwordsFile(kept));
    if (c.settings !== undefined) {
      const original = fs.readFileSync(path.join(ctx.siteDir, SITE_FILE), 'utf8');
      files.push({ path: SITE_FILE, contents: updateSiteYaml(original, valid), mode: MODE_PUBLIC });
    }
    writeFiles(ctx.siteDir, files, { remove: c.remove, followBase: true, followSymlinks: [SITE_FILE] });
    return { ...valid, secrets: { psk, passwords: kept } };
  });
}

/**
 * Writes a brand-new site (init, import): settings, secrets and a site signer. An existing site is
 * refused unless `force`; nothing is written when anything fails. Returns what was written.
 */
export async function createSite(
  ctx: Ctx,
  settings: Settings,
  psk: string,
  passwords: ReadonlyMap<string, string>,
  opts: { force: boolean; forceHint: string },
): Promise<OutputFile[]> {
  const valid = validateSiteState(settings, psk, passwords);
  const site = ctx.siteDir;
  const exists = fs.existsSync(path.join(site, SITE_FILE)) || fs.existsSync(path.join(site, SECRETS_DIR));
  if (exists && !opts.force) throw new MacvpnError(`${site} already holds a macvpn site`, [opts.forceHint]);
  checkSitePath(site);
  if (exists) checkSecretModes(site);
  ensureDir(site, 0o755);
  return withLock(site, () => {
    const files = [...siteFiles(valid, psk, passwords), ...siteSignerFiles(valid, new Date())];
    ensureDir(path.join(site, SECRETS_DIR));
    writeFiles(site, files, { followBase: true, followSymlinks: [SITE_FILE] });
    return files;
  });
}
