/** macvpn user rotate NAME: a new password for one user. */
import type { Ctx } from '../context.js';
import { findUser } from '../find-user.js';
import { passwordFromOptions } from '../secret-input.js';
import { editSite } from '../site-edit.js';

export async function run(ctx: Ctx, [name]: string[], opts: Record<string, unknown>): Promise<void> {
  const password = await passwordFromOptions(ctx, opts);
  await editSite(ctx, (site) => {
    findUser(site, name!);
    const passwords = new Map(site.secrets.passwords);
    passwords.set(name!, password);
    // The type re-issues what depends on the secret (a certificate user gets a new key and certificate).
    return { passwords, rotated: [name!] };
  });
  ctx.out(`new password for ${name}${opts.showSecrets ? `: ${password}` : ' stored in secrets/'}`);
  ctx.out(`next: macvpn build, install server/ on the router, and send ${name} the new profile`);
}
