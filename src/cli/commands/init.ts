/** macvpn init: create a site folder (settings, shared secret, empty user list, signer). */
import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from '../context.js';
import { printWritten } from '../context.js';
import { MacvpnError } from '../../errors.js';
import { pskFromOptions } from '../secret-input.js';
import { settingsFromOptions } from '../settings-options.js';
import { siteFiles, validateSiteState } from '../site-edit.js';
import { withLock } from '../../io/lock.js';
import { ensureDir, writeFiles } from '../../io/write-files.js';
import { checkSecretModes } from '../../io/read-site.js';
import { SECRETS_DIR, SITE_FILE } from '../../io/site-paths.js';
import { siteSignerFiles } from '../signer-files.js';

export async function run(ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<void> {
  const settings = settingsFromOptions(opts);
  const psk = await pskFromOptions(ctx, opts);
  const valid = validateSiteState(settings, psk, new Map());
  const site = ctx.siteDir;
  const exists = fs.existsSync(path.join(site, SITE_FILE)) || fs.existsSync(path.join(site, SECRETS_DIR));
  if (exists && !opts.force) {
    throw new MacvpnError(`${site} already holds a macvpn site`, ['pass --force to replace it (a new secret and signer, and no users)']);
  }
  if (exists) checkSecretModes(site);
  ensureDir(site, 0o755);
  await withLock(site, () => {
    const files = [...siteFiles(valid, psk, new Map()), ...siteSignerFiles(valid, new Date())];
    ensureDir(path.join(site, SECRETS_DIR));
    writeFiles(site, files);
    ctx.out(`created macvpn site in ${site}`);
    printWritten(ctx, files);
    ctx.out('next: macvpn user add NAME, then macvpn build');
  });
}
