/**
 * What L2TP adds to the shared settings checks: npppd's `listen on` is 0.0.0.0 (IPv4 only) for
 * `egress` (render-npppd-conf.ts), so an IPv6 server address would be dialled where no L2TP
 * listener is (npppd.conf.5 "listen on").
 */
import type { Problem, Settings } from '../../site/types.js';
import { isIpv6 } from '../../site/ipv4.js';

export function checkL2tpSettings(s: Settings): Problem[] {
  if (!isIpv6(s.server) || isIpv6(s.listen)) return [];
  const where = s.listen === 'egress' ? '0.0.0.0 (IPv4 only) with listen "egress"' : `${s.listen} (IPv4)`;
  return [{
    path: 'server',
    message: `${s.server} is an IPv6 address, but npppd listens for L2TP on ${where}: give the router's IPv4 address, a DNS name with an A record, or an IPv6 listen address`,
  }];
}
