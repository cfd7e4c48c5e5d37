/**
 * /etc/ipsec.conf: one passive IKEv1 rule for L2TP (DESIGN.md §5, openbsd.md §1 and §7).
 * The same text on every release from 5.6: the transforms are explicit, so the modp1024 → modp3072
 * change of the default main-mode group in 5.8 (ipsec.conf.5 1.148 → 1.150, openbsd.md §1
 * "Defaults per version") cannot break macOS, which never offers modp3072 (§7).
 */
import type { Compat, Site } from '../../site/types.js';
import type { OpenbsdRelease } from '../../openbsd/versions.js';
import { headerLines, joinLines } from '../../openbsd/header.js';
import { quoteConfString } from '../../openbsd/quote.js';
import { MacvpnError } from '../../errors.js';
import { l2tpState } from './state.js';

/** Phase 1 (`main`) and phase 2 (`quick`) transforms per client compatibility level. */
export const IKE_TRANSFORMS: Readonly<Record<Compat, { main: string; quick: string }>> = {
  // macOS/iOS offer DH14 (modp2048) + AES256 + SHA256 first (openbsd.md §7, decompiled vpnd
  // ipsec_utils.c); phase 2 without PFS, so `group none` (ike.c 1.85 would add MODP_3072 otherwise).
  modern: {
    main: 'main auth hmac-sha2-256 enc aes-256 group modp2048',
    quick: 'quick auth hmac-sha2-256 enc aes-256 group none',
  },
  // Pre-2019 Apple clients: the racoon template offered only 3DES/SHA1 in phase 1 (2011 write-up,
  // openbsd.md §7) with DH group 2 (modp1024); current macOS still offers 3DES+SHA1+modp1024 as its
  // 13th proposal, so one rule serves both. Phase 2: hmac-sha1, because clients before macOS
  // 10.15/iOS 13 truncate HMAC-SHA256 to 96 bits, not RFC 4868's 128 (Apple HT211840, §7);
  // 3des because every Apple client offers it in phase 2 (§7).
  legacy: {
    main: 'main auth hmac-sha1 enc 3des group modp1024',
    quick: 'quick auth hmac-sha1 enc 3des group none',
  },
};

/**
 * `egress` is an interface group expanded by ipsecctl at load time; a literal address avoids the
 * dhcpleased race and IPv6 rules (openbsd.md §1 "from egress vs address").
 */
function localAddress(listen: string): string {
  if (!/^[0-9A-Fa-f.:]+$/.test(listen) && listen !== 'egress') throw new MacvpnError(`listen ${JSON.stringify(listen)} is not "egress" or an address`);
  return listen;
}

export function renderIpsecConf(site: Site, release: OpenbsdRelease): string {
  const t = IKE_TRANSFORMS[site.compat];
  return joinLines([
    ...headerLines('ipsec.conf', site, release.version),
    '# Mode 0600: ipsecctl refuses a group- or world-accessible ipsec.conf (parse.y check_file_secrecy).',
    '# Load after isakmpd -K is up: ipsecctl -f /etc/ipsec.conf',
    '',
    // Keyword order is fixed by parse.y: mode, encap, tmode, proto, from/to, main, quick, psk (§1).
    // Transport mode, udp, port l2tp: what macOS asks for (Apple ipsec_utils.c, §1).
    'ike passive esp transport \\',
    `\tproto udp from ${localAddress(site.listen)} to any port l2tp \\`,
    `\t${t.main} \\`,
    `\t${t.quick} \\`,
    // Always quoted: an all-digit PSK lexes as a number (§1).
    `\tpsk ${quoteConfString(l2tpState(site).psk, 'the shared secret')}`,
  ]);
}
