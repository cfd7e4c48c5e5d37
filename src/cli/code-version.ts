/**
 * Which build of macvpn is running, for the incremental build's input hashes
 * (src/plan/profile-inputs.ts): profiles made by another build of the code are built again and
 * compared. A hash of the bundle's bytes (about 1 ms, once per build): its size and mtime would
 * be cheaper but can repeat across versions (npm packs every file with the same mtime). A run
 * from dist/ (no bundle) gets a value of its own, so nothing is skipped unseen.
 */
import fs from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';

export function codeVersion(): string {
  const bundle = typeof __filename === 'string' && __filename.endsWith('macvpn.cjs') ? __filename : undefined;
  try {
    if (bundle) return `bundle:${createHash('sha256').update(fs.readFileSync(bundle)).digest('hex').slice(0, 32)}`;
  } catch {
    // unreadable: treated as unknown below
  }
  return `unbundled:${randomBytes(8).toString('hex')}`;
}
