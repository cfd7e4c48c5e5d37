/**
 * macvpn user disable NAME / user enable NAME: pause a user without losing their password or
 * certificate. The VPN type decides what "cannot connect" means on the router (no npppd-users
 * entry, no iked `user` line, a certificate on hold in the CRL); it takes effect once the new
 * server tree is installed.
 */
import type { Ctx } from '../context.js';
import { MacvpnError } from '../../errors.js';
import type { User } from '../../site/types.js';
import { findUser } from '../find-user.js';
import { editSite } from '../site-edit.js';

export async function setDisabled(ctx: Ctx, name: string, disabled: boolean): Promise<void> {
  let already = false;
  await editSite(ctx, (site) => {
    const user = findUser(site, name);
    already = (user.disabled === true) === disabled;
    if (already) return {};
    const { disabled: _was, ...rest } = user;
    const changed: User = disabled ? { ...rest, disabled: true } : rest;
    return { settings: { ...site, users: site.users.map((u) => (u.name === user.name ? changed : u)) } };
  });
  if (already) {
    ctx.out(`user ${name} is already ${disabled ? 'disabled' : 'enabled'}: nothing changed`);
    return;
  }
  ctx.out(disabled ? `disabled user ${name} (password and certificate kept)` : `enabled user ${name}`);
  ctx.out(`next: macvpn server, then install server/ on the router: ${name} ${disabled ? 'cannot connect' : 'can connect again'} after that`);
}

export async function run(ctx: Ctx, [name]: string[]): Promise<void> {
  if (name === undefined) throw new MacvpnError('name a user', [], 2);
  await setDisabled(ctx, name, true);
}
