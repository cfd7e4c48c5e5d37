/**
 * A worker thread of `macvpn build`: parses the signer as soon as it starts (a KeyObject is per
 * thread; the main thread checks the signer itself), receives the job, then signs and stages the
 * chunks of users it is sent, replying to each.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { describeError, type ThreadError } from './thread-error.js';
import { loadSigner } from '../io/read-signer.js';
import type { Staged } from '../io/write-files.js';
import type { Signer } from '../signing/signer.js';
import { stageProfiles, type ProfileJob, type StageResult } from './stage-profiles.js';
import { serveTasks, type TaskChannel } from './worker-tasks.js';
import { siteTools } from './site-edit.js';


/**
 * What the main thread sends: the job once, then chunks of its users by index; or, before that, a
 * channel for a VPN type's tasks (identities to issue, src/cli/worker-tasks.ts).
 */
export type WorkerRequest = { kind: 'job'; job: ProfileJob } | { kind: 'chunk'; from: number; to: number; state?: object } | { kind: 'tasks'; channel: TaskChannel };

/** The reply to each chunk: what was staged (also on failure), and the result or the error. */
export interface WorkerMessage {
  staged: Staged[];
  count: number;
  result?: StageResult;
  error?: ThreadError;
}

export function buildWorkerMain(): void {
  const { siteDir, signingTime } = workerData as { siteDir: string; signingTime: Date };
  let signer: Signer | undefined;
  let loadError: unknown;
  try {
    // secrets/ is checked by the main thread (build.ts loadSigner) before any chunk is sent.
    signer = loadSigner(siteDir, signingTime, { checkModes: false });
  } catch (e) {
    loadError = e;
  }
  let job: ProfileJob | undefined;
  parentPort!.on('message', (m: WorkerRequest) => {
    if (m.kind === 'job') return void (job = m.job);
    if (m.kind === 'tasks') return void serveTasks(m.channel, siteTools);
    const staged: Staged[] = [];
    let report: WorkerMessage;
    try {
      if (!signer) throw loadError ?? new Error('the site has no signer');
      // The chunk's users' part of the VPN type's state, when the job was posted without it.
      const site = m.state === undefined ? job!.site : { ...job!.site, secrets: { ...job!.site.secrets, vpn: m.state } };
      const result = stageProfiles({ ...job!, site, users: job!.users.slice(m.from, m.to) }, signer, staged);
      report = { staged, count: m.to - m.from, result };
    } catch (e) {
      report = { staged, count: m.to - m.from, error: describeError(e) };
    }
    parentPort!.postMessage(report);
  });
}
