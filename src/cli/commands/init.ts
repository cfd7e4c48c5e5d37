/** macvpn init: create a site folder (settings, shared secret, empty user list, signer). */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Ctx } from '../context.js';
import { printWritten, readStdinValue } from '../context.js';
import { MacvpnError, UsageError } from '../../errors.js';
import { generateSecret, PSK_LENGTH } from '../../site/secrets.js';
import { checkPsk } from '../../site/rules.js';
import { settingsFromOptions } from '../settings-options.js';
import { siteFiles, validateSiteState } from '../site-edit.js';
import { withLock } from '../../io/lock.js';
import { ensureDir, writeFiles } from '../../io/write-files.js';
import { checkSecretModes } from '../../io/read-site.js';
import { SECRETS_DIR, SITE_FILE } from '../../io/site-paths.js';
import { siteSignerFiles } from '../signer-files.js';

export async function run(ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<void> {
  const settings = settingsFromOptions(opts);
  let psk: string;
  if (opts.pskStdin) {
    psk = await readStdinValue(ctx, 'shared secret');
    const msg = checkPsk(psk);
    if (msg) throw new MacvpnError(`shared secret from standard input ${msg}`, ['leave out --psk-stdin to generate one']);
  } else {
    psk = generateSecret(PSK_LENGTH, randomBytes);
  }
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
    printWritten(ctx, site, files);
    ctx.out('next: macvpn user add NAME, then macvpn build');
  });
}

export { UsageError };
