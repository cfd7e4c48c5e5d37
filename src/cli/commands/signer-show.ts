/** macvpn signer show: who signs profiles, until when, and whether Macs show "Verified". */
import { rootCertificates } from 'node:tls';
import type { Ctx } from '../context.js';
import { MacvpnError } from '../../errors.js';
import { loadSigner } from '../../io/read-signer.js';
import { summarize } from '../../signing/chain.js';
import type { Signer } from '../../signing/signer.js';
import { signerTrust } from '../../signing/signer-trust.js';

const DAY = 86_400_000;
/** Warn this long before expiry: an expired signer makes new installs look unsigned (docs/apple.md §4). */
const WARN_DAYS = 30;

const daysLeft = (s: Signer, now: Date) => Math.floor((s.fields.notAfter.getTime() - now.getTime()) / DAY);

/** Warnings on stderr: EKU remarks, and expiry within 30 days. */
export function warnSigner(ctx: Ctx, s: Signer, now: Date): void {
  const left = daysLeft(s, now);
  for (const w of s.warnings) ctx.warn(w);
  if (left >= 0 && left < WARN_DAYS) ctx.warn(`the signer certificate expires on ${s.fields.notAfter.toISOString().slice(0, 10)} (in ${left} days); import a new one with "macvpn signer import"`);
}

/** Prints the signer's details and trust, then its warnings. Shared with `signer import`. */
export function describeSigner(ctx: Ctx, s: Signer, roots: readonly string[], now: Date): void {
  const sum = summarize(s.cert);
  const t = signerTrust(s, roots);
  const left = daysLeft(s, now);
  ctx.out(`  signer:      ${sum.subject}`);
  ctx.out(`  issued by:   ${sum.issuer}`);
  ctx.out(`  key:         ${s.keyType}, ${s.digest.toUpperCase().replace('SHA', 'SHA-')}`);
  ctx.out(`  valid until: ${sum.notAfter.toISOString().slice(0, 10)}${left >= 0 ? ` (${left} days)` : ' (EXPIRED)'}`);
  ctx.out(`  trust:       ${t.trust === 'verified' ? 'Verified' : 'Unverified'}: ${t.explanation}`);
  warnSigner(ctx, s, now);
}

export async function run(ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<void> {
  const now = new Date();
  const s = loadSigner(ctx.siteDir, now, { checkDates: false });
  if (!s) throw new MacvpnError(`no signer in ${ctx.siteDir}`, ['import one with "macvpn signer import", or create the site signer with "macvpn init --force"']);
  if (opts.json) {
    const t = signerTrust(s, rootCertificates);
    const out = {
      ...summarize(s.cert),
      digest: s.digest,
      daysLeft: daysLeft(s, now),
      chain: s.chain.map(summarize),
      trust: t.trust,
      chainEndsAt: t.endsAt,
      warnings: s.warnings,
    };
    ctx.out(JSON.stringify(out, null, 2));
    warnSigner(ctx, s, now);
  } else {
    describeSigner(ctx, s, rootCertificates, now);
  }
  if (now > s.fields.notAfter) {
    throw new MacvpnError(`the signer certificate expired on ${s.fields.notAfter.toISOString()}`, ['import a new one with "macvpn signer import"']);
  }
  if (now < s.fields.notBefore) throw new MacvpnError(`the signer certificate is not valid before ${s.fields.notBefore.toISOString()}`);
}
