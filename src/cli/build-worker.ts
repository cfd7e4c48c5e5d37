/** A worker thread of `macvpn build`: signs and stages its share of the profiles, reports back. */
import { parentPort, workerData } from 'node:worker_threads';
import { MacvpnError } from '../errors.js';
import { loadSigner } from '../io/read-signer.js';
import type { Staged } from '../io/write-files.js';
import { stageProfiles, type ProfileJob } from './stage-profiles.js';

export interface WorkerReport {
  staged: Staged[];
  /** [user, fingerprint] of each profile staged (src/delivery/delivered.ts). */
  prints: Array<[string, string]>;
  error?: { message: string; more: string[]; hints: string[] } | { internal: string };
}

export function buildWorkerMain(): void {
  const job = workerData.job as ProfileJob;
  const staged: Staged[] = [];
  const prints: Array<[string, string]> = [];
  let report: WorkerReport;
  try {
    // Parsed here: a KeyObject is per thread. The main thread already checked the signer.
    const signer = loadSigner(job.siteDir, job.signingTime)!;
    stageProfiles(job, signer, staged, prints);
    report = { staged, prints };
  } catch (e) {
    report = {
      staged,
      prints,
      error: e instanceof MacvpnError ? { message: e.message, more: e.more, hints: e.hints } : { internal: e instanceof Error ? e.message : String(e) },
    };
  }
  parentPort!.postMessage(report);
}
