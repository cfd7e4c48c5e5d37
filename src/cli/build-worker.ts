/**
 * A worker thread of `macvpn build`: parses the signer as soon as it starts (a KeyObject is per
 * thread; the main thread checks the signer itself), waits for its share of the profiles, signs
 * and stages them, reporting progress, and reports back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MacvpnError } from '../errors.js';
import { loadSigner } from '../io/read-signer.js';
import type { Staged } from '../io/write-files.js';
import type { Signer } from '../signing/signer.js';
import { stageProfiles, type ProfileJob, type StageResult } from './stage-profiles.js';

type WorkerError = { message: string; more: string[]; hints: string[] } | { internal: string };

export type WorkerMessage =
  | { kind: 'progress'; done: number }
  | { kind: 'done'; staged: Staged[]; result?: StageResult; error?: WorkerError };

const describe = (e: unknown): WorkerError =>
  e instanceof MacvpnError ? { message: e.message, more: e.more, hints: e.hints } : { internal: e instanceof Error ? e.message : String(e) };

export function buildWorkerMain(): void {
  const { siteDir, signingTime } = workerData as { siteDir: string; signingTime: Date };
  let signer: Signer | undefined;
  let loadError: unknown;
  try {
    signer = loadSigner(siteDir, signingTime);
  } catch (e) {
    loadError = e;
  }
  parentPort!.once('message', (job: ProfileJob) => {
    const staged: Staged[] = [];
    let report: WorkerMessage;
    try {
      if (!signer) throw loadError ?? new Error('the site has no signer');
      const result = stageProfiles(job, signer, staged, (done) => parentPort!.postMessage({ kind: 'progress', done } satisfies WorkerMessage));
      report = { kind: 'done', staged, result };
    } catch (e) {
      report = { kind: 'done', staged, error: describe(e) };
    }
    parentPort!.postMessage(report);
    parentPort!.close();
  });
}
