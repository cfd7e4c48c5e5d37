/**
 * Site + user → the configuration profile as a plain object (TopLevel.yaml keys), and its XML.
 * The plist is built as an object and serialised by the `plist` package, never templated.
 */
import { build } from 'plist';
import type { Site, User } from '../site/types.js';
import { buildL2tpPayload } from './l2tp-payload.js';
import { profileIds } from './payload-ids.js';
import type { PlistObject } from './plist-types.js';

export type ProfileScope = 'System' | 'User';

export interface ProfileOptions {
  /** Put the user's password in the profile (AuthPassword); otherwise macOS asks at connect time. */
  includePassword: boolean;
  scope: ProfileScope;
}

/** The name the VPN gets on the Mac: the organisation's VPN. */
export function vpnDisplayName(organization: string): string {
  return /\bvpn\b/i.test(organization) ? organization : `${organization} VPN`;
}

export function buildProfile(site: Site, user: User, opts: ProfileOptions): PlistObject {
  const ids = profileIds(site.identifier, user.name);
  const name = vpnDisplayName(site.organization);
  const password = opts.includePassword ? site.secrets.passwords.get(user.name) : undefined;
  const vpn = buildL2tpPayload({
    identifier: ids.vpnIdentifier,
    uuid: ids.vpnUuid,
    organization: site.organization,
    displayName: name,
    server: site.server,
    account: user.name,
    ...(password !== undefined && { password }),
    psk: site.secrets.psk,
    dns: site.dns,
  });
  const passwordNote = password !== undefined ? '' : ' You will be asked for your VPN password when you connect.';
  return {
    PayloadContent: [vpn],
    PayloadDescription:
      `Sets up the ${name} for ${user.name}: L2TP over IPsec to ${site.server}, sending all traffic through the VPN while connected.` +
      passwordNote +
      ' This profile contains the VPN\'s shared secret: do not forward it.',
    PayloadDisplayName: name,
    PayloadIdentifier: ids.profileIdentifier,
    PayloadOrganization: site.organization,
    PayloadScope: opts.scope,
    PayloadType: 'Configuration',
    PayloadUUID: ids.profileUuid,
    PayloadVersion: 1,
  };
}

/** The profile as UTF-8 XML plist bytes, ending with a newline. */
export function serializeProfile(profile: PlistObject): Uint8Array {
  return Buffer.from(build(profile) + '\n', 'utf8');
}

export function buildProfileXml(site: Site, user: User, opts: ProfileOptions): Uint8Array {
  return serializeProfile(buildProfile(site, user, opts));
}
