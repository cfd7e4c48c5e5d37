/** macvpn user remove NAME: drops the user, their password and their generated profile. */
import type { Ctx } from '../context.js';
import { findUser } from '../find-user.js';
import { editSite } from '../site-edit.js';
import { profilePath, sparePath } from '../../io/site-paths.js';
import { vpnTypeOf } from '../../vpn/index.js';

export async function run(ctx: Ctx, [name]: string[]): Promise<void> {
  const site = await editSite(ctx, (site) => {
    findUser(site, name!);
    return { settings: { ...site, users: site.users.filter((u) => u.name !== name) }, remove: [profilePath(name!), sparePath(name!)] };
  });
  ctx.out(`removed user ${name} and profiles/${name}.mobileconfig`);
  for (const line of vpnTypeOf(site).removalNotes(site, name!)) ctx.out(line);
}
