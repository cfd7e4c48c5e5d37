/**
 * macvpn build: the server tree and every user's signed profile in one all-or-nothing run.
 * Signatures run on libuv's threadpool (both cores) and files are staged asynchronously; a bounded
 * window keeps memory flat however many users there are (DESIGN.md §6). Nothing is renamed into
 * place until every file is complete.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from '../context.js';
import { MacvpnError } from '../../errors.js';
import { withLock } from '../../io/lock.js';
import { loadSite } from '../../io/read-site.js';
import { loadSigner } from '../../io/read-signer.js';
import { profilePath, PROFILES_DIR, SERVER_DIR } from '../../io/site-paths.js';
import { commitStaged, discardStaged, stageFile, stageFileAsync, type Staged } from '../../io/write-files.js';
import { buildProfileXml } from '../../apple/build-profile.js';
import { signProfileAsync } from '../../signing/sign-profile.js';
import { planServer } from '../../plan/plan-server.js';
import { MODE_SECRET } from '../../plan/output-file.js';

/** Profiles in flight at once: enough to keep the threadpool busy, small enough for flat memory. */
const WINDOW = 64;

export async function run(ctx: Ctx): Promise<void> {
  const result = await withLock(ctx.siteDir, async () => {
    const site = loadSite(ctx.siteDir);
    const now = new Date();
    const signer = loadSigner(ctx.siteDir, now);
    if (!signer) throw new MacvpnError('this site has no signing certificate', ['import one with "macvpn signer import"']);
    const serverFiles = planServer(site);
    const serverDir = path.join(ctx.siteDir, SERVER_DIR);
    const staged: Staged[] = [];
    try {
      for (const f of serverFiles) staged.push(stageFile(serverDir, f));
      let next = 0;
      const worker = async () => {
        while (next < site.users.length) {
          const user = site.users[next++]!;
          const xml = buildProfileXml(site, user, { includePassword: true, scope: 'System' });
          const der = await signProfileAsync(xml, signer, now);
          staged.push(await stageFileAsync(ctx.siteDir, { path: profilePath(user.name), contents: der, mode: MODE_SECRET }));
        }
      };
      await Promise.all(Array.from({ length: Math.min(WINDOW, site.users.length) }, worker));
    } catch (e) {
      discardStaged(staged);
      throw e;
    }
    // Profiles of users no longer in the site still hold the shared secret: remove them.
    const current = new Set(site.users.map((u) => `${u.name}.mobileconfig`));
    const profilesDir = path.join(ctx.siteDir, PROFILES_DIR);
    const orphans = fs.existsSync(profilesDir)
      ? fs.readdirSync(profilesDir).filter((f) => f.endsWith('.mobileconfig') && !current.has(f)).map((f) => `${PROFILES_DIR}/${f}`)
      : [];
    commitStaged(staged, ctx.siteDir, orphans);
    return { site, serverFiles, orphans, signer };
  });
  const { site, serverFiles, orphans, signer } = result;
  ctx.out(`wrote ${SERVER_DIR}/ for OpenBSD ${site.openbsd}: ${serverFiles.map((f) => f.path).join(', ')}`);
  ctx.out(`wrote ${site.users.length} signed profile${site.users.length === 1 ? '' : 's'} in ${PROFILES_DIR}/ (0600; signed by ${signer.cert.subject.split('\n').join(', ')})`);
  if (orphans.length > 0) ctx.out(`removed ${orphans.length} profile${orphans.length === 1 ? '' : 's'} of users no longer in the site: ${orphans.join(', ')}`);
  ctx.out('server/ and profiles/ hold the shared secret and passwords: keep them private');
  ctx.out('next: copy server/ to the router and run install.sh there; send each user their profile (macvpn mail NAME)');
}
