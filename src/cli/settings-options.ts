/** Turns command-line options (init, import) into Settings, naming the option in every error. */
import { MacvpnError } from '../errors.js';
import { DEFAULT_POOL } from '../site/parse-site.js';
import {
  checkDnsInPool, checkDnsServer, checkIdentifier, checkLabel, checkListen, checkOpenbsd, checkServer, checkServerPlacement,
  defaultIdentifier, duplicateDns, parsePool,
} from '../site/rules.js';
import type { Compat, Settings } from '../site/types.js';
import { compareOpenbsd, NEWEST_OPENBSD } from '../openbsd/versions.js';
import { DEFAULT_VPN, VPN_IDS, VPN_TYPES } from '../vpn/index.js';

export function settingsFromOptions(opts: Record<string, unknown>, base: Partial<Settings> = {}): Settings {
  const errors: string[] = [];
  const hints: string[] = [];
  const str = (k: string): string | undefined => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  const check = (flag: string, value: string, rule: (v: string) => string | undefined | false) => {
    const msg = rule(value);
    if (msg) errors.push(`${flag} ${msg}`);
    return !msg;
  };
  const server = str('server') ?? base.server ?? '';
  const serverOk = check('--server', server, checkServer);
  const listen = str('listen') ?? base.listen ?? 'egress';
  const listenOk = check('--listen', listen, checkListen);
  const openbsd = str('openbsd') ?? base.openbsd ?? NEWEST_OPENBSD;
  check('--openbsd', openbsd, checkOpenbsd);
  const poolText = str('pool') ?? base.pool?.cidr ?? DEFAULT_POOL;
  const pool = parsePool(poolText);
  if (typeof pool === 'string') errors.push(`--pool ${pool}`);
  const dnsText = str('dns');
  const dns = dnsText === undefined ? (base.dns ?? []) : dnsText.split(',').map((s) => s.trim()).filter(Boolean);
  dns.forEach((d) => check('--dns', d, (v) => checkDnsServer(v) ?? (typeof pool !== 'string' && checkDnsInPool(v, pool))));
  for (const d of duplicateDns(dns)) errors.push(`--dns ${d.message}`);
  if (dns.length > 2) errors.push(`--dns lists ${dns.length} servers (npppd hands out at most 2)`);
  if (serverOk && listenOk && typeof pool !== 'string') {
    for (const p of checkServerPlacement(server, listen, pool)) {
      errors.push(`--${p.field} ${p.message}`);
      if (p.hint) hints.push(p.hint);
    }
  }
  // Defaults derived from the server are checked only when the server itself is fine, and a
  // default that does not fit blames --server, the option the user gave (issue 10, item 7).
  const orgGiven = str('org') ?? base.organization;
  const organization = orgGiven ?? `VPN ${server}`;
  if (orgGiven !== undefined) check('--org', organization, checkLabel);
  else if (serverOk && checkLabel(organization)) {
    errors.push(`--server is ${server.length} characters long: too long for the default organization name "VPN ${server.slice(0, 12)}…" (at most 200 characters)`);
    hints.push('pass --org NAME');
  }
  const idGiven = str('identifier') ?? base.identifier;
  const identifier = idGiven ?? defaultIdentifier(server);
  if (idGiven !== undefined || serverOk) check('--identifier', identifier, checkIdentifier);
  const compat = (str('compat') ?? base.compat ?? 'modern') as Compat;
  const vpn = str('vpn') ?? base.vpn ?? DEFAULT_VPN;
  const type = VPN_TYPES[vpn];
  if (!type) errors.push(`--vpn ${JSON.stringify(vpn)} is not ${VPN_IDS.map((id) => JSON.stringify(id)).join(' or ')}`);
  // An option of another type would be silently ignored: refuse it.
  for (const other of Object.values(VPN_TYPES)) {
    if (other === type) continue;
    for (const key of other.initOptions) {
      if (opts[key] !== undefined && !type?.initOptions.includes(key)) errors.push(`${flagName(key)} applies to ${other.label} sites only (--vpn ${other.id})`);
    }
  }
  const vpnSettings = type ? type.settingsFromOptions(opts, errors) : {};
  if (errors.length > 0 || typeof pool === 'string' || !type) throw new MacvpnError(errors, hints);
  const settings: Settings = { server, listen, openbsd, pool, dns, organization, identifier, compat, vpn, vpnSettings, users: base.users ?? [] };
  // What the type adds: a server that must be a certificate name, the first release that works.
  errors.push(...type.checkSettings(settings).map((p) => `${optionFor(p.path)} ${p.message}`));
  const min = type.minOpenbsd(settings);
  if (min && compareOpenbsd(openbsd, min.version) < 0) errors.push(`--openbsd ${openbsd} is too old for ${type.label}: it needs OpenBSD ${min.version} or later (${min.why})`);
  if (errors.length > 0) throw new MacvpnError(errors, hints);
  return settings;
}

/** The flag that sets a settings field, for messages about a field. */
function optionFor(field: string): string {
  const flags: Record<string, string> = { server: '--server', organization: '--org', pool: '--pool', dns: '--dns', listen: '--listen', openbsd: '--openbsd' };
  return flags[field.split(/[.[]/)[0]!] ?? `--${field.split('.').pop()!.replace(/_/g, '-')}`;
}

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
