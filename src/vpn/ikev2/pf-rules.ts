/**
 * The IKEv2 rules of the pf anchor (iked.md §1, OpenBSD FAQ 17): IKE, NAT-T and ESP in on
 * egress, the tunnel's traffic on enc0 by iked's tag, and NAT of the pool out of egress.
 */
import type { Site } from '../../site/types.js';
import { PF_TAG } from './render-iked-conf.js';

export function ikev2PfRules(site: Site): string[] {
  return [
    '# IKE (udp 500), NAT-T (udp 4500) and plain ESP from the Macs.',
    'pass in on egress proto esp',
    'pass in on egress proto udp to port { isakmp, ipsec-nat-t }',
    `# The clients' traffic, decrypted on enc0 and tagged by iked.conf's policy (tag "${PF_TAG}").`,
    `pass on enc0 tagged ${PF_TAG}`,
    '# Clients reach the Internet through the router (nat-to: OpenBSD 4.7+ syntax).',
    `match out on egress inet from ${site.pool.cidr} nat-to (egress:0)`,
  ];
}
