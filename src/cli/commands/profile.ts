/** macvpn profile NAME: one user's .mobileconfig, signed unless --unsigned. */
import path from 'node:path';
import type { Ctx } from '../context.js';
import { MacvpnError } from '../../errors.js';
import { loadSite } from '../../io/read-site.js';
import { loadSigner } from '../../io/read-signer.js';
import { DELIVERED_FILE, profilePath, PROFILES_DIR } from '../../io/site-paths.js';
import { writeFiles } from '../../io/write-files.js';
import { MODE_SECRET } from '../../plan/output-file.js';
import { profileBytes } from '../../plan/plan-profiles.js';
import { findUser } from '../find-user.js';
import { vpnTypeOf } from '../../vpn/index.js';
import { withLock } from '../../io/lock.js';
import { deliveryFiles } from '../../io/delivered.js';

export async function run(ctx: Ctx, [name]: string[], optsIn: Record<string, unknown>): Promise<void> {
  // `-o -` means standard output, as for most tools that take an output file.
  const opts = optsIn.output === '-' ? { ...optsIn, output: undefined, stdout: true } : optsIn;
  if (opts.stdout && opts.output) throw new MacvpnError('--stdout and -o/--output cannot be used together', [], 2);
  const signed = !opts.unsigned;
  // Refuse binary on a terminal before doing any work (age: "refusing to output binary to the terminal").
  if (opts.stdout && signed && ctx.io.stdout.isTTY) {
    throw new MacvpnError('refusing to write a signed (binary) profile to the terminal', ['use -o FILE, redirect stdout, or add --unsigned']);
  }
  // Only this user's per-user state is read (a site may have thousands of identities).
  const site = loadSite(ctx.siteDir, [name!]);
  const user = findUser(site, name!);
  const now = new Date();
  const signer = signed ? loadSigner(ctx.siteDir, now) : undefined;
  if (signed && !signer) {
    throw new MacvpnError('this site has no signing certificate', ['import one with "macvpn signer import", or use --unsigned']);
  }
  const includePassword = opts.password !== false;
  const bytes = profileBytes(site, user, {
    includePassword,
    scope: opts.scope === 'user' ? 'User' : 'System',
    ...(signer && { signer }),
    signingTime: now,
  });
  // Every profile handed out is recorded (delivered.json), so `user list` and `check` can tell
  // when it goes out of date; the record is written with the profile, under the site lock.
  const record = () => deliveryFiles(ctx.siteDir, site, [user], signer, 'profile', now);
  if (opts.stdout) {
    await withLock(ctx.siteDir, () => writeFiles(ctx.siteDir, record(), { followBase: true, records: [DELIVERED_FILE] }));
    ctx.io.stdout.write(bytes);
    return;
  }
  const target = typeof opts.output === 'string' ? path.resolve(ctx.io.cwd, opts.output) : path.join(ctx.siteDir, profilePath(user.name));
  await withLock(ctx.siteDir, () => {
    if (typeof opts.output !== 'string') writeFiles(ctx.siteDir, [{ path: profilePath(user.name), contents: bytes, mode: MODE_SECRET }, ...record()], { followBase: true, records: [DELIVERED_FILE] });
    else {
      writeFiles(path.dirname(target), [{ path: path.basename(target), contents: bytes, mode: MODE_SECRET }]);
      writeFiles(ctx.siteDir, record(), { followBase: true, records: [DELIVERED_FILE] });
    }
  });
  const shown = typeof opts.output === 'string' ? target : `${PROFILES_DIR}/${user.name}.mobileconfig`;
  ctx.out(`wrote ${shown} (0600, ${signed ? 'signed' : 'unsigned'}; holds ${vpnTypeOf(site).profileHolds}${includePassword ? ` and ${user.name}'s password` : ''})`);
}
