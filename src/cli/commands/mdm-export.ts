/**
 * macvpn mdm export [NAME..|--all] --out DIR [--format plain|nanomdm]: unsigned System-scope
 * profiles without the password, for upload to an MDM, plus NanoMDM/MicroMDM command plists.
 * Every file holds the shared secret: mode 0600, in a folder created 0700 when missing.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Ctx } from '../context.js';
import { printWritten } from '../context.js';
import { MacvpnError, UsageError } from '../../errors.js';
import { loadSite } from '../../io/read-site.js';
import { writeFiles } from '../../io/write-files.js';
import { planMdmExport, type MdmFormat } from '../../delivery/plan-mdm.js';
import type { Site, User } from '../../site/types.js';
import { unknownUser } from '../find-user.js';
import { vpnTypeOf } from '../../vpn/index.js';
import { withLock } from '../../io/lock.js';
import { deliveryFiles } from '../../io/delivered.js';

/** The users named, or all with --all; unknown names are all reported at once. */
export function selectUsers(site: Site, names: string[], all: boolean): User[] {
  if (all && names.length > 0) throw new UsageError('give user names or --all, not both');
  if (all) {
    if (site.users.length === 0) throw new MacvpnError('the site has no users', ['add one with "macvpn user add NAME"']);
    return site.users;
  }
  if (names.length === 0) throw new UsageError('name at least one user, or pass --all');
  const missing = names.filter((n) => !site.users.some((u) => u.name === n));
  if (missing.length > 0) throw new MacvpnError(missing.map((n) => unknownUser(site, n)), ['see "macvpn user list"']);
  return [...new Set(names)].map((n) => site.users.find((u) => u.name === n)!);
}

export async function run(ctx: Ctx, names: string[], opts: Record<string, unknown>): Promise<void> {
  const site = loadSite(ctx.siteDir);
  const users = selectUsers(site, names, opts.all === true);
  const format = (opts.format ?? 'plain') as MdmFormat;
  const out = path.resolve(ctx.io.cwd, opts.out as string);
  // CommandUUIDs are fresh per export: an MDM server de-duplicates commands by them.
  const files = planMdmExport(site, users, format, () => randomUUID().toUpperCase());
  await withLock(ctx.siteDir, () => {
    writeFiles(out, files);
    // Unsigned (the MDM signs): recorded without a signer (src/delivery/delivered.ts).
    writeFiles(ctx.siteDir, deliveryFiles(ctx.siteDir, site, users, undefined, 'mdm', new Date()), { followBase: true });
  });
  ctx.out(`wrote ${users.length} unsigned profile${users.length === 1 ? '' : 's'} (PayloadScope System, no passwords) to ${out}`);
  printWritten(ctx, files);
  ctx.out(`every file holds ${vpnTypeOf(site).profileHolds}: upload it, then delete it`);
}
