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
import { track, untrack } from './leftovers.js';

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
  /** Folders made for this file, removed again if the write is abandoned. */
  createdDirs?: string[];
}

/** Creates `dir` and missing parents with `mode` (exact, not umask-reduced); lists what it made in `created`. */
export function ensureDir(dir: string, mode = MODE_DIR, created?: string[]): void {
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw new MacvpnError(`${dir} exists and is not a directory`);
    return;
  }
  ensureDir(path.dirname(dir), mode, created);
  fs.mkdirSync(dir, { mode });
  fs.chmodSync(dir, mode);
  created?.push(dir);
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

function throughSymlink(target: string): string {
  try {
    return fs.lstatSync(target).isSymbolicLink() ? fs.realpathSync(target) : target;
  } catch {
    return target; // missing (or a parent is not a folder: ensureDir says so clearly)
  }
}

/**
 * Creates the temp copy (exclusive, exact mode) and writes it; the caller fsyncs and closes `fd`.
 * The temp file sits next to its target, or in `stagingDir` (see openStagingDir).
 */
function writeTemp(base: string, f: OutputFile, dirMode: number, stagingDir?: string): Staged & { fd: number } {
  // A symlink (macvpn.yaml linked into a git checkout, say) is written through, not replaced.
  const target = stagingDir ? path.join(base, f.path) : throughSymlink(path.join(base, f.path));
  const createdDirs: string[] = [];
  ensureDir(path.dirname(target), dirMode, createdDirs);
  const tmp = stagingDir ? path.join(stagingDir, path.basename(target)) : tempName(target);
  const fd = fs.openSync(tmp, 'wx', f.mode);
  if (!stagingDir) track(tmp); // a staging folder is tracked as a whole
  try {
    fs.writeSync(fd, bytesOf(f.contents));
    fs.fchmodSync(fd, f.mode);
  } catch (e) {
    abandon(fd, tmp);
    throw ioError(e, 'write');
  }
  return { tmp, target, fd, ...(createdDirs.length > 0 && { createdDirs }) };
}

function abandon(fd: number, tmp: string): void {
  fs.closeSync(fd);
  fs.rmSync(tmp, { force: true });
  untrack(tmp);
}

/** Writes one file's temp copy (exclusive create, exact mode, fsync). */
export function stageFile(base: string, f: OutputFile, dirMode = MODE_DIR): Staged {
  const { fd, ...staged } = writeTemp(base, f, dirMode);
  const { tmp } = staged;
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    abandon(fd, tmp);
    throw ioError(e, 'write');
  }
  fs.closeSync(fd);
  return staged;
}

/**
 * An empty folder inside `dir` for the temp files of a bulk write. Creating a file in a folder
 * that already holds thousands costs far more than in an empty one (ext4 here: 135 µs against
 * 10 µs), and a rename from a sibling folder is as atomic as one within the folder.
 */
export function openStagingDir(dir: string, created?: string[]): string {
  ensureDir(dir, MODE_DIR, created);
  const staging = path.join(dir, `.macvpn-staging.${process.pid}.${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(staging, { mode: MODE_DIR });
  track(staging);
  fs.chmodSync(staging, MODE_DIR);
  return staging;
}

export function removeStagingDir(staging: string): void {
  fs.rmSync(staging, { recursive: true, force: true });
  untrack(staging);
}

/**
 * Bulk staging in two steps: write every temp file now (no fsync), then fsync them all at once
 * with syncStaged. Creating files while fsyncs run makes each create wait behind a journal commit
 * (ext4 jbd2); batching the fsyncs lets the kernel commit many files together. Target names must
 * be unique within one staging folder.
 */
export function stageFileUnsynced(base: string, f: OutputFile, stagingDir: string): Staged {
  const { fd, ...staged } = writeTemp(base, f, MODE_DIR, stagingDir);
  fs.closeSync(fd);
  return staged;
}

/** fsyncs staged temp files, `concurrency` at a time on libuv's threadpool. */
export async function syncStaged(staged: readonly Staged[], concurrency = 64): Promise<void> {
  let next = 0;
  const syncOne = (tmp: string) =>
    new Promise<void>((resolve, reject) =>
      fs.open(tmp, 'r', (e, fd) => {
        if (e) return reject(ioError(e, 'sync'));
        fs.fsync(fd, (e2) => fs.close(fd, () => (e2 ? reject(ioError(e2, 'sync')) : resolve())));
      }),
    );
  const worker = async () => {
    while (next < staged.length) await syncOne(staged[next++]!.tmp);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, staged.length) }, worker));
}

/** Removes the temp files and, deepest first, the folders made for them (when empty). */
export function discardStaged(staged: readonly Staged[]): void {
  for (const s of staged) {
    fs.rmSync(s.tmp, { force: true });
    untrack(s.tmp);
  }
  removeCreatedDirs(staged.flatMap((s) => s.createdDirs ?? []));
}

/** Removes folders a failed write made, deepest first, each only if it is empty. */
export function removeCreatedDirs(dirs: readonly string[]): void {
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      fs.rmdirSync(d);
    } catch {
      // not empty or already gone: leave it
    }
  }
}

/** Renames every staged file into place, deletes `remove`, then fsyncs the touched folders. */
export function commitStaged(staged: readonly Staged[], base?: string, remove: readonly string[] = []): void {
  // A rename cannot replace a folder: find that before the first rename, not half-way through.
  for (const s of staged) {
    if (fs.lstatSync(s.target, { throwIfNoEntry: false })?.isDirectory()) {
      discardStaged(staged);
      throw new MacvpnError(`cannot write ${s.target}: a folder is in the way`);
    }
  }
  const dirs = new Set<string>();
  for (const s of staged) {
    fs.renameSync(s.tmp, s.target);
    untrack(s.tmp);
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
