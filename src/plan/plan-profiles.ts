/** Site + user (+ signer) → the bytes of a .mobileconfig: signed CMS DER or plain XML. */
import { buildProfileXml, type ProfileScope } from '../apple/build-profile.js';
import { signProfile } from '../signing/sign-profile.js';
import type { Signer } from '../signing/signer.js';
import type { Site, User } from '../site/types.js';

export interface ProfileFileOptions {
  includePassword: boolean;
  scope: ProfileScope;
  /** Absent: unsigned XML. */
  signer?: Signer;
  signingTime: Date;
}

export function profileBytes(site: Site, user: User, opts: ProfileFileOptions): Uint8Array {
  const xml = buildProfileXml(site, user, { includePassword: opts.includePassword, scope: opts.scope });
  return opts.signer ? signProfile(xml, opts.signer, opts.signingTime) : xml;
}
