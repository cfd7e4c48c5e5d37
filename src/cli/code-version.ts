/**
 * Which build of macvpn is running, for the incremental build's input hashes
 * (src/plan/profile-inputs.ts): profiles made by another build of the code are built again and
 * compared. From the bundle's size and modification time (`npm run build` and every install write
 * it anew); a run from dist/ (no bundle) gets a value of its own, so nothing is skipped unseen.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';

export function codeVersion(): string {
  const bundle = typeof __filename === 'string' && __filename.endsWith('macvpn.cjs') ? __filename : undefined;
  const st = bundle ? fs.statSync(bundle, { bigint: true, throwIfNoEntry: false }) : undefined;
  return st ? `bundle:${st.size}:${st.mtimeNs}` : `unbundled:${randomBytes(8).toString('hex')}`;
}
