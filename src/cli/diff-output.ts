/** `server --diff` and `build --diff`: read what is on disk, print the masked diff, write nothing. */
import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from './context.js';
import type { Site } from '../site/types.js';
import type { PlanServerOptions } from '../plan/plan-server.js';
import { planServer } from '../plan/plan-server.js';
import { serverDiff, type OldFile } from '../plan/server-diff.js';
import { staleFiles } from '../io/stale-files.js';

function readOld(dir: string, rel: string): OldFile | undefined {
  const full = path.join(dir, rel);
  try {
    const st = fs.lstatSync(full);
    // Never opened when it is not a plain file (a FIFO would block): shown as all new.
    if (!st.isFile()) return undefined;
    return { bytes: fs.readFileSync(full), mode: st.mode & 0o777 };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Prints the diff of `dir` against the plan; returns how many files would change. */
export function printServerDiff(ctx: Ctx, site: Site, opts: PlanServerOptions, dir: string, label: string): number {
  const removed = fs.existsSync(dir) ? staleFiles(dir, planServer(site, opts)) : [];
  const d = serverDiff(site, opts, (rel) => readOld(dir, rel), removed, label);
  for (const l of d.lines) ctx.out(l);
  return d.changed;
}
