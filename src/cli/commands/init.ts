/** macvpn init: create a site folder (settings, the VPN type's secrets, empty user list, signer). */
import { type Ctx, printWritten } from '../context.js';
import { siteSecretFromOptions } from '../secret-input.js';
import { settingsFromOptions } from '../settings-options.js';
import { createSite } from '../site-edit.js';
import { vpnTypeOf } from '../../vpn/index.js';
import { warnSettings } from '../site-warnings.js';

export async function run(ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<void> {
  const settings = settingsFromOptions(opts);
  warnSettings(ctx, settings);
  const type = vpnTypeOf(settings);
  // Without --psk-stdin the type generates its own secret with the rest of its state.
  const secret = opts.pskStdin && type.siteSecret ? await siteSecretFromOptions(ctx, opts, type.siteSecret) : undefined;
  const { files, backup } = await createSite(ctx, settings, secret, new Map(), {
    force: opts.force === true,
    forceHint: 'pass --force to replace it (a new secret and signer, and no users)',
  });
  ctx.out(`created macvpn site in ${ctx.siteDir}`);
  printWritten(ctx, files);
  if (backup) ctx.out(`kept a copy of the site it replaced in ${backup}/ (0700): copy it back to undo`);
  ctx.out('next: macvpn user add NAME, then macvpn build');
}
