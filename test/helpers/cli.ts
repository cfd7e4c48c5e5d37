/** Test helpers: run the real bin/macvpn.js, make temp dirs, snapshot a folder's bytes and modes. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/macvpn.js');
export const SHARED = path.resolve(ROOT, '../shared');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/macvpn.js ...args` (needs a compiled dist/: `npm test` runs tsc first). */
export function runBin(args: string[], opts: { cwd: string; input?: string; env?: Record<string, string> }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: opts.cwd, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

export function tempDir(prefix = 'macvpn-test-'): string {
  return fs.mkdtempSync(path.join(process.env.MACVPN_TEST_TMP ?? os.tmpdir(), prefix));
}

/** A new temp folder in which each command of `commands` has run through the real bin and succeeded. */
export async function siteAfter(prefix: string, commands: string[][]): Promise<string> {
  const dir = tempDir(prefix);
  for (const args of commands) {
    const r = await runBin(args, { cwd: dir });
    if (r.code !== 0) throw new Error(`macvpn ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  }
  return dir;
}

/** Every file and folder under `dir` with its mode and content hash (links and FIFOs as such): compare before/after. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    for (const name of fs.readdirSync(p).sort()) {
      const full = path.join(p, name);
      const st = fs.lstatSync(full);
      const rel = path.relative(dir, full);
      if (st.isDirectory()) {
        out[rel + '/'] = (st.mode & 0o7777).toString(8);
        walk(full);
      } else if (st.isSymbolicLink()) {
        out[rel] = `-> ${fs.readlinkSync(full)}`; // never followed: it may point outside, or to a folder
      } else if (!st.isFile()) {
        out[rel] = `special ${(st.mode & 0o170000).toString(8)}`; // a FIFO is never opened (it would block)
      } else {
        out[rel] = `${(st.mode & 0o7777).toString(8)} ${createHash('sha256').update(fs.readFileSync(full)).digest('hex')}`;
      }
    }
  };
  walk(dir);
  return out;
}

export function modeOf(p: string): string {
  return (fs.statSync(p).mode & 0o7777).toString(8).padStart(4, '0');
}
