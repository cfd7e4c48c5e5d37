/**
 * Atomic, mode-exact writes of a whole plan: every file goes to a temp file next to its target
 * (created exclusively with the final mode), is fsynced, and only when all temp files are complete
 * are they renamed into place. A failure before the renames leaves no file changed.
 * fs.writeFile's `mode` is reduced by the umask and ignored for existing files, so each file is
 * chmod-ed explicitly (STYLE.md §2.6).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { MODE_DIR, type OutputFile } from '../plan/output-file.js';
import { MacvpnError } from '../errors.js';

export interface WriteOptions {
  /** Mode for directories this call creates (default 0700). */
  dirMode?: number;
  /** Paths (relative to base) to delete after the new files are in place. */
  remove?: string[];
}

/** Creates `dir` and missing parents with `mode` (exact, not umask-reduced). */
export function ensureDir(dir: string, mode = MODE_DIR): void {
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw new MacvpnError(`${dir} exists and is not a directory`);
    return;
  }
  ensureDir(path.dirname(dir), mode);
  fs.mkdirSync(dir, { mode });
  fs.chmodSync(dir, mode);
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  }
}

function writeTemp(target: string, contents: string | Uint8Array, mode: number): string {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    fs.writeSync(fd, typeof contents === 'string' ? Buffer.from(contents, 'utf8') : contents);
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  return tmp;
}

export function writeFiles(base: string, files: readonly OutputFile[], options: WriteOptions = {}): void {
  const temps: Array<[string, string]> = [];
  try {
    for (const f of files) {
      const target = path.join(base, f.path);
      ensureDir(path.dirname(target), options.dirMode ?? MODE_DIR);
      temps.push([writeTemp(target, f.contents, f.mode), target]);
    }
  } catch (e) {
    for (const [tmp] of temps) fs.rmSync(tmp, { force: true });
    throw ioError(e, 'write');
  }
  const dirs = new Set<string>();
  for (const [tmp, target] of temps) {
    fs.renameSync(tmp, target);
    dirs.add(path.dirname(target));
  }
  for (const rel of options.remove ?? []) {
    const target = path.join(base, rel);
    fs.rmSync(target, { force: true });
    dirs.add(path.dirname(target));
  }
  for (const d of dirs) fsyncDir(d);
}

/** Turns a Node fs error into a one-line MacvpnError naming the path. */
export function ioError(e: unknown, verb: string): MacvpnError {
  if (e instanceof MacvpnError) return e;
  const err = e as NodeJS.ErrnoException;
  const what = err.path ? `cannot ${verb} ${err.path}` : `cannot ${verb}`;
  return new MacvpnError(`${what}: ${err.code ?? err.message}`);
}
