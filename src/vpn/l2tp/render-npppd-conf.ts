/**
 * /etc/npppd/npppd.conf: L2TP tunnel, local users, one ipcp pool, one interface (openbsd.md §2).
 * Section names are upper case: lower-case keywords (`ipcp`, `tunnel` …) cannot be names, and
 * every section is defined before `bind` refers to it ("Additions" 10).
 */
import type { Site } from '../../site/types.js';
import { formatIpv4, lastAddress, parseIpv4 } from '../../site/ipv4.js';
import type { OpenbsdRelease } from '../../openbsd/versions.js';
import { headerLines, joinLines } from '../../openbsd/header.js';
import { quoteConfString } from '../../openbsd/quote.js';
import { NPPPD_USERS } from './files.js';
import { npppdInterface } from './interfaces.js';
import { MacvpnError } from '../../errors.js';

/** The server's own tunnel address: the pool's first host address, kept out of the client range. */
export function serverTunnelAddress(site: Site): string {
  return formatIpv4(site.pool.network + 1);
}

/**
 * Client range `network+2 - broadcast-1`. The range form needs no quotes (the CIDR form must be
 * quoted: the lexer ends a bare word at `/`, "Additions" 6) and, unlike the CIDR form, leaves the
 * interface address out of the pool.
 */
export function clientRange(site: Site): string {
  const first = formatIpv4(site.pool.network + 2);
  const last = formatIpv4(lastAddress(site.pool.network, site.pool.prefix) - 1);
  return `${first}-${last}`;
}

/**
 * The pool-address lines: the client range without the users' fixed addresses, which npppd may
 * lease to anyone (a plain or `for dynamic` pool-address joins both the dynamic and the static
 * pool), then each fixed address `for static` only, so npppd hands it to its owner alone
 * (parse.y `POOL_ADDRESS STRING ipcppooltype`: `for static` adds to static_pool only; a framed
 * address that another session holds is ADDRESS_BUSY, npppd_pool.c). Without fixed addresses
 * this is the one line it always was.
 */
export function poolAddressLines(site: Site): string[] {
  const fixed = [...new Set(site.users.flatMap((u) => (u.ip === undefined ? [] : [parseIpv4(u.ip)!])))].sort((a, b) => a - b);
  if (fixed.length === 0) return [`pool-address ${clientRange(site)}`];
  const lines: string[] = [];
  let start = site.pool.network + 2;
  const end = lastAddress(site.pool.network, site.pool.prefix) - 1;
  // parse-site.ts checkUserIp keeps fixed addresses inside the client range; refuse anything else.
  const outside = fixed.find((ip) => ip < start || ip > end);
  if (outside !== undefined) throw new MacvpnError(`fixed address ${formatIpv4(outside)} is outside the client range ${clientRange(site)}`);
  for (const ip of [...fixed, end + 1]) {
    if (ip > start) lines.push(`pool-address ${formatIpv4(start)}-${formatIpv4(Math.min(ip - 1, end))}`);
    start = ip + 1;
  }
  for (const ip of fixed) lines.push(`pool-address ${formatIpv4(ip)}-${formatIpv4(ip)} for static`);
  return lines;
}

/** `listen on`: the literal local address, or 0.0.0.0 (npppd's own default, IPv4) for egress (§2). */
function listenAddress(listen: string): string {
  if (listen === 'egress') return '0.0.0.0';
  if (!/^[0-9A-Fa-f.:]+$/.test(listen)) throw new MacvpnError(`listen ${JSON.stringify(listen)} is not "egress" or an address`);
  return listen;
}

export function renderNpppdConf(site: Site, release: OpenbsdRelease): string {
  for (const ip of site.dns) if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) throw new MacvpnError(`dns server ${JSON.stringify(ip)} is not an IPv4 address`);
  const iface = npppdInterface(release);
  return joinLines([
    ...headerLines('npppd.conf', site, release.version),
    '',
    // users-file must live under /etc/npppd/ (privsep.c) and is read with getcap (npppd-users(5)).
    'authentication LOCAL type local {',
    `\tusers-file ${quoteConfString(NPPPD_USERS.target, 'users-file')}`,
    '}',
    '',
    // No `l2tp-require-ipsec`: npppd.8 BUGS says it drops all L2TP/IPsec packets (§2).
    // MS-CHAPv2 only: what macOS uses by default, and never PAP (cleartext; DESIGN.md §5).
    // tcp-mss-adjust: clamps TCP MSS to the PPP MTU inside the tunnel (MTU troubles, field.md §3).
    'tunnel L2TP protocol l2tp {',
    `\tlisten on ${listenAddress(site.listen)}`,
    '\tauthentication-method mschapv2',
    '\ttcp-mss-adjust yes',
    '}',
    '',
    'ipcp IPCP {',
    ...poolAddressLines(site).map((l) => `\t${l}`),
    ...(site.dns.length > 0 ? [`\tdns-servers ${site.dns.join(' ')}`] : []),
    '}',
    '',
    // pppac(4) (all sessions on one interface) first appeared in OpenBSD 6.7; before that pppx(4),
    // one interface per session (pppx.4 1.5, openbsd.md §2 "Interfaces"; versions.ts).
    `interface ${iface} address ${serverTunnelAddress(site)} ipcp IPCP`,
    `bind tunnel from L2TP authenticated by LOCAL to ${iface}`,
  ]);
}
