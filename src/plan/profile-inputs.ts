/**
 * A hash of everything a user's profile is made from, so that an incremental build (issue 12) can
 * tell an unchanged profile without building its XML: the code that makes profiles, the signer,
 * the site's settings, the user's entry and password, and what the VPN type's state adds
 * (VpnType.profileInputs). Equal hashes mean equal inputs, hence equal XML; a differing hash only
 * means the profile is built and compared (the content hash then decides whether it is signed).
 * Keyed (HMAC-SHA256 with the site's secrets/delivery-key): the inputs hold the password, and in
 * EAP mode nothing else secret, so a plain hash in .macvpn-build.json would let whoever reads that
 * file test guesses of the password offline, the attack delivered.ts keys its fingerprints against.
 * Pure: the code version, the signer's fingerprint and the key come from the caller.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Site, User } from '../site/types.js';
import { vpnTypeOf } from '../vpn/index.js';

/** Returns the input hash of each user's profile (128 bits of HMAC-SHA256 under `key`, hex). */
export function profileInputHasher(site: Site, codeVersion: string, signerFingerprint: string, key: Uint8Array): (user: User) => string {
  const { users: _users, secrets: _secrets, ...settings } = site;
  const siteKey = createHash('sha256').update(codeVersion).update('\0').update(signerFingerprint).update('\0').update(JSON.stringify(settings)).digest();
  const type = vpnTypeOf(site);
  return (user) => {
    // The user and the password as one JSON array, then each of the type's inputs framed by a
    // tag (absent, text, bytes) and its length: an unambiguous encoding. Bytes go in as they are:
    // a type's inputs can be some 5 KB a user (certificates), which base64 in JSON only made larger.
    const h = createHmac('sha256', key).update(siteKey).update(JSON.stringify([user, site.secrets.passwords.get(user.name) ?? null]));
    for (const v of type.profileInputs(site, user)) {
      if (v === undefined) h.update('\0n');
      else if (typeof v === 'string') h.update(`\0s${Buffer.byteLength(v, 'utf8')}:`).update(v, 'utf8');
      else h.update(`\0b${v.length}:`).update(v);
    }
    return h.digest('hex').slice(0, 32);
  };
}
