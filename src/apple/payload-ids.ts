/**
 * Stable identifiers. macOS replaces an installed profile when a new one has the same top-level
 * PayloadIdentifier, and updates payloads in place when PayloadIdentifier and PayloadUUID both
 * match (apple.md §1, TopLevel.yaml, CommonPayloadKeys.yaml), so everything here is derived from
 * the site's identifier prefix and the user name, never random: a re-issued profile replaces
 * the old one instead of adding a second VPN.
 */
import { createHash } from 'node:crypto';

/** Namespace for macvpn's UUIDv5 names (a fixed random UUID, never change it). */
const MACVPN_NAMESPACE = '2f7c5a8e-1b4d-4f6a-9c3e-8d5b7a1e0c94';

/**
 * A user name as one identifier segment: letters, digits and `-` stay; `.`, `_` and `@` become
 * `_2e`, `_5f`, `_40`. One-to-one, always a single non-empty label (a name like `a.vpn` cannot
 * collide with user `a`'s payload identifier `….a.vpn`), and nothing e-mail-like (such names
 * broke VPN payloads in trailofbits/algo#701, field.md §3.5).
 */
export function identifierSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9-]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export interface ProfileIds {
  profileIdentifier: string;
  profileUuid: string;
  /** Prefix of the payload identifiers: `<base>.vpn`, `<base>.identity` … */
  base: string;
  /** A payload's UUID from its kind (`vpn.<type>`, `identity` …): stable for this site and user. */
  uuid: (kind: string) => string;
}

const NAMESPACE_BYTES = Buffer.from(MACVPN_NAMESPACE.replace(/-/g, ''), 'hex');

/**
 * RFC 9562 §5.5 UUIDv5 (SHA-1 of namespace and name, version and variant bits set), the bytes the
 * `uuid` package's v5 gives (test/apple/payload-ids.test.ts), without its per-call UTF-8 copy:
 * `macvpn build` makes several per profile. Upper-case like uuidgen output (TopLevel.yaml: "you
 * can use 'uuidgen'").
 */
function uuid(name: string): string {
  const h = createHash('sha1').update(NAMESPACE_BYTES).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex', 0, 16).toUpperCase();
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export function profileIds(identifier: string, user: string): ProfileIds {
  return {
    profileIdentifier: `${identifier}.macvpn.${identifierSegment(user)}`,
    profileUuid: uuid(`${identifier}\u0000${user}\u0000profile`),
    base: `${identifier}.macvpn.${identifierSegment(user)}`,
    uuid: (kind) => uuid(`${identifier}\u0000${user}\u0000${kind}`),
  };
}
