/** The L2TP rules of the pf anchor (openbsd.md §6): IPsec in on egress, L2TP only on enc0, PPP, NAT. */
import type { Site } from '../../site/types.js';
import type { OpenbsdRelease } from '../../openbsd/versions.js';
import { pfInterface } from './interfaces.js';

export function l2tpPfRules(site: Site, release: OpenbsdRelease): string[] {
  // pppx(4) interfaces join the `pppx` group; pppac0 (6.7+) gets no group, so pf names it
  // (sys/net/if_pppx.c, openbsd.md §6; interfaces.ts).
  const vpnIf = pfInterface(release);
  return [
    '# IKE (udp 500), NAT-T (udp 4500) and plain ESP from the Macs.',
    'pass in on egress proto esp',
    'pass in on egress proto udp to port { isakmp, ipsec-nat-t }',
    '# L2TP (udp 1701) only after IPsec decrypted it: it arrives on enc0, never open on egress.',
    'pass in on enc0 proto udp to port l2tp keep state (if-bound)',
    `# The clients' PPP traffic (${vpnIf === 'pppx' ? 'pppx group: one pppxN per session' : 'pppac0: all sessions, no interface group'}).`,
    `pass on ${vpnIf}`,
    '# Clients reach the Internet through the router (nat-to: OpenBSD 4.7+ syntax).',
    `match out on egress inet from ${site.pool.cidr} nat-to (egress:0)`,
  ];
}
