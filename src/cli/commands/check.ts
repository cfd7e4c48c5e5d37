/**
 * macvpn check: lint the site and everything generated from it. The site must load (settings,
 * secrets, modes), the signer must be usable, server/ must match what `macvpn server` would write
 * now, and every profile must verify and carry the current server, account and secrets. Secrets
 * are compared, never shown. Exit 1 when anything is wrong or out of date.
 */
import fs from 'node:fs';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import type { Ctx } from '../context.js';
import { MacvpnError } from '../../errors.js';
import { loadSite } from '../../io/read-site.js';
import { loadSigner } from '../../io/read-signer.js';
import { findLeftovers } from '../../io/leftovers.js';
import { staleFiles } from '../../io/stale-files.js';
import { kindOf, outputProblems } from '../../io/trust.js';
import { warnSettings } from '../site-warnings.js';
import { CA_CERT_FILE, PROFILES_DIR, profilePath, SERVER_DIR } from '../../io/site-paths.js';
import { planServer } from '../../plan/plan-server.js';
import { verifyProfileSignature } from '../../signing/verify-cms.js';
import { readTypedPlist, type TypedValue } from '../../apple/read-plist.js';
import { checkProfile } from '../../apple/check-profile.js';
import { buildProfileXml } from '../../apple/build-profile.js';
import type { Signer } from '../../signing/signer.js';
import type { Site, User } from '../../site/types.js';
import { vpnTypeOf } from '../../vpn/index.js';
import { deliveryStates } from '../../io/delivered.js';

const DAY = 86_400_000;

function checkUserProfile(ctx: Ctx, site: Site, user: User, signer: Signer | undefined, extra: string[], problems: string[]): 'current' | 'missing' | 'stale' {
  const rel = profilePath(user.name);
  const file = path.join(ctx.siteDir, rel);
  if (!fs.existsSync(file)) return 'missing';
  const st = fs.statSync(file);
  if (!st.isFile()) {
    problems.push(`${rel} is ${kindOf(st)}, not a file: delete it and run "macvpn build"`); // never opened: a FIFO would block
    return 'stale';
  }
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) problems.push(`${rel} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}); it holds secrets: chmod 600 ${rel}`);
  const report = verifyProfileSignature(fs.readFileSync(file), { now: new Date(), roots: rootCertificates, extraTrusted: extra });
  problems.push(...report.problems.map((p) => `${rel}: ${p}`));
  let root: TypedValue;
  try {
    root = readTypedPlist(report.content);
  } catch (e) {
    problems.push(`${rel}: not a valid property list (${(e as Error).message})`);
    return 'stale';
  }
  const summary = checkProfile(root);
  problems.push(...summary.problems.map((p) => `${rel}: ${p}`));
  // Profiles are deterministic: rebuilt with the same choices (password in or out, scope), a
  // current profile has exactly these bytes. Anything else in the site changed since.
  const expected = buildProfileXml(site, user, { includePassword: summary.hasPassword, scope: summary.scope === 'User' ? 'User' : 'System' });
  const stale: string[] = [];
  if (!Buffer.from(expected).equals(Buffer.from(report.content))) {
    // The type knows which of its payload's values tell the administrator most (secrets are compared, never shown).
    stale.push(...vpnTypeOf(site).staleReasons(root, site, user));
    if (stale.length === 0) stale.push('site settings');
  }
  if (report.signed && signer && report.signer?.fingerprint256 !== signer.cert.fingerprint256) stale.push('signer');
  if (stale.length > 0) {
    problems.push(`${rel} is out of date (${stale.join(', ')} changed): run "macvpn profile ${user.name}" or "macvpn build"`);
    return 'stale';
  }
  return 'current';
}

export async function run(ctx: Ctx, _args: string[] = [], opts: Record<string, unknown> = {}): Promise<void> {
  const site = loadSite(ctx.siteDir);
  warnSettings(ctx, site);
  const now = new Date();
  const problems: string[] = [];
  const lines: string[] = [`site ${ctx.siteDir}: ${site.users.length} user${site.users.length === 1 ? '' : 's'}, server ${site.server}, OpenBSD ${site.openbsd}`];

  problems.push(...outputProblems(ctx.siteDir, [SERVER_DIR, PROFILES_DIR]));
  const signer = loadSigner(ctx.siteDir, now, { checkDates: false });
  if (!signer) problems.push('no signing certificate: import one with "macvpn signer import"');
  else {
    const left = Math.floor((signer.fields.notAfter.getTime() - now.getTime()) / DAY);
    if (left < 0) problems.push(`the signer certificate expired on ${signer.fields.notAfter.toISOString().slice(0, 10)}: import a new one with "macvpn signer import"`);
    // Needs action before it lapses: an expired signer makes new installs look unsigned (apple.md §4).
    else if (left < 30) problems.push(`the signer certificate expires in ${left} days (${signer.fields.notAfter.toISOString().slice(0, 10)}): import a renewed one with "macvpn signer import", then macvpn build`);
    lines.push(`signer: valid until ${signer.fields.notAfter.toISOString().slice(0, 10)}`);
  }

  // The VPN type's own state: certificate and CRL lifetimes.
  const findings = vpnTypeOf(site).findings(site, now);
  lines.push(...findings.lines);
  // A certificate or CRL that ends within 30 days needs action (a build renews it): a finding too.
  problems.push(...findings.problems, ...findings.warnings);

  // Secrets of users no longer in macvpn.yaml (a line removed by hand): restoring the line would
  // bring the old password back. build removes them.
  const known = new Set(site.users.map((u) => u.name));
  for (const name of [...site.secrets.passwords.keys()].sort()) {
    if (!known.has(name)) problems.push(`secrets/passwords.json holds a password for "${name}", who is not in macvpn.yaml: "macvpn build" removes it`);
  }

  // server/: byte- and mode-exact against what `macvpn server` writes now.
  const serverDir = path.join(ctx.siteDir, SERVER_DIR);
  if (!fs.existsSync(serverDir)) lines.push('server/: not generated yet (macvpn server)');
  else {
    let stale = 0;
    const planned = planServer(site);
    for (const f of planned) {
      const full = path.join(serverDir, f.path);
      const want = Buffer.from(typeof f.contents === 'string' ? Buffer.from(f.contents, 'utf8') : f.contents);
      if (!fs.existsSync(full)) {
        problems.push(`${SERVER_DIR}/${f.path} is missing: run "macvpn server"`);
        stale++;
        continue;
      }
      const st = fs.statSync(full);
      const mode = st.mode & 0o777;
      if (!st.isFile()) {
        problems.push(`${SERVER_DIR}/${f.path} is ${kindOf(st)}, not a file: run "macvpn server"`);
        stale++;
      } else if (!fs.readFileSync(full).equals(want)) {
        problems.push(`${SERVER_DIR}/${f.path} is out of date: run "macvpn server" and install it on the router`);
        stale++;
      } else if (mode !== f.mode) {
        problems.push(`${SERVER_DIR}/${f.path} has mode ${mode.toString(8).padStart(4, '0')}, expected ${f.mode.toString(8).padStart(4, '0')}`);
        stale++;
      }
    }
    for (const f of staleFiles(serverDir, planned)) {
      problems.push(`${SERVER_DIR}/${f} is no longer generated for this site and may hold secrets: run "macvpn build" (or "macvpn server"), which removes it`);
      stale++;
    }
    if (stale === 0) lines.push('server/: up to date');
  }

  const caFile = path.join(ctx.siteDir, CA_CERT_FILE);
  const extra = fs.existsSync(caFile) ? [fs.readFileSync(caFile, 'utf8')] : [];
  const counts = { current: 0, missing: 0, stale: 0 };
  for (const user of site.users) counts[checkUserProfile(ctx, site, user, signer, extra, problems)]++;
  const profilesDir = path.join(ctx.siteDir, PROFILES_DIR);
  // Ignoring case, as build does: on a Mac's disk Alice.mobileconfig is alice's file.
  const names = new Set(site.users.map((u) => `${u.name}.mobileconfig`.toLowerCase()));
  if (fs.existsSync(profilesDir)) {
    for (const f of fs.readdirSync(profilesDir)) {
      if (f.endsWith('.mobileconfig') && !names.has(f.toLowerCase())) problems.push(`${PROFILES_DIR}/${f} belongs to no user of the site but may hold ${vpnTypeOf(site).profileHolds}: delete it (macvpn build does)`);
    }
  }
  lines.push(`profiles/: ${counts.current} current, ${counts.stale} out of date, ${counts.missing} not generated`);
  // What users actually hold (delivered.json): a profile handed out before a change stops working.
  const delivered = deliveryStates(ctx.siteDir, site, signer);
  const held = { current: [] as string[], stale: [] as string[], never: [] as string[] };
  for (const [name, d] of delivered) held[d.state].push(name);
  lines.push(`delivered: ${held.current.length} current, ${held.stale.length} out of date, ${held.never.length} never delivered`);
  if (held.stale.length > 0) {
    problems.push(`${held.stale.length} user${held.stale.length === 1 ? ' holds' : 's hold'} an out-of-date profile (${held.stale.join(', ')}): run "macvpn build", then "macvpn mail --stale"`);
  }
  const disabled = site.users.filter((u) => u.disabled).map((u) => u.name);
  if (disabled.length > 0) lines.push(`disabled: ${disabled.join(', ')}`);
  for (const p of findLeftovers(ctx.siteDir)) {
    problems.push(`${path.relative(ctx.siteDir, p)} was left by an interrupted macvpn run and may hold secrets: the next build, server or user command removes it`);
  }
  if (opts.json) {
    // For monitoring: the same findings, exit 1 when there is any.
    ctx.out(JSON.stringify({ site: ctx.siteDir, ok: problems.length === 0, summary: lines, findings: problems }, null, 2));
    if (problems.length > 0) throw new MacvpnError(`${problems.length} finding${problems.length === 1 ? ' needs' : 's need'} action (see the JSON on standard output)`);
    return;
  }
  for (const l of lines) ctx.out(l);
  if (problems.length > 0) throw new MacvpnError(problems);
  ctx.out('ok');
}
