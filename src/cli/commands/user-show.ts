/** macvpn user show NAME: one user's settings and profile state; that user's password only with --show-secrets. */
import type { Ctx } from '../context.js';
import { loadSite } from '../../io/read-site.js';
import { loadSigner } from '../../io/read-signer.js';
import { deliveryStates } from '../../io/delivered.js';
import { findUser } from '../find-user.js';
import { vpnTypeOf } from '../../vpn/index.js';
import { PROFILE_WORDS } from './user-list.js';

export async function run(ctx: Ctx, [name]: string[], opts: Record<string, unknown>): Promise<void> {
  const site = loadSite(ctx.siteDir);
  const user = findUser(site, name!);
  const d = deliveryStates(ctx.siteDir, site, loadSigner(ctx.siteDir, new Date(), { checkDates: false })).get(user.name)!;
  const type = vpnTypeOf(site);
  const profile = d.state === 'never' ? PROFILE_WORDS.never : `${PROFILE_WORDS[d.state]}${d.why.length ? ` (${d.why.join(', ')} changed)` : ''}, last delivered ${d.at} by ${d.via}`;
  const password = site.secrets.passwords.get(user.name);
  const row = {
    name: user.name,
    ip: user.ip ?? null,
    email: user.email ?? null,
    disabled: user.disabled === true,
    profile: PROFILE_WORDS[d.state],
    ...(d.at !== undefined && { delivered: d.at, via: d.via }),
    ...(opts.showSecrets === true && { password: password ?? null }),
  };
  if (opts.json) {
    ctx.out(JSON.stringify(row, null, 2));
    return;
  }
  ctx.out(`name:     ${user.name}`);
  ctx.out(`vpn:      ${type.label}`);
  ctx.out(`ip:       ${user.ip ?? '- (from the pool)'}`);
  ctx.out(`email:    ${user.email ?? '-'}`);
  ctx.out(`status:   ${user.disabled ? 'disabled (macvpn user enable NAME to let them connect again)' : 'active'}`);
  ctx.out(`profile:  ${profile}`);
  ctx.out(`${type.userSecretName}: ${opts.showSecrets === true ? (password ?? '-') : `(${password === undefined ? 'none' : 'stored in secrets/'}; --show-secrets prints it)`}`);
}
