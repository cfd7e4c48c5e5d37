/**
 * Atomic, mode-exact writes of a whole plan: every file goes to a temp file next to its target
 * (created exclusively with the final mode), is fsynced, and only when all temp files are complete
 * are they renamed into place. A failure before the renames leaves no file changed.
 * fs.writeFile's `mode` is reduced by the umask and ignored for existing files, so each file is
 * chmod-ed explicitly (STYLE.md §2.6).
 *
 * Writes never follow a symlink (issue 10, item 2): a link where a file goes is replaced, not
 * written through, and a link where a folder goes is refused, as is a folder that another user
 * owns or that group or others can write to (they could swap the file after it is written).
 * The one exception is a file the caller names in `followSymlinks` (macvpn.yaml kept in a git
 * checkout), written through on purpose.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { MODE_DIR, type OutputFile } from '../plan/output-file.js';
import { MacvpnError } from '../errors.js';
import { track, untrack } from './leftovers.js';
import { accessProblem } from './trust.js';
import { keepReplaced, writeIntoSpare } from './recycle.js';

export interface WriteOptions {
  /** Mode for directories this call creates (default 0700). */
  dirMode?: number;
  /** Paths (relative to base) to delete after the new files are in place. */
  remove?: string[];
  /** Follow a symlinked base folder (the site folder the user named); default: refuse one. */
  followBase?: boolean;
  /** Paths (relative to base) written through when they are symlinks (macvpn.yaml). */
  followSymlinks?: readonly string[];
  /**
   * Paths (relative to base) of records macvpn can do without after a crash (delivered.json):
   * still atomic (temp file and rename), but not fsynced, which `macvpn profile` cannot afford.
   */
  records?: readonly string[];
}

type StageOptions = Pick<WriteOptions, 'dirMode' | 'followBase' | 'followSymlinks'> & {
  /** Folders (relative to base) already prepared and checked by this plan: checked once, not per file. */
  prepared?: Set<string>;
};

/** A complete temp file waiting to be renamed over its target. */
export interface Staged {
  tmp: string;
  target: string;
  /** The target was looked at when this was staged: not a folder (src/io/recycle.ts). */
  checked?: true;
  /** The second name the target was given as a spare when this was staged, undone if abandoned. */
  kept?: string;
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

/**
 * Makes sure `base/rel` is a folder macvpn may write into, creating what is missing (listed in
 * `created`). `base` itself may be a symlink only with `followBase`, and may be world-writable
 * only with the sticky bit (/tmp); every folder below it must be a real folder of yours that
 * group and others cannot write to.
 */
export function prepareFolder(base: string, rel: string, dirMode: number, created: string[], opts: { followBase?: boolean } = {}): string {
  let st = opts.followBase || trustedLink(base) ? fs.statSync(base, { throwIfNoEntry: false }) : fs.lstatSync(base, { throwIfNoEntry: false });
  if (!st) {
    ensureDir(base, dirMode, created);
    st = fs.lstatSync(base);
  }
  checkFolder(base, st, true);
  let dir = base;
  for (const part of rel.split(/[\\/]+/).filter((p) => p !== '' && p !== '.')) {
    dir = path.join(dir, part);
    const sub = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!sub) {
      fs.mkdirSync(dir, { mode: dirMode });
      fs.chmodSync(dir, dirMode);
      created.push(dir);
    } else checkFolder(dir, sub, false);
  }
  return dir;
}

/**
 * A symlinked output folder named by the user (macOS's /tmp → /private/tmp, a home folder moved
 * elsewhere) is followed when only a trusted hand can have made it: the link belongs to root or
 * to you, in a folder that nobody else may write to. A link planted by another user is not.
 * Inside the output tree links are never followed.
 */
function trustedLink(p: string): boolean {
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (!st?.isSymbolicLink()) return false;
  const me = process.getuid?.() ?? 0;
  if (st.uid !== 0 && st.uid !== me) return false;
  const parent = fs.statSync(path.dirname(p), { throwIfNoEntry: false });
  return parent !== undefined && (parent.uid === 0 || parent.uid === me) && (parent.mode & 0o022) === 0;
}

function checkFolder(dir: string, st: fs.Stats, isBase: boolean): void {
  if (st.isSymbolicLink()) {
    throw new MacvpnError(`cannot write into ${dir}: it is a symbolic link, and macvpn never writes through one`, [
      `replace it with a real folder, or name the folder it points to`,
    ]);
  }
  if (!st.isDirectory()) throw new MacvpnError(`${dir} exists and is not a directory`);
  const problem = accessProblem(dir, st, 'refusing to write into it', { sticky: isBase });
  if (problem) throw problem;
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
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

/**
 * Creates the temp copy (exclusive, exact mode) and writes it; the caller fsyncs and closes `fd`.
 * The temp file sits next to its target, or in `stagingDir` (see openStagingDir).
 */
function writeTemp(base: string, f: OutputFile, opts: StageOptions, stagingDir?: string): Staged & { fd: number } {
  let target = path.join(base, f.path);
  const createdDirs: string[] = [];
  try {
    const folder = path.dirname(f.path);
    if (!stagingDir && !opts.prepared?.has(folder)) {
      prepareFolder(base, folder, opts.dirMode ?? MODE_DIR, createdDirs, opts);
      opts.prepared?.add(folder);
    }
    // Written through on purpose only where the caller says so (macvpn.yaml in a git checkout).
    if (opts.followSymlinks?.includes(f.path) && fs.lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink()) {
      target = fs.realpathSync(target);
    }
  } catch (e) {
    removeCreatedDirs(createdDirs);
    throw ioError(e, 'write', target);
  }
  const tmp = stagingDir ? path.join(stagingDir, path.basename(target)) : tempName(target);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'wx', f.mode);
  } catch (e) {
    removeCreatedDirs(createdDirs);
    throw ioError(e, 'write', target);
  }
  if (!stagingDir) track(tmp); // a staging folder is tracked as a whole
  try {
    fs.writeSync(fd, bytesOf(f.contents));
    fs.fchmodSync(fd, f.mode);
  } catch (e) {
    abandon(fd, tmp);
    removeCreatedDirs(createdDirs);
    throw ioError(e, 'write', target);
  }
  return { tmp, target, fd, ...(createdDirs.length > 0 && { createdDirs }) };
}

function abandon(fd: number, tmp: string): void {
  fs.closeSync(fd);
  fs.rmSync(tmp, { force: true });
  untrack(tmp);
}

/** Writes one file's temp copy (exclusive create, exact mode, fsync unless `sync: false`: the caller then runs syncStaged). */
export function stageFile(base: string, f: OutputFile, opts: StageOptions & { sync?: boolean } = {}): Staged {
  const { fd, ...staged } = writeTemp(base, f, opts);
  const { tmp } = staged;
  if (opts.sync === false) {
    fs.closeSync(fd);
    return staged;
  }
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    abandon(fd, tmp);
    throw ioError(e, 'write', staged.target);
  }
  fs.closeSync(fd);
  return staged;
}

/**
 * An empty folder inside `dir` for the temp files of a bulk write. Creating a file in a folder
 * that already holds thousands costs far more than in an empty one (ext4 here: 135 µs against
 * 10 µs), and a rename from a sibling folder is as atomic as one within the folder.
 */
export function openStagingDir(dir: string, created: string[] = []): string {
  const staging = path.join(dir, `.macvpn-staging.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    // The site folder is followed (the user named it); dir itself must be a real, private folder.
    prepareFolder(path.dirname(dir), path.basename(dir), MODE_DIR, created, { followBase: true });
    fs.mkdirSync(staging, { mode: MODE_DIR });
  } catch (e) {
    throw ioError(e, 'write into', dir);
  }
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
  const { fd, ...staged } = writeTemp(base, f, {}, stagingDir);
  fs.closeSync(fd);
  return staged;
}

/**
 * stageFileUnsynced into the file of the profile this one replaced last time, kept in `spareDir`
 * (src/io/recycle.ts), or a new file when there is none; the commit keeps the file it replaces.
 */
export function stageRecycled(base: string, f: OutputFile, stagingDir: string, spareDir: string): Staged {
  const name = path.basename(f.path);
  const spare = path.join(spareDir, name);
  const tmp = path.join(stagingDir, name);
  const staged = writeIntoSpare(spare, tmp, f, bytesOf(f.contents)) ? { tmp, target: path.join(base, f.path) } : stageFileUnsynced(base, f, stagingDir);
  // The file this one replaces takes the spare's name now, on the thread that staged it, so that
  // the commit (one thread) only renames.
  let kept: ReturnType<typeof keepReplaced>;
  try {
    kept = keepReplaced(staged.target, spare);
  } catch (e) {
    discardStaged([staged]);
    throw e;
  }
  if (kept === 'folder') {
    discardStaged([staged]);
    throw new MacvpnError(folderInTheWay(staged.target));
  }
  return { ...staged, checked: true, ...(kept === 'kept' && { kept: spare }) };
}

const folderInTheWay = (target: string) => `cannot write ${target}: a folder is in the way`;

/**
 * The `sync` that takes -f (GNU coreutils 8.24+: syncfs(2) on the file's file system), on Linux
 * 5.8 or later, where syncfs reports writeback errors not yet seen (errseq on the superblock,
 * commit 735e4ae5ba28), as fsync does per file. Elsewhere undefined: macOS has no syncfs.
 */
function syncfsCommand(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const [major = 0, minor = 0] = os.release().split('.').map(Number);
  if (major < 5 || (major === 5 && minor < 8)) return undefined;
  return ['/bin/sync', '/usr/bin/sync'].find((p) => fs.existsSync(p));
}

/**
 * Starts writing back what is already staged in `dir`'s file system, without waiting: a hint
 * only, durability still comes from syncStaged. A bulk build calls it part-way, so that the
 * final sync, which every rename waits for, has less left to write (5,000 profiles here: the
 * final syncfs took 60-120 ms when it had to write all of them).
 */
export function startWriteback(dir: string): void {
  const sync = syncfsCommand();
  if (!sync) return;
  try {
    spawn(sync, ['-f', dir], { stdio: 'ignore' }).on('error', () => undefined).unref();
  } catch {
    // only a hint
  }
}

/**
 * Makes every staged temp file durable before the renames. On Linux one syncfs(2) per file system
 * (issue 12): it writes back and waits for all of that file system's dirty data and metadata, so
 * it covers each temp file as its fsync would, in one journal commit instead of thousands (5,000
 * profiles on ext4 here: about 35 ms against 200 ms). If it is not available or fails, each file
 * is fsynced, `concurrency` at a time on libuv's threadpool, which also names the file at fault.
 */
export async function syncStaged(staged: readonly Staged[], concurrency = 64): Promise<void> {
  if (staged.length > 64 && (await syncfsAllAsync(staged))) return;
  await fsyncEach(staged, concurrency);
}

async function fsyncEach(staged: readonly Staged[], concurrency: number): Promise<void> {
  let next = 0;
  const syncOne = (tmp: string) =>
    new Promise<void>((resolve, reject) =>
      fs.open(tmp, 'r', (e, fd) => {
        if (e) return reject(ioError(e, 'sync', tmp));
        fs.fsync(fd, (e2) => fs.close(fd, () => (e2 ? reject(ioError(e2, 'sync', tmp)) : resolve())));
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
    // Only a second name of the target (or, once renamed over, of the file it replaced).
    if (s.kept) fs.rmSync(s.kept, { force: true });
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
export function commitStaged(staged: readonly Staged[], base?: string, remove: readonly string[] = [], lazy: ReadonlySet<string> = new Set()): void {
  // A rename cannot replace a folder: find that before the first rename, not half-way through.
  for (const s of staged) {
    if (!s.checked && fs.lstatSync(s.target, { throwIfNoEntry: false })?.isDirectory()) {
      discardStaged(staged);
      throw new MacvpnError(folderInTheWay(s.target));
    }
  }
  const dirs = new Set<string>();
  for (const s of staged) {
    try {
      fs.renameSync(s.tmp, s.target);
    } catch (e) {
      discardStaged(staged);
      throw ioError(e, 'write', s.target);
    }
    untrack(s.tmp);
    if (!lazy.has(s.target)) dirs.add(path.dirname(s.target));
  }
  for (const rel of remove) {
    const target = path.join(base ?? '.', rel);
    try {
      fs.rmSync(target, { force: true });
    } catch (e) {
      throw ioError(e, 'remove', target);
    }
    dirs.add(path.dirname(target));
  }
  for (const d of dirs) fsyncDir(d);
}

/**
 * One syncfs per file system of the staged files (see syncStaged), for syncStaged and for
 * synchronous writeFiles: false when it cannot run or fails, and the caller fsyncs each file.
 */
function syncfsAll(staged: readonly Staged[]): boolean {
  const sync = syncfsCommand();
  if (!sync) return false;
  return fileSystemsOf(staged).every((dir) => spawnSync(sync, ['-f', dir], { stdio: 'ignore' }).status === 0);
}

/** One folder of each file system the staged files are on. */
function fileSystemsOf(staged: readonly Staged[]): string[] {
  const devices = new Map<number, string>();
  for (const dir of new Set(staged.map((s) => path.dirname(s.tmp)))) {
    const dev = fs.statSync(dir).dev;
    if (!devices.has(dev)) devices.set(dev, dir);
  }
  return [...devices.values()];
}

/**
 * syncfsAll without blocking this thread: the sync of thousands of new files can take a few
 * hundred milliseconds, during which a build's worker threads need this thread's event loop.
 */
async function syncfsAllAsync(staged: readonly Staged[]): Promise<boolean> {
  const sync = syncfsCommand();
  if (!sync) return false;
  for (const dir of fileSystemsOf(staged)) {
    const ok = await new Promise<boolean>((resolve) => {
      try {
        spawn(sync, ['-f', dir], { stdio: 'ignore' }).on('error', () => resolve(false)).on('close', (code) => resolve(code === 0));
      } catch {
        resolve(false);
      }
    });
    if (!ok) return false;
  }
  return true;
}

/** From this many files on, writeFiles makes them durable with one syncfs instead of an fsync each. */
const BATCH_SYNC_MIN = 64;

export function writeFiles(base: string, files: readonly OutputFile[], options: WriteOptions = {}): void {
  const staged: Staged[] = [];
  // Thousands of state files (a certificate and a PKCS#12 per user): written unsynced, then one
  // syncfs, as the build does for profiles (issue 12; 10,000 fsyncs took 2.7 s here). Without
  // syncfs, or if it fails, each file is fsynced before any rename, as below.
  const batch = files.length >= BATCH_SYNC_MIN;
  // Each folder of the plan is checked (prepareFolder) before its first file, not before each.
  const prepared = new Set<string>();
  try {
    for (const f of files) staged.push(stageFile(base, f, { ...options, prepared, sync: !batch && !options.records?.includes(f.path) }));
    if (batch && !syncfsAll(staged)) {
      const lazy = new Set(options.records ?? []);
      files.forEach((f, i) => {
        if (!lazy.has(f.path)) fsyncFile(staged[i]!.tmp);
      });
    }
  } catch (e) {
    discardStaged(staged);
    throw ioError(e, 'write', base);
  }
  const lazy = new Set((options.records ?? []).map((r) => path.join(base, r)));
  commitStaged(staged, base, options.remove, lazy);
}

/** Files staged between two turns of the event loop by writeFilesAsync (each ~0.05-0.2 ms: a new inode). */
const ASYNC_SLICE = 32;

/**
 * writeFiles for a thread whose event loop must keep turning meanwhile: `build` writes the state
 * files (a certificate and a PKCS#12 per new user) while its worker threads sign the profiles,
 * whose messages this loop handles (issue 12). The same checks, modes, temp files, sync and
 * all-or-nothing commit as writeFiles; it yields between slices of files and syncs without
 * blocking. Nothing is renamed into place before every file is staged and durable.
 */
export async function writeFilesAsync(base: string, files: readonly OutputFile[], options: Omit<WriteOptions, 'records'> = {}): Promise<void> {
  const staged: Staged[] = [];
  const batch = files.length >= BATCH_SYNC_MIN;
  const prepared = new Set<string>();
  try {
    for (let i = 0; i < files.length; i++) {
      staged.push(stageFile(base, files[i]!, { ...options, prepared, sync: !batch }));
      if (i % ASYNC_SLICE === ASYNC_SLICE - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    if (batch) await syncStaged(staged);
  } catch (e) {
    discardStaged(staged);
    throw ioError(e, 'write', base);
  }
  commitStaged(staged, base, options.remove);
}

/** What an fs error code means, in words (a raw EISDIR or EROFS tells a user nothing). */
const CODE_WORDS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder',
  EEXIST: 'it already exists',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  EXDEV: 'it is on another file system',
  EBUSY: 'it is busy',
};

export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const words = err.code ? CODE_WORDS[err.code] : undefined;
  return words ? `${words} (${err.code})` : (err.code ?? err.message.split('\n')[0]!);
}

/**
 * Turns a Node fs error into a one-line MacvpnError naming the file: `file` when the caller knows
 * which one (a failed write(2) carries no path), else the error's own path.
 */
export function ioError(e: unknown, verb: string, file?: string): MacvpnError {
  if (e instanceof MacvpnError) return e;
  const err = e as NodeJS.ErrnoException;
  const where = file ?? err.path;
  const what = where ? `cannot ${verb} ${where}` : `cannot ${verb}`;
  return new MacvpnError(`${what}: ${describeFsError(e)}`);
}
