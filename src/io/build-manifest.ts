/**
 * What the last build signed, for incremental builds (issue 12): per user, a hash of the profile's
 * unsigned XML with the signer it used, and the identity of the file it wrote (inode, size and
 * modification time, which a rename keeps and any write changes). A profile whose
 * XML and signer are unchanged and whose file is still that file is left as it is (already signed
 * and verified, byte for byte); `build --all` ignores the record. A stat, not a re-read: the
 * check runs for every user on every build. Kept beside the site's other state, mode 0600. The
 * XML and the inputs hold the password and the VPN's secrets, so their hashes are keyed with
 * secrets/delivery-key (keyedHash): without the key the file tells nothing, not even whether a
 * guessed password is right.
 */
import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Signer } from '../signing/signer.js';
import { MODE_SECRET, type OutputFile } from '../plan/output-file.js';

export const BUILD_MANIFEST = '.macvpn-build.json';

export interface ProfileRecord {
  /** Keyed hash of the signer's fingerprint and the unsigned XML's delivery fingerprint (src/delivery/delivered.ts). */
  content: string;
  /** The signed file as written: `inode:size:mtime-ms` (fileIdentity). */
  file: string;
  /** Keyed hash of what the profile was made from (src/plan/profile-inputs.ts); absent in older records. */
  input?: string;
}

export interface BuildManifest {
  version: 1;
  profiles: Record<string, ProfileRecord>;
}

/** 128 bits of SHA-256 in hex: enough to tell files apart, half the record's size. */
export const shortHash = (...parts: Array<Uint8Array | string>): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex').slice(0, 32);
};

/** shortHash keyed: 128 bits of HMAC-SHA256, for hashes of content that holds secrets. */
export const keyedHash = (key: Uint8Array, ...parts: Array<Uint8Array | string>): string => {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest('hex').slice(0, 32);
};

/** The signer as the content hash sees it: its certificate, chain and digest. */
export function signerFingerprint(signer: Signer): string {
  return shortHash(signer.certDer, ...signer.chainDer, signer.digest);
}

/** The last build's record, or an empty one (missing, unreadable or of another version). */
export function readManifest(siteDir: string): BuildManifest {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(siteDir, BUILD_MANIFEST), 'utf8')) as BuildManifest;
    if (m.version === 1 && typeof m.profiles === 'object' && m.profiles !== null) return m;
  } catch {
    // no record: every profile is signed
  }
  return { version: 1, profiles: {} };
}

export function manifestFile(profiles: Record<string, ProfileRecord>): OutputFile {
  return { path: BUILD_MANIFEST, contents: JSON.stringify({ version: 1, profiles } satisfies BuildManifest) + '\n', mode: MODE_SECRET, secret: true };
}

/**
 * A file's identity for the record; undefined when it is missing or not a plain file. The
 * modification time in milliseconds as a double (to a quarter of a microsecond now) is finer than
 * the clock Linux stamps files with (the coarse clock, a timer tick; st_mtim's nanoseconds are
 * not that precise), and a plain stat costs about half a BigInt one (5,000 cold stats: 11-14 ms
 * against 20-24 ms here, the check every incremental build makes).
 */
export function fileIdentity(file: string): string | undefined {
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  return st?.isFile() ? `${st.ino}:${st.size}:${st.mtimeMs}` : undefined;
}

/** True when `file` is still the file the record says the last build wrote. */
export const unchangedOnDisk = (file: string, record: ProfileRecord): boolean => fileIdentity(file) === record.file;
