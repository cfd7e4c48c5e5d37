/** macvpn user add NAME: a new user with a generated (or given) password. */
import type { Ctx } from '../context.js';
import { MacvpnError } from '../../errors.js';
import { checkEmail, checkUserName } from '../../site/rules.js';
import { checkIpOption } from '../find-user.js';
import { passwordFromOptions } from '../secret-input.js';
import { editSite } from '../site-edit.js';
import type { User } from '../../site/types.js';
import { vpnTypeOf } from '../../vpn/index.js';

export async function run(ctx: Ctx, [name]: string[], opts: Record<string, unknown>): Promise<void> {
  const nameMsg = checkUserName(name!);
  if (nameMsg) throw new MacvpnError(`user name ${JSON.stringify(name)} ${nameMsg}`);
  const emailMsg = typeof opts.email === 'string' ? checkEmail(opts.email) : undefined;
  if (emailMsg) throw new MacvpnError(`--email ${emailMsg}`);
  const password = await passwordFromOptions(ctx, opts);
  await editSite(ctx, (site) => {
    const clash = site.users.find((u) => u.name.toLowerCase() === name!.toLowerCase());
    if (clash) throw new MacvpnError(`user "${clash.name}" already exists`, [`rotate the password with "macvpn user rotate ${clash.name}"`]);
    const typeMsg = vpnTypeOf(site).checkUserName(site, name!);
    if (typeMsg) throw new MacvpnError(`user name ${JSON.stringify(name)} ${typeMsg}`);
    if (typeof opts.ip === 'string') checkIpOption(site, opts.ip, name!);
    const user: User = { name: name!, ...(typeof opts.ip === 'string' && { ip: opts.ip }), ...(typeof opts.email === 'string' && { email: opts.email }) };
    const passwords = new Map(site.secrets.passwords);
    passwords.set(name!, password);
    return { settings: { ...site, users: [...site.users, user] }, passwords };
  });
  ctx.out(`added user ${name}${opts.showSecrets ? ` with password ${password}` : '; the password is in secrets/ (see it with: macvpn user list --show-secrets)'}`);
  ctx.out(`next: macvpn build (the router's files and ${name}'s profile), then install server/ on the router`);
}
