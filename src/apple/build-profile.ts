/**
 * Site + user → the configuration profile as a plain object (TopLevel.yaml keys), and its XML.
 * The envelope is shared; the payloads come from the site's VPN type (src/vpn/<type>/). The plist is
 * built as an object and serialised by serializePlist (the bytes `plist.build` writes, proved by
 * test/apple/serialize-plist.test.ts, at a tenth of its cost), never templated.
 */
import type { Site, User } from '../site/types.js';
import { profileIds } from './payload-ids.js';
import type { PlistObject } from './plist-types.js';
import { vpnTypeOf } from '../vpn/index.js';
import { vpnDisplayName } from './display-name.js';
import { serializePlist } from './serialize-plist.js';

export { vpnDisplayName } from './display-name.js';

export type ProfileScope = 'System' | 'User';

export interface ProfileOptions {
  /** Put the user's password in the profile (AuthPassword); otherwise macOS asks at connect time. */
  includePassword: boolean;
  scope: ProfileScope;
}

export function buildProfile(site: Site, user: User, opts: ProfileOptions): PlistObject {
  const ids = profileIds(site.identifier, user.name);
  const parts = vpnTypeOf(site).profile(site, user, ids, { includePassword: opts.includePassword });
  return {
    PayloadContent: parts.payloads,
    PayloadDescription: parts.description,
    PayloadDisplayName: vpnDisplayName(site.organization),
    // The same top-level identifier whatever the VPN type: a re-issued profile, or one of another
    // type, replaces the installed one instead of adding a second VPN (apple.md §1).
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
  return Buffer.from(serializePlist(profile) + '\n', 'utf8');
}

export function buildProfileXml(site: Site, user: User, opts: ProfileOptions): Uint8Array {
  return serializeProfile(buildProfile(site, user, opts));
}
