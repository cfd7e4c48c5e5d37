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
import { asError } from './thread-error.js';
import type { Staged } from '../io/write-files.js';
import type { Signer } from '../signing/signer.js';
import type { Tools } from '../vpn/vpn-type.js';
import type { WorkerMessage, WorkerRequest } from './build-worker.js';
import { stageProfiles, type ProfileJob, type StageResult } from './stage-profiles.js';
import { SITE_FILE } from '../io/site-paths.js';
import { TaskRunner } from './worker-tasks.js';
import { vpnTypeOf } from '../vpn/index.js';

/** Below this many profiles, starting threads costs more than it saves. */
const MIN_PER_WORKER = 50;
/** Profiles per chunk handed to a thread. */
const CHUNK = 50;
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
  private runner?: TaskRunner;
  private constructor(private readonly workers: Worker[]) {}

  /**
   * Threads for a build of the site in `siteDir`, when the bundle runs and the build is big
   * enough: `profiles` to sign when known, else judged from the size of macvpn.yaml.
   */
  static start(siteDir: string, signingTime: Date, profiles?: number): BuildPool | undefined {
    const threads = Math.min(os.availableParallelism(), 8);
    if (profiles !== undefined ? profiles < MIN_PER_WORKER * threads : (fs.statSync(path.join(siteDir, SITE_FILE), { throwIfNoEntry: false })?.size ?? 0) < EARLY_START_BYTES) return undefined;
    return BuildPool.spawn(siteDir, signingTime);
  }

  /** Threads whatever the site's size (for a VPN type's tasks, src/cli/worker-tasks.ts), when the bundle runs. */
  static spawn(siteDir: string, signingTime: Date): BuildPool | undefined {
    const bundle = bundlePath();
    const threads = Math.min(os.availableParallelism(), 8);
    if (!bundle || threads < 2) return undefined;
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
    this.runner?.close();
    for (const w of this.workers) void w.terminate();
  }

  /** Runs a VPN type's task on the threads (Tools.parallel), this thread blocked meanwhile. */
  runTask(vpn: string, task: string, shared: unknown, inputs: readonly unknown[], tools: Tools): unknown[] {
    this.runner ??= new TaskRunner(this.workers, (w, channel, port) => w.postMessage({ kind: 'tasks', channel } satisfies WorkerRequest, [port]));
    return this.runner.run(vpn, task, shared, inputs, tools);
  }

  /**
   * Signs and stages the job's profiles in chunks handed to whichever thread is free, this one
   * included until the workers have loaded: a worker still loading takes its first chunk late
   * instead of holding up a fixed share. Appends to `staged` even when it throws.
   */
  async run(job: ProfileJob, signer: Signer, staged: Staged[], progress: (done: number) => void): Promise<StageResult> {
    const n = job.users.length;
    const total: StageResult = { records: {}, signed: 0, unchanged: 0, prints: [] };
    let next = 0;
    let done = 0;
    let failure: Error | undefined;
    // This thread works while the workers load; once they answer it stops, so that it does not
    // compete with them for the cores and its heap (which holds the job) stays small.
    let started = false;
    const take = (): [number, number] | undefined => {
      if (failure || next >= n) return undefined;
      const from = next;
      next = Math.min(n, next + CHUNK);
      return [from, next];
    };
    const add = (r: StageResult, count: number) => {
      Object.assign(total.records, r.records);
      total.signed += r.signed;
      total.unchanged += r.unchanged;
      total.prints.push(...r.prints);
      done += count;
      progress(done);
    };
    // Each thread gets the site with the state of no user, and each chunk its users' part.
    const pickState = vpnTypeOf(job.site).pickState;
    const pick = pickState && ((names: readonly string[]) => pickState(job.site.secrets.vpn, names));
    const posted: ProfileJob = pick ? { ...job, site: { ...job.site, secrets: { ...job.site.secrets, vpn: pick([]) } } } : job;
    const loops = this.workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          let inFlight = 0;
          const send = () => {
            const chunk = take();
            if (!chunk) return inFlight === 0 && resolve();
            inFlight++;
            w.postMessage({ kind: 'chunk', from: chunk[0], to: chunk[1], ...(pick && { state: pick(job.users.slice(chunk[0], chunk[1]).map((u) => u.name)) }) } satisfies WorkerRequest);
          };
          w.ref();
          w.on('message', (m: WorkerMessage) => {
            inFlight--;
            started = true;
            staged.push(...m.staged);
            if (m.error) failure ??= asError(m.error);
            else add(m.result!, m.count);
            send();
          });
          w.once('error', reject);
          w.once('exit', (code) => reject(new Error(`build worker exited with code ${code}`)));
          w.postMessage({ kind: 'job', job: posted } satisfies WorkerRequest);
          // Two chunks in flight: the next is there when a worker finishes one.
          send();
          send();
        }),
    );
    const mine = (async () => {
      for (;;) {
        // Yield between chunks so that the workers' replies (and their next chunks) go through.
        await new Promise((r) => setImmediate(r));
        const chunk = started ? undefined : take();
        if (!chunk) return;
        try {
          add(stageProfiles({ ...job, users: job.users.slice(chunk[0], chunk[1]) }, signer, staged), chunk[1] - chunk[0]);
        } catch (e) {
          failure ??= e as Error;
        }
      }
    })();
    const results = await Promise.allSettled([...loops, mine]);
    for (const r of results) if (r.status === 'rejected') failure ??= r.reason as Error;
    if (failure) throw failure;
    // (In the thread's order: the caller writes the record in the site's user order.)
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
    return await pool.run(job, signer, staged, progress);
  } finally {
    pool.close();
  }
}
