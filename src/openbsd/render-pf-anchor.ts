/**
 * /etc/pf.macvpn.conf: the pf rules for the VPN, loaded as anchor "macvpn" from /etc/pf.conf
 * (install.sh adds the hook at the end of pf.conf, so these rules are evaluated last and win
 * without `quick`). The rules come from the site's VPN type (openbsd.md §6, iked.md §1).
 */
import type { Site } from '../site/types.js';
import type { OpenbsdRelease } from './versions.js';
import type { ServerParts } from '../vpn/vpn-type.js';
import { headerLines, joinLines } from './header.js';
import { PF_HOOK_LINES } from './server-paths.js';

export function renderPfAnchor(site: Site, release: OpenbsdRelease, parts: ServerParts): string {
  return joinLines([
    ...headerLines('pf anchor', site, release.version),
    '# Hooked into /etc/pf.conf by install.sh with:',
    ...PF_HOOK_LINES.map((l) => `#   ${l}`),
    '',
    ...parts.pfRules,
  ]);
}
