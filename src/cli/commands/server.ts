/** macvpn server: write the OpenBSD server tree (server/ or --out DIR) for the site's users. */
import path from 'node:path';
import { type Ctx, printWritten } from '../context.js';
import { ExitStatus, MacvpnError } from '../../errors.js';
import { printServerDiff } from '../diff-output.js';
import { checkOpenbsd } from '../../site/rules.js';
import { loadSite } from '../../io/read-site.js';
import { withLock } from '../../io/lock.js';
import { writeFiles } from '../../io/write-files.js';
import { staleFiles } from '../../io/stale-files.js';
import { SERVER_DIR } from '../../io/site-paths.js';
import { planServer } from '../../plan/plan-server.js';
import { KNOWN_OPENBSD } from '../../openbsd/versions.js';
import { warnSettings } from '../site-warnings.js';

export async function run(ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<void> {
  const version = typeof opts.openbsd === 'string' ? opts.openbsd : undefined;
  if (version !== undefined) {
    const msg = checkOpenbsd(version);
    if (msg) throw new MacvpnError(`--openbsd ${JSON.stringify(version)} is not a known OpenBSD release`, [`known releases: ${KNOWN_OPENBSD.join(', ')}`]);
  }
  const out = typeof opts.out === 'string' ? path.resolve(ctx.io.cwd, opts.out) : path.join(ctx.siteDir, SERVER_DIR);
  if (opts.diff === true) {
    const site = loadSite(ctx.siteDir);
    const changed = printServerDiff(ctx, site, version !== undefined ? { openbsd: version } : {}, out, typeof opts.out === 'string' ? out : SERVER_DIR);
    if (changed === 0) ctx.out(`${typeof opts.out === 'string' ? out : SERVER_DIR}/ is up to date: nothing would change`);
    if (changed > 0) throw new ExitStatus(1);
    return;
  }
  const { site, files, stale } = await withLock(ctx.siteDir, () => {
    const loaded = loadSite(ctx.siteDir);
    // Everything is rendered (and every problem found) before the first write.
    const planned = planServer(loaded, version !== undefined ? { openbsd: version } : {});
    // In the site's own server/, files this site no longer generates go (another type's, say).
    const stale = out === path.join(ctx.siteDir, SERVER_DIR) ? staleFiles(out, planned) : [];
    // writeFiles creates `out` (0700) when missing, and removes it again if the write fails.
    writeFiles(out, planned, { remove: stale });
    return { site: loaded, files: planned, stale };
  });
  warnSettings(ctx, site);
  const release = version ?? site.openbsd;
  ctx.out(`wrote ${out} for OpenBSD ${release} (${site.server}, ${site.users.length} user${site.users.length === 1 ? '' : 's'}):`);
  printWritten(ctx, files);
  if (stale.length > 0) ctx.out(`removed what this site no longer generates: ${stale.map((f) => `${SERVER_DIR}/${f}`).join(', ')}`);
  ctx.out('files marked (secret) hold keys, the shared secret or passwords: keep them 0600 and off shared disks');
  ctx.out('next: copy the folder to the router and run install.sh as root, for example');
  ctx.out(`  scp -r ${shellWord(out)} root@ROUTER:macvpn-server`);
  ctx.out('  ssh root@ROUTER sh macvpn-server/check.sh     # validates, changes nothing');
  ctx.out('  ssh root@ROUTER sh macvpn-server/install.sh   # backs up, installs, enables and starts the VPN');
}

/** A path as one shell word for the printed example commands. */
function shellWord(p: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}
