/**
 * Signs and stages profiles for `macvpn build`, in the calling thread: the loop each worker thread
 * runs (src/cli/build-worker.ts), or the main thread for small sites and unbundled runs.
 * Incremental (issue 12): a profile whose XML and signer match the last build's record and whose
 * file is still the one written then is skipped, unless the job says `all`.
 */
import path from 'node:path';
import { buildProfileXml } from '../apple/build-profile.js';
import { signProfile } from '../signing/sign-profile.js';
import type { Signer } from '../signing/signer.js';
import type { Site, User } from '../site/types.js';
import { profilePath } from '../io/site-paths.js';
import { stageRecycled, type Staged } from '../io/write-files.js';
import { fileIdentity, keyedHash, signerFingerprint, unchangedOnDisk, type ProfileRecord } from '../io/build-manifest.js';
import { MODE_SECRET } from '../plan/output-file.js';
import { profileFingerprint } from '../delivery/delivered.js';
import { profileInputHasher } from '../plan/profile-inputs.js';
import { siteFileReader } from '../io/read-site.js';
import { vpnTypeOf } from '../vpn/index.js';

export interface ProfileJob {
  site: Site;
  siteDir: string;
  signingTime: Date;
  users: User[];
  /** From openStagingDir: where the temp files go before they are renamed into profiles/. */
  stagingDir: string;
  /** Where the previous build's profiles are kept, to be written into (src/io/recycle.ts). */
  spareDir: string;
  /** Re-sign every profile (build --all); else skip what the last build's record shows unchanged. */
  all: boolean;
  /** The last build's records of these users. */
  previous: Record<string, ProfileRecord>;
  /** Key of the delivery record's fingerprints (src/delivery/delivered.ts) and of the build record's hashes. */
  deliveryKey: Uint8Array;
  /** Which build of macvpn runs (src/cli/code-version.ts), for the input hashes the record keeps. */
  codeVersion: string;
}

export interface StageResult {
  /** This run's record of every user of the job (carried over for skipped profiles). */
  records: Record<string, ProfileRecord>;
  signed: number;
  unchanged: number;
  /** [user, delivery fingerprint] of each profile signed (src/delivery/delivered.ts). */
  prints: Array<[string, string]>;
}

/** The job's site with what the VPN type left unread for its users read now, on this thread (VpnType.completeState). */
function completeSite(job: ProfileJob): Site {
  const complete = vpnTypeOf(job.site).completeState;
  if (!complete) return job.site;
  const vpn = complete(job.site.secrets.vpn, siteFileReader(job.siteDir), job.users.map((u) => u.name));
  return { ...job.site, secrets: { ...job.site.secrets, vpn } };
}

const BATCH = 64;
/**
 * A batch also ends once its XML reaches this many bytes. What a batch holds outlives a young-
 * generation collection or two and is promoted, so its buffers wait for a full collection: with
 * 64 profiles of ~9 KB of XML (~11 KB signed) each, that was some 30 MB more per thread at the
 * peak of a 5,000-user build (DESIGN.md §6: flat memory). 64 profiles of ~2.6 KB stay under it.
 */
const BATCH_BYTES = 192 * 1024;

/** Appends to `staged` as it goes, so a caller can discard what was written when it fails. */
export function stageProfiles(whole: ProfileJob, signer: Signer, staged: Staged[], progress: (done: number) => void = () => {}): StageResult {
  const job = { ...whole, site: completeSite(whole) };
  const fingerprint = signerFingerprint(signer);
  const inputOf = profileInputHasher(job.site, job.codeVersion, fingerprint, job.deliveryKey);
  const records: Record<string, ProfileRecord> = {};
  const prints: Array<[string, string]> = [];
  let signed = 0;
  let unchanged = 0;
  // In batches: the signatures of a batch run back to back, which measured about 30 µs less per
  // profile in a 5,000-user build (caches are the likely reason), and memory holds one batch.
  for (let from = 0; from < job.users.length; ) {
    const toSign: Array<{ user: User; xml: Uint8Array; content: string; print: string; rel: string }> = [];
    let bytes = 0;
    let next = from;
    for (; next < job.users.length && next - from < BATCH && bytes < BATCH_BYTES; next++) {
      const user = job.users[next]!;
      const xml = buildProfileXml(job.site, user, { includePassword: true, scope: 'System' });
      // The delivery record's fingerprint of this XML (an HMAC under the same key) stands for the
      // XML in the content hash too: one pass over the XML instead of two.
      const print = profileFingerprint(job.site, user, job.deliveryKey, xml);
      const content = keyedHash(job.deliveryKey, fingerprint, print);
      const rel = profilePath(user.name);
      const before = job.previous[user.name];
      if (!job.all && before?.content === content && unchangedOnDisk(path.join(job.siteDir, rel), before)) {
        records[user.name] = { ...before, input: inputOf(user) };
        unchanged++;
      } else {
        toSign.push({ user, xml, content, print, rel });
        bytes += xml.length;
      }
    }
    const ders = toSign.map((p) => signProfile(p.xml, signer, job.signingTime));
    toSign.forEach(({ user, content, print, rel }, k) => {
      prints.push([user.name, print]);
      const s = stageRecycled(job.siteDir, { path: rel, contents: ders[k]!, mode: MODE_SECRET }, job.stagingDir, job.spareDir);
      staged.push(s);
      // The rename into profiles/ keeps the inode and the times.
      records[user.name] = { content, file: fileIdentity(s.tmp)!, input: inputOf(user) };
      signed++;
    });
    from = next;
    progress(from);
  }
  progress(job.users.length);
  return { records, signed, unchanged, prints };
}
