/**
 * Settings → macvpn.yaml. Every key is always written with a comment saying what it means
 * (DESIGN.md §3). Strings are written as JSON strings, which are valid YAML double-quoted scalars,
 * so no value can change the document's structure.
 */
import type { Settings, User } from './types.js';
import { VPN_IDS, vpnTypeOf } from '../vpn/index.js';

const q = (s: string) => JSON.stringify(s);

function renderUser(u: User): string {
  const parts = [`name: ${q(u.name)}`];
  if (u.ip !== undefined) parts.push(`ip: ${q(u.ip)}`);
  if (u.email !== undefined) parts.push(`email: ${q(u.email)}`);
  if (u.disabled) parts.push('disabled: true');
  return `  - { ${parts.join(', ')} }`;
}

export function renderSiteYaml(s: Settings): string {
  const lines = [
    '# macvpn site settings. No secrets live here (they are in secrets/), so this file is safe to',
    '# keep in git. Edit by hand or with macvpn commands: "user add" and "user remove" keep your',
    '# comments; "macvpn init" writes this layout.',
    '',
    '# Host name or IP address the Macs dial (the profile\'s server address).',
    `server: ${q(s.server)}`,
    '',
    '# Local address isakmpd listens on in /etc/ipsec.conf: "egress" or a literal IP address.',
    `listen: ${q(s.listen)}`,
    '',
    '# OpenBSD release of the router; decides rcctl syntax and the npppd interface.',
    `openbsd: ${q(s.openbsd)}`,
    '',
    '# Private IPv4 network (/16 to /29) for VPN clients; the router takes its first address.',
    `pool: ${q(s.pool.cidr)}`,
    '',
    '# DNS servers npppd hands to clients (IPv4, at most two); empty: the Mac keeps its own.',
    `dns: [${s.dns.map(q).join(', ')}]`,
    '',
    '# Organisation shown in the profile and as the VPN\'s name on the Mac.',
    `organization: ${q(s.organization)}`,
    '',
    '# Reverse-DNS prefix of profile identifiers; keep it stable so re-issued profiles replace old ones.',
    `identifier: ${q(s.identifier)}`,
    '',
    '# Client compatibility: "modern" (macOS 11+, iOS 14+: AES-256, SHA-256, modp2048; the profile\'s DNS',
    '# settings need macOS 11) or "legacy" (ipsec.conf only: replaces them with 3DES, SHA-1 and modp1024 for',
    '# every Mac, so pre-2019 clients can connect too; current Macs accept it at lower strength).',
    `compat: ${q(s.compat)}`,
    '',
    `# VPN type: ${VPN_IDS.map(q).join(' or ')} (see the README for what each means and how to switch).`,
    `vpn: ${q(s.vpn)}`,
    '',
    ...vpnTypeOf(s).renderSettings(s),
    '# VPN users: name (account name), optional fixed ip inside the pool, optional email,',
    '# disabled: true for a paused user (macvpn user disable NAME; the password is kept).',
    s.users.length === 0 ? 'users: []' : 'users:',
    ...s.users.map(renderUser),
  ];
  return lines.join('\n') + '\n';
}
