/**
 * Read-modify-write of a site under the lock: load, change, re-validate the whole result, then
 * write every changed file in one atomic plan. Nothing is written if any check fails.
 */
import { generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { withLock } from '../io/lock.js';
import { checkSecretModes, loadSiteUnchecked, loadStateAfter, secretsError, secretsProblems, type LoadOptions } from '../io/read-site.js';
import { ensureDir, writeFiles } from '../io/write-files.js';
import { checkSitePath } from '../io/trust.js';
import { parseSite } from '../site/parse-site.js';
import { renderSiteYaml } from '../site/render-site-yaml.js';
import { updateSiteYaml } from '../site/update-site-yaml.js';
import { checkPasswords, renderPasswords } from '../site/secrets.js';
import type { Settings, Site } from '../site/types.js';
import { MODE_PUBLIC, MODE_SECRET, type OutputFile } from '../plan/output-file.js';
import { BACKUPS_DIR, PASSWORDS_FILE, SECRETS_DIR, SITE_FILE } from '../io/site-paths.js';
import { backupSite } from '../io/backup.js';
import type { Tools, VpnType } from '../vpn/vpn-type.js';
import { vpnTypeOf } from '../vpn/index.js';
import { BuildPool } from './build-workers.js';
import { MacvpnError, problemsError } from '../errors.js';
import { siteSignerFiles } from './signer-files.js';
import type { Ctx } from './context.js';
import type { Progress } from './progress.js';

export interface SiteChange {
  settings?: Settings;
  /** A new site-wide secret (psk rotate), for a VPN type that has one. */
  siteSecret?: string;
  passwords?: Map<string, string>;
  /** Users whose per-user secret was replaced (user rotate): the type re-issues what depends on it. */
  rotated?: string[];
  /** Extra paths to delete (relative to the site) once the new files are in place. */
  remove?: string[];
  /** macvpn.yaml as the change wrote it (macvpn set edits it in place); must parse to `settings`. */
  yaml?: string;
  /**
   * Called with the site before and after the change (its new state included), before anything
   * is written: it may refuse the change by throwing (a plan that no longer renders).
   */
  preview?: (before: Site, after: Site) => void;
}

/**
 * A new key pair as its private JWK, straight from the key generation job: no KeyObject of the
 * job's ever reaches JavaScript. Node 20.20 deadlocks when a KeyObject from generateKeyPairSync
 * is exported (as JWK) while the garbage collector runs inside that export: the collected job's
 * destructor waits for the mutex the export holds (gdb: ~KeyGenJob in uv_mutex_lock under
 * ExportJWKEcKey); with 5,000 users it hung `macvpn build` within seconds. The job's own JWK
 * encoding is the one export that happens inside the job. The type builds the DER it needs from
 * the JWK (~55 µs a P-256 key here, against ~180 µs for re-importing the JWK as KeyObjects).
 * test/cli/new-key.test.ts runs thousands under forced collections.
 */
export function newKey(kind: 'ecdsa' | 'rsa'): JsonWebKey {
  const encoding = { publicKeyEncoding: { format: 'jwk' }, privateKeyEncoding: { format: 'jwk' } } as const;
  const pair = kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048, ...encoding }) : generateKeyPairSync('ec', { namedCurve: 'P-256', ...encoding });
  return pair.privateKey as unknown as JsonWebKey;
}

/** Time, randomness and key generation for the VPN type's state (the core has none of its own). */
export function siteTools(now = new Date()): Tools {
  return {
    now,
    random: (n) => randomBytes(n),
    newKey,
  };
}

/** Below this many inputs a type's task runs in this thread: starting threads costs ~0.1 s. */
const SPAWN_MIN = 200;

/**
 * Tools whose `parallel` runs the type's tasks on `pool` (the build's threads), or on threads
 * started for the purpose when there is enough work (`siteDir` given); `close` ends those.
 */
function parallelTools(tools: Tools, type: VpnType, pool: BuildPool | undefined, siteDir?: string): { tools: Tools; close: () => void } {
  let own: BuildPool | undefined;
  tools.parallel = (task, shared, inputs) => {
    if (!pool && siteDir !== undefined && inputs.length >= SPAWN_MIN) pool = own = BuildPool.spawn(siteDir, tools.now);
    if (pool) return pool.runTask(type.id, task, shared, inputs, tools);
    const run = type.tasks?.[task];
    if (!run) throw new Error(`internal: no task ${task} for ${type.id}`);
    return run(shared, inputs, tools);
  };
  return { tools, close: () => own?.close() };
}

const passwordsFile = (passwords: ReadonlyMap<string, string>): OutputFile => ({
  path: PASSWORDS_FILE,
  contents: renderPasswords(passwords),
  mode: MODE_SECRET,
  secret: true,
});

/** The files that store a new site's settings and passwords: macvpn.yaml (canonical layout), secrets/passwords.json. */
export function siteFiles(settings: Settings, passwords: ReadonlyMap<string, string>): OutputFile[] {
  return [passwordsFile(passwords), { path: SITE_FILE, contents: renderSiteYaml(settings), mode: MODE_PUBLIC }];
}

/**
 * Validates a new site state as a whole (the rendered YAML is parsed back) before any write.
 * `state` is the VPN type's state after the change; undefined for a new site, whose state the
 * type is about to create.
 */
export function validateSiteState(settings: Settings, state: object | undefined, passwords: ReadonlyMap<string, string>): Settings {
  const parsed = parseSite(renderSiteYaml(settings));
  // Line numbers would point into the new text, not the file on disk: leave them out.
  if (!parsed.ok) throw problemsError(SITE_FILE, parsed.problems.map(({ line: _line, ...p }) => p));
  const problems = state === undefined ? checkPasswords(parsed.settings, { passwords }) : secretsProblems(parsed.settings, { passwords, vpn: state });
  if (problems.length > 0) throw secretsError(problems);
  return parsed.settings;
}

export interface EditOptions {
  /** A progress bar for the VPN type's long work (identities for thousands of users). */
  progress?: (total: number) => Progress;
}

/** Tools whose progress reports go to a bar made on the first report; `finish` ends it. */
function toolsWithProgress(opts: EditOptions): { tools: Tools; finish: () => void } {
  const tools = siteTools();
  if (!opts.progress) return { tools, finish: () => {} };
  let bar: Progress | undefined;
  let count = 0;
  tools.progress = (done, total) => {
    bar ??= opts.progress!(total);
    count = done;
    bar.update(done);
  };
  return { tools, finish: () => bar?.finish((s) => `issued ${count} identit${count === 1 ? 'y' : 'ies'} in ${s.toFixed(1)} s (${Math.round(count / s)}/s)`) };
}

export async function editSite(ctx: Ctx, change: (site: Site) => SiteChange, opts: EditOptions = {}): Promise<Site> {
  return withLock(ctx.siteDir, () => {
    // Unchecked: a site whose secrets are broken must be repairable by the very commands the
    // error suggests (psk rotate, user rotate); the result is validated as a whole below.
    const site = loadSiteUnchecked(ctx.siteDir);
    const c = change(site);
    const settings = c.settings ?? site;
    const passwords = c.passwords ?? new Map(site.secrets.passwords);
    const type = vpnTypeOf(settings);
    // Another VPN type (macvpn set vpn): its state starts afresh, as on a new site.
    const switched = type !== vpnTypeOf(site);
    // The settings and passwords first; the type's state is checked as it will be after the change
    // (a new server name gets its certificate from stateFiles below).
    const valid = validateSiteState(settings, undefined, passwords);
    // Only the users still listed keep a password entry.
    const kept = new Map(valid.users.map((u) => [u.name, passwords.get(u.name)!]));
    const { tools, finish } = toolsWithProgress(opts);
    const threads = parallelTools(tools, type, undefined, ctx.siteDir);
    let typeFiles;
    try {
      typeFiles = type.stateFiles({ before: switched ? undefined : site, after: valid, passwords: kept, rotated: c.rotated ?? [], ...(c.siteSecret !== undefined && { siteSecret: c.siteSecret }) }, tools);
    } finally {
      threads.close();
    }
    finish();
    // Write only what changed; macvpn.yaml keeps the administrator's comments and layout.
    const files: OutputFile[] = [...typeFiles.files];
    if (c.passwords !== undefined || c.settings !== undefined) files.push(passwordsFile(kept));
    if (c.settings !== undefined) {
      const original = fs.readFileSync(path.join(ctx.siteDir, SITE_FILE), 'utf8');
      files.push({ path: SITE_FILE, contents: c.yaml ?? updateSiteYaml(original, valid), mode: MODE_PUBLIC });
    }
    const state = loadStateAfter(ctx.siteDir, valid, typeFiles.files, typeFiles.remove);
    const after: Site = { ...valid, secrets: { passwords: kept, vpn: state } };
    const problems = secretsProblems(after, after.secrets);
    if (problems.length > 0) throw secretsError(problems);
    c.preview?.(site, after);
    writeFiles(ctx.siteDir, files, { remove: [...(c.remove ?? []), ...typeFiles.remove], followBase: true, followSymlinks: [SITE_FILE] });
    for (const note of typeFiles.notes) ctx.out(note);
    return { ...valid, secrets: { passwords: kept, vpn: state } };
  });
}

/**
 * Writes a brand-new site (init, import): settings, secrets and a site signer. An existing site is
 * refused unless `force`; nothing is written when anything fails. Returns what was written.
 */
export async function createSite(
  ctx: Ctx,
  settings: Settings,
  siteSecret: string | undefined,
  passwords: ReadonlyMap<string, string>,
  opts: { force: boolean; forceHint: string },
): Promise<{ files: OutputFile[]; backup?: string }> {
  const valid = validateSiteState(settings, undefined, passwords);
  const site = ctx.siteDir;
  const exists = fs.existsSync(path.join(site, SITE_FILE)) || fs.existsSync(path.join(site, SECRETS_DIR));
  if (exists && !opts.force) throw new MacvpnError(`${site} already holds a macvpn site`, [opts.forceHint]);
  checkSitePath(site);
  if (exists) checkSecretModes(site);
  // On a terminal, replacing a site is confirmed first (a pipe, as in scripts and tests, is not asked).
  if (exists && ctx.io.confirm && !(await ctx.io.confirm(`replace the macvpn site in ${site}? Its secrets and users are replaced (a copy is kept in ${BACKUPS_DIR}/) [y/N] `))) {
    throw new MacvpnError('not confirmed: nothing was changed');
  }
  ensureDir(site, 0o755);
  return withLock(site, () => {
    const now = new Date();
    const state = vpnTypeOf(valid).stateFiles({ before: undefined, after: valid, passwords, rotated: [], ...(siteSecret !== undefined && { siteSecret }) }, siteTools(now));
    const files = [...state.files, ...siteFiles(valid, passwords), ...siteSignerFiles(valid, now)];
    // What --force replaces is kept, dated, inside the site (removed again if the write fails).
    const backup = exists ? backupSite(site, now) : undefined;
    try {
      ensureDir(path.join(site, SECRETS_DIR));
      writeFiles(site, files, { followBase: true, followSymlinks: [SITE_FILE] });
    } catch (e) {
      if (backup) fs.rmSync(path.join(site, backup), { recursive: true, force: true });
      throw e;
    }
    return { files, ...(backup !== undefined && { backup }) };
  });
}

/** What a build writes first to bring the site's state in step with macvpn.yaml, and the site as it is then. */
export interface SiteSync {
  /** The site as it will be once `files` are written and `remove` deleted, checked as a whole. */
  site: Site;
  files: OutputFile[];
  remove: string[];
  /** Lines to print once the files are written (certificates issued, passwords dropped). */
  notes: string[];
}

/**
 * Works out what brings the VPN type's state in step with macvpn.yaml (certificates for users
 * added by hand, a site switched to another type), under a lock the caller holds, and checks the
 * site as it will then be. Writes nothing: the caller writes `files` (build does so while its
 * threads sign the profiles, which are made from `site` and committed only after the files).
 * With `deferIdentities`, what only profiles embed is read by stageProfiles when nothing is to be
 * written; once files are, the state comes from them (they may not be on disk yet) and is whole.
 */
export function planSiteSync(ctx: Ctx, pool?: BuildPool, opts: LoadOptions & EditOptions = {}): SiteSync {
  const site = loadSiteUnchecked(ctx.siteDir, undefined, opts);
  const type = vpnTypeOf(site);
  // The build's threads, idle until the profiles are signed, issue what is missing meanwhile; a
  // build without them yet (an incremental one, after users were added to macvpn.yaml by hand) starts
  // threads of its own for a few hundred identities or more, as `user add --from` does.
  const { tools, finish } = toolsWithProgress(opts);
  const threads = parallelTools(tools, type, pool, ctx.siteDir);
  let sync;
  try {
    sync = type.stateFiles({ before: site, after: site, passwords: site.secrets.passwords, rotated: [] }, tools);
  } finally {
    threads.close();
  }
  finish();
  // Passwords of users no longer in macvpn.yaml (a line removed by hand) go: restoring the line
  // must not bring an old password back (issue 10).
  const listed = new Set(site.users.map((u) => u.name));
  const orphans = [...site.secrets.passwords.keys()].filter((n) => !listed.has(n));
  const kept = orphans.length > 0 ? new Map(site.users.map((u) => [u.name, site.secrets.passwords.get(u.name)!])) : undefined;
  const files = [...sync.files, ...(kept ? [passwordsFile(kept)] : [])];
  let synced = site;
  const notes: string[] = [];
  if (files.length > 0 || sync.remove.length > 0) {
    notes.push(...sync.notes);
    if (orphans.length > 0) notes.push(`removed the passwords of ${orphans.length} user${orphans.length === 1 ? '' : 's'} no longer in macvpn.yaml: ${orphans.join(', ')}`);
    // The state as it will be on disk: the new bytes over what was read (5,000 new identities
    // are not read back from files).
    synced = { ...site, secrets: { passwords: kept ?? site.secrets.passwords, vpn: loadStateAfter(ctx.siteDir, site, files, sync.remove) } };
  }
  // macvpn.yaml is parsed once (5,000 users take a tenth of a second): the settings read above stand.
  const problems = secretsProblems(synced, synced.secrets);
  if (problems.length > 0) throw secretsError(problems);
  return { site: synced, files, remove: sync.remove, notes };
}
