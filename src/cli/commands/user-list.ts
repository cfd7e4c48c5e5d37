/** macvpn user list: names, fixed addresses and emails; passwords only with --show-secrets. */
import type { Ctx } from '../context.js';
import { loadSettings, loadSite } from '../../io/read-site.js';

export async function run(ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<void> {
  const show = opts.showSecrets === true;
  const site = show ? loadSite(ctx.siteDir) : { ...loadSettings(ctx.siteDir), secrets: undefined };
  const rows = site.users.map((u) => ({
    name: u.name,
    ip: u.ip ?? null,
    email: u.email ?? null,
    ...(show && { password: site.secrets!.passwords.get(u.name) ?? null }),
  }));
  if (opts.json) {
    ctx.out(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0) {
    ctx.out('no users yet: macvpn user add NAME');
    return;
  }
  const table = [['NAME', 'IP', 'EMAIL', ...(show ? ['PASSWORD'] : [])], ...rows.map((r) => [r.name, r.ip ?? '-', r.email ?? '-', ...(show ? [r.password ?? '-'] : [])])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const r of table) ctx.out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}
