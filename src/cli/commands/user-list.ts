/**
 * macvpn user list: names, fixed addresses, emails, who is disabled and whose delivered profile
 * is out of date (delivered.json); passwords only with --show-secrets.
 */
import type { Ctx } from '../context.js';
import { loadSettings, loadSite } from '../../io/read-site.js';
import { loadSigner } from '../../io/read-signer.js';
import { deliveryStates, type UserDelivery } from '../../io/delivered.js';
import { MacvpnError } from '../../errors.js';
import type { Site } from '../../site/types.js';
import { vpnTypeOf } from '../../vpn/index.js';

/** How `user list` and `user show` word a delivery state. */
export const PROFILE_WORDS: Record<UserDelivery['state'], string> = { current: 'current', stale: 'out of date', never: 'not delivered' };

/** Each user's delivery state; undefined when the site's secrets cannot be read (the list still works). */
export function siteDeliveries(ctx: Ctx): { site: Site; states: Map<string, UserDelivery> } | undefined {
  try {
    const site = loadSite(ctx.siteDir);
    return { site, states: deliveryStates(ctx.siteDir, site, loadSigner(ctx.siteDir, new Date(), { checkDates: false })) };
  } catch (e) {
    if (e instanceof MacvpnError) return undefined;
    throw e;
  }
}

export async function run(ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<void> {
  const show = opts.showSecrets === true;
  const full = show ? loadSite(ctx.siteDir) : undefined;
  const settings = full ?? loadSettings(ctx.siteDir);
  const delivered = siteDeliveries(ctx);
  // The VPN type's own facts (when a user's certificate ends), when the site loads.
  const facts = (u: Site['users'][number]) => (delivered ? vpnTypeOf(delivered.site).userFacts(delivered.site, u) : {});
  const rows = settings.users.map((u) => ({
    name: u.name,
    ip: u.ip ?? null,
    email: u.email ?? null,
    disabled: u.disabled === true,
    profile: delivered ? PROFILE_WORDS[delivered.states.get(u.name)!.state] : null,
    ...facts(u),
    ...(show && { password: full!.secrets.passwords.get(u.name) ?? null }),
  }));
  const extra = delivered && settings.users.length > 0 ? Object.keys(facts(settings.users[0]!)) : [];
  if (opts.json) {
    ctx.out(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0) {
    ctx.out('no users yet: macvpn user add NAME');
    return;
  }
  const table = [
    ['NAME', 'IP', 'EMAIL', 'STATUS', 'PROFILE', ...extra.map((k) => k.toUpperCase()), ...(show ? ['PASSWORD'] : [])],
    ...rows.map((r) => [
      r.name, r.ip ?? '-', r.email ?? '-', r.disabled ? 'disabled' : 'active', r.profile ?? '?',
      ...extra.map((k) => (r as Record<string, unknown>)[k] as string),
      ...(show ? [r.password ?? '-'] : []),
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const r of table) ctx.out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
  const stale = rows.filter((r) => r.profile === PROFILE_WORDS.stale).map((r) => r.name);
  if (stale.length > 0) ctx.out(`${stale.length} user${stale.length === 1 ? ' holds' : 's hold'} an out-of-date profile (${stale.join(', ')}): macvpn build, then macvpn mail --stale`);
  if (!delivered) ctx.out('profile states unknown: the site\'s secrets do not load (see "macvpn check")');
}
