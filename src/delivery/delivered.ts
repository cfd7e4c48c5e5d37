/**
 * The record of delivered profiles (delivered.json in the site, issue 11): for every user, a
 * fingerprint of the last profile macvpn handed out (written by `profile`, `build`, `mail`,
 * `mdm export`) and the signer that signed it. `user list`, `check` and `mail --stale` compare
 * it with the profile the site would give now, to tell who still runs an old one.
 *
 * The fingerprint is an HMAC-SHA256, keyed by a random key in secrets/, of the profile's unsigned
 * XML as `macvpn build` makes it (password included, System scope): the XML holds the shared
 * secret and the password, and a plain hash of it would let anyone holding delivered.json (it may
 * sit in git) test guesses of a weak password offline. It changes with every setting, secret,
 * certificate and identifier a profile carries, whatever form (with or without the password) was
 * delivered. Pure: the key comes in, text goes out.
 */
import { createHmac } from 'node:crypto';
import { buildProfileXml } from '../apple/build-profile.js';
import type { Site, User } from '../site/types.js';

/** One user's last delivered profile. */
export interface Delivery {
  /** HMAC-SHA256 (hex) of the profile's canonical unsigned XML. */
  fingerprint: string;
  /** SHA-256 fingerprint of the signer certificate, or null for an unsigned profile (MDM). */
  signer: string | null;
  /** How it went out: profile, build, mail, eml, mdm. */
  via: string;
  /** When (ISO time). */
  at: string;
}

export type Deliveries = Record<string, Delivery>;

/** Where a user's profile stands against the site. */
export type DeliveryState = 'current' | 'stale' | 'never';

/** `xml`: the canonical XML when the caller has already built it. */
export function profileFingerprint(site: Site, user: User, key: Uint8Array, xml = buildProfileXml(site, user, { includePassword: true, scope: 'System' })): string {
  return createHmac('sha256', key).update(xml).digest('hex');
}

export function parseDeliveries(text: string | undefined): Deliveries | string {
  if (text === undefined) return {};
  try {
    const data = JSON.parse(text) as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'is not a JSON object of users';
    for (const [name, d] of Object.entries(data as Record<string, unknown>)) {
      const r = d as Partial<Delivery> | null;
      if (typeof r?.fingerprint !== 'string' || (r.signer !== null && typeof r.signer !== 'string')) return `has a bad entry for "${name}"`;
    }
    return data as Deliveries;
  } catch {
    return 'is not valid JSON';
  }
}

/** Sorted by user name, so the file changes only where a delivery did. */
export function renderDeliveries(d: Deliveries): string {
  const sorted = Object.fromEntries(Object.keys(d).sort().map((k) => [k, d[k]!]));
  return JSON.stringify(sorted, null, 2) + '\n';
}

/**
 * The user's state and, when stale, what changed. A signed delivery is stale when another
 * certificate signs now; an unsigned one (MDM export: the MDM signs) only when its content is.
 */
export function deliveryState(record: Delivery | undefined, fingerprint: string, signer: string | null): { state: DeliveryState; why: string[] } {
  if (!record) return { state: 'never', why: [] };
  const why: string[] = [];
  if (record.fingerprint !== fingerprint) why.push('settings or secrets');
  if (record.signer !== null && signer !== null && record.signer !== signer) why.push('signer');
  return { state: why.length > 0 ? 'stale' : 'current', why };
}
