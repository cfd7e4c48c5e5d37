/**
 * macvpn build: the server tree and every user's signed profile in one all-or-nothing run.
 * Incremental (issue 12): only profiles whose content or signer changed are signed again, the
 * others stay byte for byte as the last build wrote them (src/io/build-manifest.ts); --all signs
 * every one.
 * Profiles are built, signed and written by one worker thread per core (src/cli/build-workers.ts);
 * each profile's bytes are written as soon as they exist, so memory stays flat however many users
 * there are (DESIGN.md §6). The temp files are fsynced together, and nothing is renamed into place
 * until every file is complete and on disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from '../context.js';
import { ExitStatus, MacvpnError } from '../../errors.js';
import { printServerDiff } from '../diff-output.js';
import { loadSite } from '../../io/read-site.js';
import { profilePath } from '../../io/site-paths.js';
import { verifyProfileSignature } from '../../signing/verify-cms.js';
import { buildProfileXml } from '../../apple/build-profile.js';
import type { Signer } from '../../signing/signer.js';
import type { Site, User } from '../../site/types.js';
import { withLock } from '../../io/lock.js';
import { loadSigner } from '../../io/read-signer.js';
import { PROFILES_DIR, SERVER_DIR } from '../../io/site-paths.js';
import { pruneSpares, scrubSpare } from '../../io/recycle.js';
import { commitStaged, discardStaged, openStagingDir, prepareFolder, startWriteback, removeCreatedDirs, removeStagingDir, stageFile, syncStaged, writeFilesAsync, type Staged } from '../../io/write-files.js';
import { planServer } from '../../plan/plan-server.js';
import { BuildPool, stageProfilesParallel } from '../build-workers.js';
import { BUILD_MANIFEST, manifestFile, readManifest, signerFingerprint, unchangedOnDisk, type ProfileRecord } from '../../io/build-manifest.js';
import { profileInputHasher } from '../../plan/profile-inputs.js';
import { codeVersion } from '../code-version.js';
import { progressBar } from '../progress.js';
import { planSiteSync, type SiteSync } from '../site-edit.js';
import { staleFiles } from '../../io/stale-files.js';
import { vpnTypeOf } from '../../vpn/index.js';
import { warnSettings } from '../site-warnings.js';
import { deliveryFiles, readDeliveries, readDeliveryKey } from '../../io/delivered.js';
import { DELIVERY_KEY_FILE, SPARE_DIR } from '../../io/site-paths.js';
import { MODE_DIR, MODE_SECRET, type OutputFile } from '../../plan/output-file.js';
import { randomBytes } from 'node:crypto';

/** Writes what planSiteSync found missing (nothing when the state is in step). */
async function writeState(ctx: Ctx, sync: SiteSync): Promise<void> {
  if (sync.files.length === 0 && sync.remove.length === 0) return;
  await writeFilesAsync(ctx.siteDir, sync.files, { remove: sync.remove });
}

/** build --diff: the server diff, then whose profile a build would change; writes nothing. */
function buildDiff(ctx: Ctx): void {
  const site = loadSite(ctx.siteDir);
  let changed = printServerDiff(ctx, site, {}, path.join(ctx.siteDir, SERVER_DIR), SERVER_DIR);
  const signer = loadSigner(ctx.siteDir, new Date(), { checkDates: false });
  for (const user of site.users) {
    const rel = profilePath(user.name);
    const why = profileChange(path.join(ctx.siteDir, rel), site, user, signer);
    if (why) {
      ctx.out(`${rel} ${why}`);
      changed++;
    }
  }
  if (changed === 0) ctx.out('server/ and profiles/ are up to date: nothing would change');
  else throw new ExitStatus(1);
}

/** Why a build would replace this profile (beyond a new signing time), or undefined. */
function profileChange(file: string, site: Site, user: User, signer: Signer | undefined): string | undefined {
  if (!fs.existsSync(file) || !fs.lstatSync(file).isFile()) return 'would be created';
  const report = verifyProfileSignature(fs.readFileSync(file), { now: new Date(), roots: [], extraTrusted: [] });
  const want = buildProfileXml(site, user, { includePassword: true, scope: 'System' });
  const why: string[] = [];
  if (!Buffer.from(want).equals(Buffer.from(report.content))) why.push('its settings or secrets');
  if (signer && report.signer?.fingerprint256 !== signer.cert.fingerprint256) why.push('its signer');
  return why.length > 0 ? `would change (${why.join(', ')})` : undefined;
}

export async function run(ctx: Ctx, _args: string[] = [], opts: Record<string, unknown> = {}): Promise<void> {
  if (opts.diff === true) return buildDiff(ctx);
  const now = new Date();
  // A build that signs every profile (--all, or the first one) starts its threads first: they load
  // and parse the signer while this one reads the site. Otherwise they start, if at all, once
  // the input hashes have shown how many profiles need building.
  const everyProfile = opts.all === true || !fs.existsSync(path.join(ctx.siteDir, BUILD_MANIFEST));
  let pool = everyProfile ? BuildPool.start(ctx.siteDir, now) : undefined;
  const result = await withLock(ctx.siteDir, async () => {
    // Certificates for users added by hand or a site switched to another VPN type come first,
    // checked with the whole site before anything is written.
    // A build that signs every profile hashes no inputs here: the PKCS#12 files (5,000: ~60 ms
    // of this thread's reading before the threads have work) are read by the threads instead.
    const sync = planSiteSync(ctx, pool, { deferIdentities: everyProfile, progress: (total) => progressBar(ctx, total, 'identities', { quiet: opts.quiet === true }) });
    const site = sync.site;
    const signer = loadSigner(ctx.siteDir, now);
    if (!signer) throw new MacvpnError('this site has no signing certificate', ['import one with "macvpn signer import"']);
    const serverDir = path.join(ctx.siteDir, SERVER_DIR);
    const staged: Staged[] = [];
    const profilesDir = path.join(ctx.siteDir, PROFILES_DIR);
    const madeDirs: string[] = [];
    const stagingDir = openStagingDir(profilesDir, madeDirs);
    let serverFiles: OutputFile[];
    let orphans: string[];
    let stale: string[];
    let counts: Awaited<ReturnType<typeof stageProfilesParallel>>;
    let notes: readonly string[] = [];
    const sayNotes = () => {
      for (const note of notes) ctx.out(note);
      notes = [];
    };
    try {
      const spareDir = prepareFolder(ctx.siteDir, SPARE_DIR, MODE_DIR, madeDirs, { followBase: true });
      // Every profile built is recorded as delivered (delivered.json), fingerprinted in the workers.
      const known = readDeliveryKey(ctx.siteDir);
      const deliveryKey = known ?? randomBytes(32);
      if (!known) staged.push(stageFile(ctx.siteDir, { path: DELIVERY_KEY_FILE, contents: Buffer.from(deliveryKey).toString('hex') + '\n', mode: MODE_SECRET }, { followBase: true }));
      const previous = opts.all === true ? {} : readManifest(ctx.siteDir).profiles;
      const version = codeVersion();
      // A profile whose inputs hash as last time and whose file is the one written then is
      // skipped unbuilt; the others are built, and signed when their XML changed.
      // (--all builds every one: the threads then hash the inputs for the record.)
      const inputOf = profileInputHasher(site, version, signerFingerprint(signer), deliveryKey);
      const records: Record<string, ProfileRecord> = {};
      const users = opts.all === true ? site.users : site.users.filter((u) => {
        const before = previous[u.name];
        if (before?.input !== undefined && before.input === inputOf(u) && unchangedOnDisk(ctx.siteDir + path.sep + profilePath(u.name), before)) {
          records[u.name] = before;
          return false;
        }
        return true;
      });
      pool ??= BuildPool.start(ctx.siteDir, now, users.length);
      const bar = progressBar(ctx, users.length, 'profiles', { quiet: opts.quiet === true });
      const job = { site, siteDir: ctx.siteDir, signingTime: now, users, stagingDir, spareDir, all: opts.all === true, previous, deliveryKey, codeVersion: version };
      // The profiles are signed first, on the threads; this one meanwhile plans and stages the
      // server tree and lists profiles/, work that would otherwise wait for the last profile.
      // Write-back starts at a third and two thirds of a large build (a hint; syncStaged decides).
      const marks = users.length >= 1000 ? [1, 2].map((k) => Math.floor((k * users.length) / 3)) : [];
      const signing = stageProfilesParallel(job, signer, staged, pool, (done) => {
        bar.update(done);
        while (marks.length > 0 && done >= marks[0]!) {
          marks.shift();
          startWriteback(stagingDir);
        }
      });
      // Meanwhile this thread writes the state files (a first build of 5,000 certificate users: 10,000
      // new files, ~1.7 s, mostly the kernel making inodes, which the threads used to wait for).
      // The profiles are made from `site` in memory, and renamed into place only after the state
      // files they embed are committed; a failed state write leaves no profile behind.
      const stateWrite = writeState(ctx, sync);
      stateWrite.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
      // Profiles of users no longer in the site still hold the shared secret: remove them.
      // Compared ignoring case: on a Mac's case-insensitive disk `Alice.mobileconfig` is the file
      // the new `alice.mobileconfig` replaces, and deleting it would delete the new profile.
      const current = new Set(site.users.map((u) => `${u.name}.mobileconfig`.toLowerCase()));
      try {
        serverFiles = planServer(site);
        for (const f of serverFiles) staged.push(stageFile(serverDir, f, { sync: false }));
        orphans = fs
          .readdirSync(profilesDir)
          .filter((f) => f.endsWith('.mobileconfig') && !current.has(f.toLowerCase()))
          .map((f) => `${PROFILES_DIR}/${f}`);
        // server/ is generated: what this site no longer generates (another VPN type's files) goes.
        stale = staleFiles(serverDir, serverFiles).map((f) => `${SERVER_DIR}/${f}`);
      } catch (e) {
        // The threads write into the staging folder until their chunks are done.
        await Promise.allSettled([signing, stateWrite]);
        throw e;
      }
      const [signed, written] = await Promise.allSettled([signing, stateWrite]);
      // As when the state was written first: its failure stops the build; a failure to sign
      // leaves the state written (a sound site: the next build signs).
      if (written.status === 'rejected') throw written.reason;
      // What was issued is on disk now: said after the bar below, or when the build fails.
      notes = sync.notes;
      if (signed.status === 'rejected') throw signed.reason;
      counts = signed.value;
      counts.unchanged += site.users.length - users.length;
      // A profile whose content changed may have changed for a secret: the spare that keeps the
      // old one is emptied after the commit (recycle.ts scrubSpare).
      const before = opts.all === true ? readManifest(ctx.siteDir).profiles : previous;
      const scrub = new Set(Object.keys(counts.records).filter((n) => before[n]?.content !== counts.records[n]!.content).map((n) => path.join(ctx.siteDir, profilePath(n))));
      Object.assign(records, counts.records);
      // In the site's user order.
      staged.push(stageFile(ctx.siteDir, manifestFile(Object.fromEntries(site.users.map((u) => [u.name, records[u.name]!]))), { sync: false }));
      // Recorded as delivered: the profiles signed now, and unchanged ones the record lacks.
      const prints = new Map(counts.prints);
      // The record as it was, read now rather than while the threads sign (for 5,000 users some
      // 5 MB of objects; DESIGN.md §6: flat memory), and not at all when every profile was signed
      // now (build --all, a first build): each entry is then written anew, and reading 1.4 MB of
      // JSON only to replace all of it cost 7-12 ms of a 5,000-user build.
      const recorded = site.users.every((u) => prints.has(u.name)) ? {} : readDeliveries(ctx.siteDir);
      const delivered = site.users.filter((u) => prints.has(u.name) || recorded[u.name] === undefined);
      for (const f of deliveryFiles(ctx.siteDir, site, delivered, signer, 'build', now, prints, recorded)) {
        if (f.path !== DELIVERY_KEY_FILE) staged.push(stageFile(ctx.siteDir, f, { followBase: true, sync: false }));
      }
      await syncStaged(staged);
      bar.finish((s) => `signed ${counts.signed} profile${counts.signed === 1 ? '' : 's'} in ${s.toFixed(1)} s (${Math.round(counts.signed / s)}/s), ${counts.unchanged} unchanged`);
      sayNotes();
      commitStaged(staged, ctx.siteDir, [...orphans, ...stale]);
      for (const s of staged) if (s.kept !== undefined && scrub.has(s.target)) scrubSpare(s.kept);
      pruneSpares(spareDir, current);
    } catch (e) {
      sayNotes();
      pool?.close();
      removeStagingDir(stagingDir);
      discardStaged(staged);
      removeCreatedDirs(madeDirs); // profiles/ itself, when this build made it
      throw e;
    }
    removeStagingDir(stagingDir);
    return { site, serverFiles, orphans, signer, stale, counts };
  }).finally(() => pool?.close());
  const { site, serverFiles, orphans, signer, stale, counts } = result;
  warnSettings(ctx, site);
  ctx.out(`wrote ${SERVER_DIR}/ for OpenBSD ${site.openbsd}: ${serverFiles.map((f) => f.path).join(', ')}`);
  const by = `signed by ${signer.cert.subject.split('\n').join(', ')}`;
  const n = counts.signed;
  ctx.out(`wrote ${n} signed profile${n === 1 ? '' : 's'} in ${PROFILES_DIR}/ (0600; ${by})${counts.unchanged > 0 ? `; ${counts.unchanged} unchanged since the last build (macvpn build --all signs every one)` : ''}`);
  if (stale.length > 0) ctx.out(`removed what this site no longer generates: ${stale.join(', ')}`);
  if (orphans.length > 0) ctx.out(`removed ${orphans.length} profile${orphans.length === 1 ? '' : 's'} of users no longer in the site: ${orphans.join(', ')}`);
  ctx.out('server/ and profiles/ hold secrets (keys, passwords): keep them private');
  ctx.out('next: copy server/ to the router and run install.sh there; send each user their profile (macvpn mail NAME)');
}
