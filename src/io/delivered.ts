/**
 * delivered.json (the record of delivered profiles, src/delivery/delivered.ts) and its HMAC key
 * secrets/delivery-key, read and written here. Recording happens under the site lock, which the
 * caller holds; the key is made on the first delivery.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MacvpnError } from '../errors.js';
import { parseDeliveries, profileFingerprint, renderDeliveries, deliveryState, type Deliveries, type DeliveryState } from '../delivery/delivered.js';
import { MODE_PUBLIC, MODE_SECRET, type OutputFile } from '../plan/output-file.js';
import type { Signer } from '../signing/signer.js';
import type { Site, User } from '../site/types.js';
import { DELIVERED_FILE, DELIVERY_KEY_FILE } from './site-paths.js';
import { writeFiles } from './write-files.js';

function readOptional(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export function readDeliveries(siteDir: string): Deliveries {
  const text = readOptional(path.join(siteDir, DELIVERED_FILE));
  // `macvpn profile` writes the record without an fsync (write-files.ts `records`): after a crash
  // it may be empty or zero-filled. That only forgets deliveries; it is not a broken site.
  if (text !== undefined && /^[\s\0]*$/.test(text)) return {};
  const d = parseDeliveries(text);
  if (typeof d === 'string') throw new MacvpnError(`${DELIVERED_FILE} ${d}`, [`delete it: macvpn then treats every profile as never delivered`]);
  return d;
}

/** The key, when there is one (undefined: nothing was recorded yet). */
export function readDeliveryKey(siteDir: string): Uint8Array | undefined {
  const hex = readOptional(path.join(siteDir, DELIVERY_KEY_FILE))?.trim();
  if (hex === undefined) return undefined;
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new MacvpnError(`${DELIVERY_KEY_FILE} is not 64 hex digits`, [`delete it and ${DELIVERED_FILE}: macvpn then treats every profile as never delivered`]);
  return Buffer.from(hex, 'hex');
}

export const signerId = (signer: Signer | undefined): string | null => signer?.cert.fingerprint256 ?? null;

/**
 * The files that record these deliveries (key made when missing); the caller writes them with its
 * own plan. `record`: the record as the caller already read it (it is updated in place).
 */
export function deliveryFiles(siteDir: string, site: Site, users: readonly User[], signer: Signer | undefined, via: string, now: Date, fingerprints?: ReadonlyMap<string, string>, record = readDeliveries(siteDir)): OutputFile[] {
  let key = readDeliveryKey(siteDir);
  const files: OutputFile[] = [];
  if (key === undefined) {
    key = randomBytes(32);
    files.push({ path: DELIVERY_KEY_FILE, contents: Buffer.from(key).toString('hex') + '\n', mode: MODE_SECRET, secret: true });
  }
  for (const u of users) {
    record[u.name] = { fingerprint: fingerprints?.get(u.name) ?? profileFingerprint(site, u, key), signer: signerId(signer), via, at: now.toISOString() };
  }
  // Users no longer in the site drop out of the record.
  const listed = new Set(site.users.map((u) => u.name));
  for (const name of Object.keys(record)) if (!listed.has(name)) delete record[name];
  files.push({ path: DELIVERED_FILE, contents: renderDeliveries(record), mode: MODE_PUBLIC });
  return files;
}

/** Records deliveries now (the caller holds the lock). */
export function recordDeliveries(siteDir: string, site: Site, users: readonly User[], signer: Signer | undefined, via: string, now = new Date()): void {
  writeFiles(siteDir, deliveryFiles(siteDir, site, users, signer, via, now), { followBase: true });
}

export interface UserDelivery {
  state: DeliveryState;
  why: string[];
  at?: string;
  via?: string;
}

/** Each user's delivery state against the site and the current signer. */
export function deliveryStates(siteDir: string, site: Site, signer: Signer | undefined): Map<string, UserDelivery> {
  const record = readDeliveries(siteDir);
  const key = readDeliveryKey(siteDir);
  const out = new Map<string, UserDelivery>();
  for (const u of site.users) {
    const r = record[u.name];
    if (!r || key === undefined) {
      out.set(u.name, { state: 'never', why: [] });
      continue;
    }
    out.set(u.name, { ...deliveryState(r, profileFingerprint(site, u, key), signerId(signer)), at: r.at, via: r.via });
  }
  return out;
}
