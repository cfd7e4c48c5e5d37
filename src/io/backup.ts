/**
 * `init --force` (and `import --force`) keep what they replace: a dated copy of the site's
 * settings, secrets and PKI under backups/<UTC time>/ inside the site (folders 0700, files with
 * their modes), so an accidental re-init can be undone by copying the files back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BACKUPS_DIR } from './site-paths.js';
import { ioError } from './write-files.js';

/** Everything of a site that init replaces or makes meaningless; generated output (server/, profiles/) is left out. */
const KEPT = ['macvpn.yaml', 'secrets', 'pki', 'ca.pem', 'delivered.json'];

function copy(from: string, to: string): void {
  const st = fs.lstatSync(from);
  if (st.isDirectory()) {
    fs.mkdirSync(to, { mode: 0o700 });
    for (const name of fs.readdirSync(from).sort()) copy(path.join(from, name), path.join(to, name));
  } else if (st.isFile()) {
    fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
    fs.chmodSync(to, st.mode & 0o700);
  } else if (st.isSymbolicLink()) {
    // macvpn.yaml may be a link into a git checkout: keep what it says, not the link.
    const target = fs.statSync(from);
    if (target.isFile()) {
      fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
      fs.chmodSync(to, 0o600);
    }
  }
}

/** Copies the site's state to backups/<stamp>/ and returns that path relative to the site. */
export function backupSite(siteDir: string, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const rel = path.join(BACKUPS_DIR, stamp);
  const dir = path.join(siteDir, rel);
  try {
    fs.mkdirSync(path.join(siteDir, BACKUPS_DIR), { mode: 0o700, recursive: true });
    fs.chmodSync(path.join(siteDir, BACKUPS_DIR), 0o700);
    fs.mkdirSync(dir, { mode: 0o700 });
    for (const name of KEPT) if (fs.existsSync(path.join(siteDir, name)) || isLink(path.join(siteDir, name))) copy(path.join(siteDir, name), path.join(dir, name));
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw ioError(e, 'back up the site to', dir);
  }
  return rel;
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
