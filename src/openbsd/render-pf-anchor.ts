/**
 * /etc/pf.macvpn.conf: the pf rules for the VPN, loaded as anchor "macvpn" from /etc/pf.conf
 * (install.sh adds the hook at the end of pf.conf, so these rules are evaluated last and win
 * without `quick`). Rules from openbsd.md §6.
 */
import type { Site } from '../site/types.js';
import type { OpenbsdRelease } from './versions.js';
import { headerLines, joinLines } from './header.js';
import { PF_HOOK_LINES } from './server-paths.js';

export function renderPfAnchor(site: Site, release: OpenbsdRelease): string {
  // pppx(4) interfaces join the `pppx` group; pppac0 (6.7+) gets no group, so pf names it
  // (sys/net/if_pppx.c, openbsd.md §6; versions.ts).
  const vpnIf = release.pfInterface;
  return joinLines([
    ...headerLines('pf anchor', site, release.version),
    '# Hooked into /etc/pf.conf by install.sh with:',
    ...PF_HOOK_LINES.map((l) => `#   ${l}`),
    '',
    '# IKE (udp 500), NAT-T (udp 4500) and plain ESP from the Macs.',
    'pass in on egress proto esp',
    'pass in on egress proto udp to port { isakmp, ipsec-nat-t }',
    '# L2TP (udp 1701) only after IPsec decrypted it: it arrives on enc0, never open on egress.',
    'pass in on enc0 proto udp to port l2tp keep state (if-bound)',
    `# The clients' PPP traffic (${vpnIf === 'pppx' ? 'pppx group: one pppxN per session' : 'pppac0: all sessions, no interface group'}).`,
    `pass on ${vpnIf}`,
    '# Clients reach the Internet through the router (nat-to: OpenBSD 4.7+ syntax).',
    `match out on egress inet from ${site.pool.cidr} nat-to (egress:0)`,
  ]);
}
