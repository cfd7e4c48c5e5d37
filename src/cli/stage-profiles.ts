/**
 * Signs and stages profiles for `macvpn build`, in the calling thread: the loop each worker thread
 * runs (src/cli/build-worker.ts), or the main thread for small sites and unbundled runs.
 */
import { buildProfileXml } from '../apple/build-profile.js';
import { signProfile } from '../signing/sign-profile.js';
import type { Signer } from '../signing/signer.js';
import type { Site, User } from '../site/types.js';
import { profilePath } from '../io/site-paths.js';
import { stageFileUnsynced, type Staged } from '../io/write-files.js';
import { MODE_SECRET } from '../plan/output-file.js';
import { profileFingerprint } from '../delivery/delivered.js';

export interface ProfileJob {
  site: Site;
  siteDir: string;
  signingTime: Date;
  users: User[];
  /** From openStagingDir: where the temp files go before they are renamed into profiles/. */
  stagingDir: string;
  /** Key of the delivery record's fingerprints (src/delivery/delivered.ts). */
  deliveryKey: Uint8Array;
}

/** Appends to `staged` as it goes, so a caller can discard what was written when it fails. */
export function stageProfiles(job: ProfileJob, signer: Signer, staged: Staged[], prints: Array<[string, string]>): void {
  for (const user of job.users) {
    const xml = buildProfileXml(job.site, user, { includePassword: true, scope: 'System' });
    // The same XML profileFingerprint would build: hash it here rather than build it twice.
    prints.push([user.name, profileFingerprint(job.site, user, job.deliveryKey, xml)]);
    const der = signProfile(xml, signer, job.signingTime);
    staged.push(stageFileUnsynced(job.siteDir, { path: profilePath(user.name), contents: der, mode: MODE_SECRET }, job.stagingDir));
  }
}
