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

/** A complete temp file waiting to be renamed over its target. */
export interface Staged {
  tmp: string;
  target: string;
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

const tempName = (target: string) =>
  path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
const bytesOf = (c: string | Uint8Array) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c);

/** Creates the temp copy (exclusive, exact mode) and writes it; the caller fsyncs and closes `fd`. */
function writeTemp(base: string, f: OutputFile, dirMode: number): Staged & { fd: number } {
  const target = path.join(base, f.path);
  ensureDir(path.dirname(target), dirMode);
  const tmp = tempName(target);
  const fd = fs.openSync(tmp, 'wx', f.mode);
  try {
    fs.writeSync(fd, bytesOf(f.contents));
    fs.fchmodSync(fd, f.mode);
  } catch (e) {
    abandon(fd, tmp);
    throw ioError(e, 'write');
  }
  return { tmp, target, fd };
}

function abandon(fd: number, tmp: string): void {
  fs.closeSync(fd);
  fs.rmSync(tmp, { force: true });
}

/** Writes one file's temp copy (exclusive create, exact mode, fsync). */
export function stageFile(base: string, f: OutputFile, dirMode = MODE_DIR): Staged {
  const { tmp, target, fd } = writeTemp(base, f, dirMode);
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    abandon(fd, tmp);
    throw ioError(e, 'write');
  }
  fs.closeSync(fd);
  return { tmp, target };
}

/**
 * The same for bulk builds: the write itself is synchronous (a few tens of microseconds), the
 * fsync waits on libuv's threadpool so disk waits overlap with the signatures running there.
 */
export async function stageFileAsync(base: string, f: OutputFile, dirMode = MODE_DIR): Promise<Staged> {
  const { tmp, target, fd } = writeTemp(base, f, dirMode);
  try {
    await new Promise<void>((resolve, reject) => fs.fsync(fd, (e) => (e ? reject(e) : resolve())));
  } catch (e) {
    abandon(fd, tmp);
    throw ioError(e, 'write');
  }
  fs.closeSync(fd);
  return { tmp, target };
}

export function discardStaged(staged: readonly Staged[]): void {
  for (const s of staged) fs.rmSync(s.tmp, { force: true });
}

/** Renames every staged file into place, deletes `remove`, then fsyncs the touched folders. */
export function commitStaged(staged: readonly Staged[], base?: string, remove: readonly string[] = []): void {
  const dirs = new Set<string>();
  for (const s of staged) {
    fs.renameSync(s.tmp, s.target);
    dirs.add(path.dirname(s.target));
  }
  for (const rel of remove) {
    const target = path.join(base ?? '.', rel);
    fs.rmSync(target, { force: true });
    dirs.add(path.dirname(target));
  }
  for (const d of dirs) fsyncDir(d);
}

export function writeFiles(base: string, files: readonly OutputFile[], options: WriteOptions = {}): void {
  const staged: Staged[] = [];
  try {
    for (const f of files) staged.push(stageFile(base, f, options.dirMode));
  } catch (e) {
    discardStaged(staged);
    throw ioError(e, 'write');
  }
  commitStaged(staged, base, options.remove);
}

/** Turns a Node fs error into a one-line MacvpnError naming the path. */
export function ioError(e: unknown, verb: string): MacvpnError {
  if (e instanceof MacvpnError) return e;
  const err = e as NodeJS.ErrnoException;
  const what = err.path ? `cannot ${verb} ${err.path}` : `cannot ${verb}`;
  return new MacvpnError(`${what}: ${err.code ?? err.message}`);
}
