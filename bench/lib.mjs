// Shared by the bench scripts (not a bench itself: run.js runs *.mjs files other than this one).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const bin = path.join(root, 'bin/macvpn.js');
const { renderSiteYaml } = await import(path.join(root, 'dist/site/render-site-yaml.js'));
const { parseSite } = await import(path.join(root, 'dist/site/parse-site.js'));
const { renderPasswords } = await import(path.join(root, 'dist/site/secrets.js'));

export function macvpn(dir, args) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26, timeout: 600_000 });
  if (r.status !== 0) throw new Error(`macvpn ${args.join(' ')} failed: ${r.stderr}`);
  return r;
}

/** A site of `users` users (as `init` makes it, users written in), not built yet. */
export function makeSite(users, initArgs = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'macvpn-bench-'));
  macvpn(dir, ['init', '--server', 'vpn.example.com', '--dns', '192.168.1.1', '--pool', '10.8.0.0/16', ...initArgs]);
  const parsed = parseSite(fs.readFileSync(path.join(dir, 'macvpn.yaml'), 'utf8'));
  const list = Array.from({ length: users }, (_, i) => ({ name: `user${i}`, ...(i % 10 === 0 && { email: `user${i}@example.com` }) }));
  fs.writeFileSync(path.join(dir, 'macvpn.yaml'), renderSiteYaml({ ...parsed.settings, users: list }));
  const pw = new Map(list.map((u, i) => [u.name, `Bench-password-${i}-xyz`]));
  fs.writeFileSync(path.join(dir, 'secrets/passwords.json'), renderPasswords(pw), { mode: 0o600 });
  return dir;
}

/** Wall time (s) and peak RSS (MB) of one whole command, as a user runs it. */
export function timed(dir, args) {
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26, timeout: 600_000 });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`macvpn ${args.join(' ')} failed: ${r.stderr}`);
  return { seconds, peakMb: Number(r.stderr.trim().split('\n').pop()) / 1024 };
}

export function timeCommand(cmd, args, opts = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'ignore', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const spread = (xs) => `${Math.min(...xs).toFixed(3)}-${Math.max(...xs).toFixed(3)}`;

let misses = 0;
/** One figure next to its budget; `ok` decides the exit status of the script. */
export function figure(name, value, budget, ok, extra = '') {
  if (!ok) misses++;
  console.log(`${ok ? 'ok    ' : 'MISSED'} ${name.padEnd(58)} ${String(value).padStart(8)}  budget ${budget}${extra ? `  (${extra})` : ''}`);
}
export const done = () => (process.exitCode = misses === 0 ? 0 : 1);
/**
 * Puts finished sites out of the way; they are deleted when the bench ends (run.js), or this
 * script when run alone. Deleting them at once would skew what comes next: on an ext4 without a
 * journal (this machine's root) creating an inode skips every recently freed one in its block
 * group (the kernel's recently_deleted(), fs/ext4/ialloc.c), and a site of 5,000 built users
 * frees some 20,000. Measured here: a first IKEv2 build right after such a delete took 5.4 s,
 * the same build with no delete in the 200 s before 4.7 s. A user's build does not follow the
 * bench's clean-up, so the figures must not either.
 */
const trash = process.env.MACVPN_BENCH_TRASH ?? fs.mkdtempSync(path.join(os.tmpdir(), 'macvpn-bench-trash-'));
if (process.env.MACVPN_BENCH_TRASH === undefined) process.on('exit', () => fs.rmSync(trash, { recursive: true, force: true }));
export const rm = (...dirs) => dirs.forEach((d) => fs.renameSync(d, path.join(trash, path.basename(d))));
