/** macvpn init: create a site folder (settings, shared secret, empty user list, signer). */
import { type Ctx, printWritten } from '../context.js';
import { pskFromOptions } from '../secret-input.js';
import { settingsFromOptions } from '../settings-options.js';
import { createSite } from '../site-edit.js';
import { warnSettings } from '../site-warnings.js';

export async function run(ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<void> {
  const settings = settingsFromOptions(opts);
  warnSettings(ctx, settings);
  const psk = await pskFromOptions(ctx, opts);
  const files = await createSite(ctx, settings, psk, new Map(), {
    force: opts.force === true,
    forceHint: 'pass --force to replace it (a new secret and signer, and no users)',
  });
  ctx.out(`created macvpn site in ${ctx.siteDir}`);
  printWritten(ctx, files);
  ctx.out('next: macvpn user add NAME, then macvpn build');
}
