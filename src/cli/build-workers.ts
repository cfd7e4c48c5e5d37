/**
 * Runs stageProfiles on one worker thread per core. The RSA signature is most of a profile's cost
 * (docs/performance.md §2), and building the plist and writing the file are JavaScript, so whole
 * profiles go to the workers: on libuv's threadpool only the signature could run in parallel,
 * and the main thread's share would become the bottleneck.
 * Workers exist only when running from the bundle (bin/macvpn.js): they load the same bundle.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { MacvpnError } from '../errors.js';
import type { Staged } from '../io/write-files.js';
import type { Signer } from '../signing/signer.js';
import type { WorkerReport } from './build-worker.js';
import { stageProfiles, type ProfileJob } from './stage-profiles.js';

/** Below this many profiles, starting threads costs more than it saves. */
const MIN_PER_WORKER = 50;

/** The bundle's own path when this code runs from dist/macvpn.cjs, else undefined. */
function bundlePath(): string | undefined {
  return typeof __filename === 'string' && __filename.endsWith('macvpn.cjs') ? __filename : undefined;
}

const WORKER_CODE = `
const { workerData } = require('node:worker_threads');
require(workerData.loader).load().runBuildWorker();
`;

function runWorker(loader: string, job: ProfileJob): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    // A small young generation keeps each worker's memory flat: it holds one profile at a time.
    const worker = new Worker(WORKER_CODE, { eval: true, workerData: { loader, job }, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    let report: WorkerReport | undefined;
    worker.once('message', (m: WorkerReport) => (report = m));
    worker.once('error', reject);
    worker.once('exit', (code) => (report ? resolve(report) : reject(new Error(`build worker exited with code ${code}`))));
  });
}

/** Signs and stages every job's profiles; appends to `staged` even when it throws. */
export async function stageProfilesParallel(job: ProfileJob, signer: Signer, staged: Staged[], prints: Array<[string, string]>): Promise<void> {
  const bundle = bundlePath();
  const threads = Math.min(os.availableParallelism(), Math.floor(job.users.length / MIN_PER_WORKER));
  if (!bundle || threads < 2) return stageProfiles(job, signer, staged, prints);
  const loader = path.join(path.dirname(bundle), '..', 'bin', 'load.js');
  const shares = Array.from({ length: threads }, (_, t) => job.users.filter((_, i) => i % threads === t));
  const results = await Promise.allSettled(shares.map((users) => runWorker(loader, { ...job, users })));
  let failure: Error | undefined;
  for (const r of results) {
    if (r.status === 'rejected') failure ??= r.reason as Error;
    else {
      staged.push(...r.value.staged);
      prints.push(...r.value.prints);
      const e = r.value.error;
      if (e && !failure) failure = 'internal' in e ? new Error(e.internal) : new MacvpnError([e.message, ...e.more], e.hints);
    }
  }
  if (failure) throw failure;
}
