/**
 * macvpn set KEY [VALUE]: show or change one setting of macvpn.yaml in place (its comments stay).
 * The whole new file is parsed back, so a value is checked exactly as init and a hand edit are;
 * then the server plan and every profile are rendered before and after, and the command says
 * which server files and whose profiles the change makes out of date.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from '../context.js';
import { MacvpnError, problemsError, UsageError } from '../../errors.js';
import { loadSettings } from '../../io/read-site.js';
import { SITE_FILE } from '../../io/site-paths.js';
import { parseSite } from '../../site/parse-site.js';
import { setSiteYamlKey } from '../../site/update-site-yaml.js';
import { settingInput, settingKeys, settingValue } from '../../site/setting-keys.js';
import { changeReport, type ChangeReport } from '../../plan/change-report.js';
import { editSite } from '../site-edit.js';
import { VPN_TYPES, vpnTypeOf } from '../../vpn/index.js';

export async function run(ctx: Ctx, [name, value]: string[], opts: Record<string, unknown>): Promise<void> {
  const current = loadSettings(ctx.siteDir);
  const keys = settingKeys(current);
  const key = keys.find((k) => k.name === name);
  if (!key) throw new UsageError(`unknown setting ${JSON.stringify(name)}`, [`settings: ${keys.map((k) => k.name).join(', ')}`]);
  if (value === undefined) {
    ctx.out(`${key.name}: ${settingValue(current, key)}`);
    return;
  }
  if (key.owner !== undefined && key.owner !== current.vpn) {
    throw new MacvpnError(`${key.name} is a setting of ${VPN_TYPES[key.owner]!.label} sites; this site is ${vpnTypeOf(current).label}`, [`switch first with "macvpn set vpn ${key.owner}"`]);
  }
  const input = settingInput(key, value);
  if ('error' in input) throw new MacvpnError(`${SITE_FILE}: ${input.error}`);
  let report: ChangeReport | undefined;
  let was = '';
  const site = await editSite(ctx, (site) => {
    was = settingValue(site, key);
    const original = fs.readFileSync(path.join(ctx.siteDir, SITE_FILE), 'utf8');
    const text = setSiteYamlKey(original, key.path, input.value);
    const parsed = parseSite(text);
    // Line numbers would point into the new text, not the file on disk: leave them out.
    if (!parsed.ok) {
      const problems = parsed.problems.map(({ line: _line, ...p }) => p);
      const hints = problems.some((p) => /^users\[\d+\]\.ip$/.test(p.path)) ? ['move those users first ("macvpn user set NAME --ip ADDR" or --no-ip), then change the pool'] : [];
      throw problemsError(SITE_FILE, problems, hints);
    }
    const next = parsed.settings;
    // Profiles are matched on the Mac by their identifier: a new one installs a second VPN.
    if (next.identifier !== site.identifier && opts.force !== true) {
      throw new MacvpnError(
        `changing identifier (${site.identifier} → ${next.identifier}) makes every Mac add a second VPN next to the old one instead of replacing it`,
        ['pass --force to change it anyway, then remove the old profile from every Mac (System Settings › Device Management)'],
      );
    }
    return { settings: next, yaml: text, preview: (before, after) => (report = changeReport(before, after)) };
  });
  const now = settingValue(site, key);
  if (now === was) {
    ctx.out(`${key.name} is already ${JSON.stringify(now)}: nothing changed`);
    return;
  }
  ctx.out(`set ${key.name}: ${JSON.stringify(was)} → ${JSON.stringify(now)}`);
  const r = report!;
  if (r.serverFiles.length === 0) ctx.out('server: no file changes');
  else ctx.out(`server: out of date: ${r.serverFiles.map((f) => `server/${f}`).join(', ')} (macvpn server, then install it on the router)`);
  if (r.profiles.length === 0) ctx.out('profiles: none changes, no user needs a new one');
  else if (r.profiles.length === r.users) ctx.out(`profiles: every user's profile changes (${r.users}): macvpn build, then send everyone theirs (macvpn mail --stale)`);
  else ctx.out(`profiles: ${r.profiles.length} of ${r.users} change (${r.profiles.join(', ')}): macvpn build, then send them theirs (macvpn mail --stale)`);
  if (key.name === 'identifier') ctx.out('every Mac that installs the new profile keeps the old VPN too: remove the old profile there');
}
