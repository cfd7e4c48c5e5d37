/** macvpn psk rotate: a new site-wide shared secret (every profile and the server must follow). */
import type { Ctx } from '../context.js';
import { MacvpnError } from '../../errors.js';
import { loadSettings } from '../../io/read-site.js';
import { siteSecretFromOptions } from '../secret-input.js';
import { editSite } from '../site-edit.js';
import { vpnTypeOf } from '../../vpn/index.js';

export async function run(ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<void> {
  const type = vpnTypeOf(loadSettings(ctx.siteDir));
  const secret = type.siteSecret;
  if (!secret) {
    throw new MacvpnError(`this ${type.label} site has no shared secret`, ['each user has their own credentials: rotate one with "macvpn user rotate NAME"']);
  }
  const value = await siteSecretFromOptions(ctx, opts, secret);
  await editSite(ctx, () => ({ siteSecret: value }));
  ctx.out(`new ${secret.name}${opts.showSecrets ? `: ${value}` : ` stored in ${secret.file}`}`);
  ctx.out('next: macvpn build, install the server tree, and send every user their new profile');
}
