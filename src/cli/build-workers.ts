/**
 * Runs stageProfiles on one worker thread per core. The RSA signature is most of a profile's cost
 * (docs/performance.md §2), and building the plist and writing the file are JavaScript, so whole
 * profiles go to the workers: on libuv's threadpool only the signature could run in parallel,
 * and the main thread's share would become the bottleneck.
 * The threads start before macvpn.yaml is read (issue 12): loading the bundle and parsing the
 * signer key in each worker overlaps the main thread's parse, and the parsed site is then posted
 * to them (a structured clone of plain data costs a few milliseconds for 5,000 users).
 * Workers exist only when running from the bundle (bin/macvpn.js): they load the same bundle.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { MacvpnError } from '../errors.js';
import type { Staged } from '../io/write-files.js';
import type { Signer } from '../signing/signer.js';
import type { WorkerMessage } from './build-worker.js';
import { stageProfiles, type ProfileJob, type StageResult } from './stage-profiles.js';
import { SITE_FILE } from '../io/site-paths.js';

/** Below this many profiles, starting threads costs more than it saves. */
const MIN_PER_WORKER = 50;
/** A site file this large lists enough users for threads (about 40 bytes a user). */
const EARLY_START_BYTES = 2 * MIN_PER_WORKER * 40;

/** The bundle's own path when this code runs from dist/macvpn.cjs, else undefined. */
function bundlePath(): string | undefined {
  return typeof __filename === 'string' && __filename.endsWith('macvpn.cjs') ? __filename : undefined;
}

const WORKER_CODE = `
const { workerData } = require('node:worker_threads');
require(workerData.loader).load().runBuildWorker();
`;

/** Worker threads started ahead of the job; `run` hands each its share. */
export class BuildPool {
  private constructor(private readonly workers: Worker[]) {}

  /** Threads for a build of the site in `siteDir`, when it looks big enough and the bundle runs. */
  static start(siteDir: string, signingTime: Date): BuildPool | undefined {
    const bundle = bundlePath();
    const threads = Math.min(os.availableParallelism(), 8);
    if (!bundle || threads < 2) return undefined;
    const size = fs.statSync(path.join(siteDir, SITE_FILE), { throwIfNoEntry: false })?.size ?? 0;
    if (size < EARLY_START_BYTES) return undefined;
    const loader = path.join(path.dirname(bundle), '..', 'bin', 'load.js');
    // A small young generation keeps each worker's memory flat: it holds one profile at a time.
    const workers = Array.from({ length: threads }, () => new Worker(WORKER_CODE, { eval: true, workerData: { loader, siteDir, signingTime }, resourceLimits: { maxYoungGenerationSizeMb: 4 } }));
    for (const w of workers) w.unref();
    return new BuildPool(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  close(): void {
    for (const w of this.workers) void w.terminate();
  }

  /** Signs and stages the job's profiles, a share per thread; appends to `staged` even when it throws. */
  async run(job: ProfileJob, staged: Staged[], progress: (done: number) => void): Promise<StageResult> {
    const n = this.workers.length;
    const done = new Array<number>(n).fill(0);
    const shares = Array.from({ length: n }, (_, t) => job.users.filter((_, i) => i % n === t));
    const results = await Promise.allSettled(
      this.workers.map((w, t) =>
        new Promise<Extract<WorkerMessage, { kind: 'done' }>>((resolve, reject) => {
          w.ref();
          w.on('message', (m: WorkerMessage) => {
            if (m.kind === 'progress') {
              done[t] = m.done;
              progress(done.reduce((a, b) => a + b, 0));
            } else resolve(m);
          });
          w.once('error', reject);
          w.once('exit', (code) => reject(new Error(`build worker exited with code ${code}`)));
          const users = shares[t]!;
          const previous = Object.fromEntries(users.flatMap((u) => (job.previous[u.name] ? [[u.name, job.previous[u.name]!]] : [])));
          w.postMessage({ ...job, users, previous });
        }),
      ),
    );
    const total: StageResult = { records: {}, signed: 0, unchanged: 0, prints: [] };
    let failure: Error | undefined;
    for (const r of results) {
      if (r.status === 'rejected') failure ??= r.reason as Error;
      else {
        staged.push(...r.value.staged);
        const e = r.value.error;
        if (e && !failure) failure = 'internal' in e ? new Error(e.internal) : new MacvpnError([e.message, ...e.more], e.hints);
        if (r.value.result) {
          Object.assign(total.records, r.value.result.records);
          total.signed += r.value.result.signed;
          total.unchanged += r.value.result.unchanged;
          total.prints.push(...r.value.result.prints);
        }
      }
    }
    if (failure) throw failure;
    // Records in the site's user order, whichever thread made them.
    total.records = Object.fromEntries(job.users.map((u) => [u.name, total.records[u.name]!]));
    return total;
  }
}

/** Signs and stages every job's profiles, on `pool` when the site is big enough; appends to `staged` even when it throws. */
export async function stageProfilesParallel(job: ProfileJob, signer: Signer, staged: Staged[], pool: BuildPool | undefined, progress: (done: number) => void = () => {}): Promise<StageResult> {
  if (!pool || job.users.length < MIN_PER_WORKER * pool.size) {
    pool?.close();
    return stageProfiles(job, signer, staged, progress);
  }
  try {
    return await pool.run(job, staged, progress);
  } finally {
    pool.close();
  }
}
