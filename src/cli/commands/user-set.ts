/** macvpn user set NAME: change a user's fixed address or email (macvpn.yaml keeps its comments). */
import type { Ctx } from '../context.js';
import { MacvpnError } from '../../errors.js';
import { checkEmail } from '../../site/rules.js';
import type { User } from '../../site/types.js';
import { checkIpOption, findUser } from '../find-user.js';
import { editSite } from '../site-edit.js';

export async function run(ctx: Ctx, [name]: string[], opts: Record<string, unknown>): Promise<void> {
  if (opts.ip === undefined && opts.email === undefined) {
    throw new MacvpnError('nothing to change: give --ip ADDR, --no-ip, --email ADDR or --no-email', [], 2);
  }
  const emailMsg = typeof opts.email === 'string' ? checkEmail(opts.email) : undefined;
  if (emailMsg) throw new MacvpnError(`--email ${emailMsg}`);
  await editSite(ctx, (site) => {
    const user = findUser(site, name!);
    const changed: User = { name: user.name };
    const ip = opts.ip === undefined ? user.ip : opts.ip === false ? undefined : String(opts.ip);
    const email = opts.email === undefined ? user.email : opts.email === false ? undefined : String(opts.email);
    if (ip !== undefined) {
      checkIpOption(site, ip, user.name);
      changed.ip = ip;
    }
    if (email !== undefined) changed.email = email;
    return { settings: { ...site, users: site.users.map((u) => (u.name === user.name ? changed : u)) } };
  });
  ctx.out(`updated user ${name}`);
  ctx.out('next: macvpn build (a fixed address lives in npppd-users), then install server/ on the router');
}
