/**
 * `macvpn mdm export` as a plan: per user an unsigned XML profile (MDMs sign what they push;
 * Jamf Pro makes signed uploads read-only, apple.md §5), PayloadScope System, no AuthPassword
 * (the Mac asks at connect time: apple.md §5 "practical rule"), the same identifiers and UUIDs
 * as the signed profiles (payload-ids.ts), so an MDM-installed profile and a mailed one replace
 * each other instead of piling up. `nanomdm` adds the two command plists. Pure.
 */
import { buildProfileXml } from '../apple/build-profile.js';
import { profileIds } from '../apple/payload-ids.js';
import { MODE_SECRET, type OutputFile } from '../plan/output-file.js';
import type { Site, User } from '../site/types.js';
import { installProfileCommand, removeProfileCommand } from './mdm-commands.js';

export type MdmFormat = 'plain' | 'nanomdm';

export function mdmProfile(site: Site, user: User): Uint8Array {
  return buildProfileXml(site, user, { includePassword: false, scope: 'System' });
}

/** Files for each user, relative to the output folder; `newUuid` supplies each CommandUUID. */
export function planMdmExport(site: Site, users: readonly User[], format: MdmFormat, newUuid: () => string): OutputFile[] {
  const files: OutputFile[] = [];
  for (const user of users) {
    const profile = mdmProfile(site, user);
    // Every file holds the shared secret (the profile, or the command carrying it): 0600.
    files.push({ path: `${user.name}.mobileconfig`, contents: profile, mode: MODE_SECRET, secret: true });
    if (format === 'nanomdm') {
      files.push({ path: `${user.name}.install.plist`, contents: installProfileCommand(profile, newUuid()), mode: MODE_SECRET, secret: true });
      const id = profileIds(site.identifier, user.name).profileIdentifier;
      files.push({ path: `${user.name}.remove.plist`, contents: removeProfileCommand(id, newUuid()), mode: MODE_SECRET });
    }
  }
  return files;
}
