/**
 * Files in the site's generated server/ that the current plan no longer has: the other VPN
 * type's files after a switch (an old ipsec.conf still holds the PSK), a renamed server's
 * certificate. server/ is generated ("Do not edit"), so build and server remove them and check
 * reports them. Symlinks are not followed; temp files of interrupted runs are left to leftovers.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OutputFile } from '../plan/output-file.js';

/** Paths relative to `dir` of regular files that are not in `planned`. */
export function staleFiles(dir: string, planned: readonly OutputFile[]): string[] {
  const wanted = new Set(planned.map((f) => f.path));
  const out: string[] = [];
  const walk = (rel: string) => {
    const full = path.join(dir, rel);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(full, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && !wanted.has(r) && !/(^|\/)\./.test(r)) out.push(r);
    }
  };
  walk('');
  return out.sort();
}
