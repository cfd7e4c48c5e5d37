/** The L2TP profile's payloads and description: one com.apple.vpn.managed payload (apple.md §2). */
import type { Site, User } from '../../site/types.js';
import type { ProfileParts } from '../vpn-type.js';
import type { ProfileIds } from '../../apple/payload-ids.js';
import { vpnDisplayName } from '../../apple/display-name.js';
import { buildL2tpPayload } from './payload.js';
import { l2tpState } from './state.js';

export function l2tpProfile(site: Site, user: User, ids: ProfileIds, opts: { includePassword: boolean }): ProfileParts {
  const name = vpnDisplayName(site.organization);
  const password = opts.includePassword ? site.secrets.passwords.get(user.name) : undefined;
  const vpn = buildL2tpPayload({
    identifier: `${ids.base}.vpn`,
    uuid: ids.uuid('vpn.l2tp'),
    organization: site.organization,
    displayName: name,
    server: site.server,
    account: user.name,
    ...(password !== undefined && { password }),
    psk: l2tpState(site).psk,
    dns: site.dns,
  });
  const passwordNote = password !== undefined ? '' : ' You will be asked for your VPN password when you connect.';
  return {
    payloads: [vpn],
    description:
      `Sets up the ${name} for ${user.name}: L2TP over IPsec to ${site.server}, sending all traffic through the VPN while connected.` +
      passwordNote +
      ' This profile contains the VPN\'s shared secret: do not forward it.',
  };
}
