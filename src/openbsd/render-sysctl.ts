/**
 * /etc/sysctl.conf lines the site's VPN type needs (openbsd.md §4). install.sh merges these into
 * /etc/sysctl.conf (applied early by /etc/rc) and sets them at once with sysctl(8).
 */
import type { Site } from '../site/types.js';
import type { OpenbsdRelease } from './versions.js';
import type { ServerParts } from '../vpn/vpn-type.js';
import { headerLines, joinLines } from './header.js';

export function renderSysctl(site: Site, release: OpenbsdRelease, parts: ServerParts): string {
  return joinLines([
    ...headerLines('sysctl.conf lines', site, release.version),
    '# install.sh merges these into /etc/sysctl.conf (replacing other values of the same keys).',
    ...parts.sysctls.map(([k, v]) => `${k}=${v}`),
  ]);
}
