/**
 * macvpn verify FILE: the signature, the embedded chain and the VPN settings of a .mobileconfig,
 * summarised without secrets (lengths and presence only). Exit 1 on any problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import type { Ctx } from '../context.js';
import { MacvpnError } from '../../errors.js';
import { CA_CERT_FILE } from '../../io/site-paths.js';
import { kindOf } from '../../io/trust.js';
import { ioError } from '../../io/write-files.js';
import { verifyProfileSignature, type VerifyReport } from '../../signing/verify-cms.js';
import { readTypedPlist } from '../../apple/read-plist.js';
import { checkProfile, type ProfileSummary } from '../../apple/check-profile.js';

const day = (d: Date) => d.toISOString().slice(0, 10);

function trustLine(r: VerifyReport): string {
  if (r.trust === 'unsigned') return 'unsigned: macOS shows it as "Not Signed" (fine for MDM upload, which signs itself)';
  if (r.trust === 'verified' && r.anchor === 'roots') return 'Verified: the chain ends at a root Macs trust';
  if (r.trust === 'verified') return 'Unverified on a Mac unless the site CA (ca.pem) is installed and trusted there; the chain ends at the site CA';
  return 'Unverified: the chain does not reach a root Macs trust';
}

function describe(ctx: Ctx, file: string, r: VerifyReport, p: ProfileSummary | undefined): void {
  ctx.out(file);
  if (r.signed) {
    ctx.out(`  signature: ${r.signatureValid ? 'valid' : 'INVALID'}${r.digest ? ` (${r.digest.toUpperCase().replace('SHA', 'SHA-')})` : ''}${r.signedAt ? `, signed ${r.signedAt.toISOString()}` : ''}`);
    if (r.signer) ctx.out(`  signer:    ${r.signer.subject} (${r.signer.keyType}, valid until ${day(r.signer.notAfter)})`);
    for (const c of r.chain) ctx.out(`  issuer:    ${c.subject} (valid until ${day(c.notAfter)})`);
  }
  ctx.out(`  trust:     ${trustLine(r)}`);
  if (p) {
    ctx.out(`  profile:   ${p.identifier ?? '?'} (${p.scope ?? 'no'} scope), "${p.displayName ?? ''}"`);
    ctx.out(`  vpn:       ${[`${p.vpnType ?? '?'} to ${p.server ?? '?'} as ${p.account ?? '?'}`, ...p.details].join(', ')}`);
    ctx.out(`  traffic:   ${p.sendAllTraffic ? 'all traffic through the VPN' : 'NOT all traffic (OverridePrimary is not 1)'}${p.dns.length ? `, DNS ${p.dns.join(', ')}` : ''}`);
  }
}

export async function run(ctx: Ctx, [file]: string[], opts: Record<string, unknown>): Promise<void> {
  const full = path.resolve(ctx.io.cwd, file!);
  let bytes: Buffer;
  try {
    // A FIFO or device would block the read or never end: refuse anything but a file first.
    const st = fs.statSync(full);
    if (!st.isFile()) throw new MacvpnError(`cannot read ${file}: it is ${kindOf(st)}, not a file`);
    bytes = fs.readFileSync(full);
  } catch (e) {
    throw ioError(e, 'read', file);
  }
  // The site's own CA counts as an extra anchor when verifying inside a site folder.
  const caFile = path.join(ctx.siteDir, CA_CERT_FILE);
  const extraTrusted = fs.existsSync(caFile) ? [fs.readFileSync(caFile, 'utf8')] : [];
  const report = verifyProfileSignature(bytes, { now: new Date(), roots: rootCertificates, extraTrusted });
  let summary: ProfileSummary | undefined;
  const problems = [...report.problems];
  try {
    summary = checkProfile(readTypedPlist(report.content));
    problems.push(...summary.problems);
    // A profile whose own certificate has ended cannot log in (the summary is pure: the clock is here).
    const ends = summary.extra.identityNotAfter;
    if (typeof ends === 'string' && Date.parse(ends) < Date.now()) problems.push(`the identity certificate in the profile expired on ${ends.slice(0, 10)}: issue a new profile`);
  } catch (e) {
    // Neither signed nor a plist: not a profile at all, one error and no summary (issue 10, item 7).
    if (!report.signed) throw new MacvpnError(`${file}: not a profile (neither a CMS signed profile nor an XML property list: ${(e as Error).message})`);
    problems.push(`the profile is not a valid XML property list (${(e as Error).message})`);
  }
  if (opts.json) {
    const { problems: _p, details: _d, extra, ...rest0 } = summary ?? { problems: [], details: [], extra: {} };
    const profile = { ...rest0, ...extra };
    const { content: _c, ...rest } = report;
    ctx.out(JSON.stringify({ file, ok: problems.length === 0, ...rest, profile: summary ? profile : null, problems }, null, 2));
  } else {
    describe(ctx, file!, report, summary);
    for (const n of report.notes) ctx.out(`  note:      ${n}`);
    if (problems.length === 0) ctx.out('  ok');
  }
  if (problems.length > 0) throw new MacvpnError(problems.map((p) => `${file}: ${p}`));
}
