/**
 * Issue 10, items 1–3: a site that someone else could change is refused with the chmod/chown
 * that fixes it; writes never follow a symlink; a FIFO in secrets/ is an error, never opened.
 * Everything runs through the real bin/macvpn.js (as root here: "another uid" is uid 12345).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBin, snapshot, tempDir, type RunResult } from '../helpers/cli.js';

const FOREIGN = 12345;
const ME = spawnSync('id', ['-un']).stdout.toString().trim();

let template: string;
beforeAll(async () => {
  template = tempDir();
  const site = path.join(template, 'site');
  fs.mkdirSync(site);
  expect((await runBin(['init', '--server', 'vpn.example.com'], { cwd: site })).code).toBe(0);
  expect((await runBin(['user', 'add', 'alice', '--email', 'alice@example.com'], { cwd: site })).code).toBe(0);
  expect((await runBin(['build'], { cwd: site })).code).toBe(0);
});

/** A fresh copy of the built site in its own parent folder (0700) beside an "outside" folder. */
function freshSite(): { root: string; site: string; outside: string } {
  const root = tempDir();
  const site = path.join(root, 'site');
  fs.cpSync(path.join(template, 'site'), site, { recursive: true, preserveTimestamps: true });
  const outside = path.join(root, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'victim'), 'precious\n', { mode: 0o644 });
  return { root, site, outside };
}

/** The stderr of a refused command: exactly one error line, any hint lines. */
function refused(r: RunResult, code = 1): { error: string; hints: string[] } {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines.filter((l) => l.startsWith('macvpn: error: ')), r.stderr).toHaveLength(1);
  expect(lines.every((l) => /^macvpn: (error|hint): /.test(l)), r.stderr).toBe(true);
  return { error: lines[0]!.slice('macvpn: error: '.length), hints: lines.slice(1).map((l) => l.slice('macvpn: hint: '.length)) };
}

const mkfifo = (p: string) => expect(spawnSync('mkfifo', [p]).status).toBe(0);

describe('issue 10 item 1: ownership and write bits, ssh-like', () => {
  it('refuses secrets/ owned by another uid, with the chown that fixes it', async () => {
    const { site } = freshSite();
    const dir = path.join(site, 'secrets');
    fs.chownSync(dir, FOREIGN, FOREIGN);
    const before = snapshot(site);
    const r = refused(await runBin(['user', 'list'], { cwd: site }));
    expect(r.error).toBe(`${dir} is owned by uid ${FOREIGN}, not by you (uid 0) or root; refusing to use it`);
    expect(r.hints).toEqual([`chown ${ME} ${dir}`]);
    expect(snapshot(site)).toEqual(before);
  });

  it('refuses a file in secrets/ owned by another uid', async () => {
    const { site } = freshSite();
    const file = path.join(site, 'secrets/psk');
    fs.chownSync(file, FOREIGN, FOREIGN);
    const r = refused(await runBin(['profile', 'alice'], { cwd: site }));
    expect(r.error).toContain(`${file} is owned by uid ${FOREIGN}`);
    expect(r.hints).toEqual([`chown ${ME} ${file}`]);
  });

  it('refuses a folder above the site that group or others can write to (no sticky bit)', async () => {
    const { root, site } = freshSite();
    fs.chmodSync(root, 0o777);
    const before = snapshot(site);
    const r = refused(await runBin(['build'], { cwd: site }));
    expect(r.error).toBe(`${root} is writable by group or others (mode 0777); another user could replace the site's files; refusing to use it`);
    expect(r.hints).toEqual([`chmod go-w ${root}`]);
    expect(snapshot(site)).toEqual(before);
    // With the sticky bit (as /tmp) nobody else can rename the site away: accepted.
    fs.chmodSync(root, 0o1777);
    expect((await runBin(['user', 'list'], { cwd: site })).code).toBe(0);
  });

  it('refuses a folder above the site owned by another uid', async () => {
    const { root, site } = freshSite();
    fs.chownSync(root, FOREIGN, FOREIGN);
    const r = refused(await runBin(['user', 'list'], { cwd: site }));
    expect(r.error).toContain(`${root} is owned by uid ${FOREIGN}`);
    expect(r.hints).toEqual([`chown ${ME} ${root}`]);
  });

  it('refuses a group-writable site folder, even with the sticky bit', async () => {
    const { site } = freshSite();
    fs.chmodSync(site, 0o1775);
    const r = refused(await runBin(['server'], { cwd: site }));
    expect(r.error).toContain(`${site} is writable by group or others (mode 1775)`);
    expect(r.hints).toEqual([`chmod go-w ${site}`]);
  });

  it('init refuses to create a site in a world-writable folder', async () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o777);
    const r = refused(await runBin(['init', '--server', 'vpn.example.com'], { cwd: dir }));
    expect(r.hints).toEqual([`chmod go-w ${dir}`]);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses a macvpn.yaml that group or others can write to (it decides what install.sh does)', async () => {
    const { site } = freshSite();
    const file = path.join(site, 'macvpn.yaml');
    fs.chmodSync(file, 0o664);
    const before = snapshot(site);
    const r = refused(await runBin(['user', 'add', 'bob'], { cwd: site }));
    expect(r.error).toBe(`${file} is writable by group or others (mode 0664); it decides what install.sh does on the router; refusing to use it`);
    expect(r.hints).toEqual([`chmod go-w ${file}`]);
    expect(snapshot(site)).toEqual(before);
  });

  it('a symlinked macvpn.yaml is still written through on purpose', async () => {
    const { site, outside } = freshSite();
    const real = path.join(outside, 'macvpn.yaml');
    fs.renameSync(path.join(site, 'macvpn.yaml'), real);
    fs.symlinkSync(real, path.join(site, 'macvpn.yaml'));
    expect((await runBin(['user', 'add', 'bob'], { cwd: site })).code).toBe(0);
    expect(fs.lstatSync(path.join(site, 'macvpn.yaml')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toContain('name: bob');
  });

  it.each([
    ['server', ['server'], 'server'],
    ['server', ['build'], 'server'],
    ['profiles', ['build'], 'profiles'],
    ['profiles', ['profile', 'alice'], 'profiles'],
  ])('refuses to write into a world-writable %s/ (%j) and check reports it', async (dir, args) => {
    const { site } = freshSite();
    const full = path.join(site, dir);
    fs.chmodSync(full, 0o777);
    const before = snapshot(site);
    const r = refused(await runBin(args, { cwd: site }));
    expect(r.error).toBe(`${full} is writable by group or others (mode 0777); refusing to write into it`);
    expect(r.hints).toEqual([`chmod go-w ${full}`]);
    expect(snapshot(site)).toEqual(before);
    const check = await runBin(['check'], { cwd: site });
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`macvpn: error: ${dir} is writable by group or others (mode 0777); macvpn refuses to write into it (chmod go-w ${dir})\n`);
  });

  it('refuses to write into a server/etc owned by another uid', async () => {
    const { site } = freshSite();
    const etc = path.join(site, 'server/etc');
    fs.chownSync(etc, FOREIGN, FOREIGN);
    const r = refused(await runBin(['server'], { cwd: site }));
    expect(r.error).toBe(`${etc} is owned by uid ${FOREIGN}, not by you (uid 0) or root; refusing to write into it`);
    expect(r.hints).toEqual([`chown ${ME} ${etc}`]);
  });
});

describe('issue 10 item 3: anything in secrets/ that is not a regular file', () => {
  it.each(['psk', 'extra'])('a FIFO at secrets/%s is an error, never opened (no hang)', async (name) => {
    const { site } = freshSite();
    const p = path.join(site, 'secrets', name);
    fs.rmSync(p, { force: true });
    mkfifo(p);
    fs.chmodSync(p, 0o600);
    for (const args of [['user', 'list'], ['profile', 'alice'], ['check'], ['user', 'add', 'bob']]) {
      const r = refused(await runBin(args, { cwd: site }));
      expect(r.error).toBe(`${p} is a FIFO (named pipe), not a regular file; secrets must be plain files in a plain folder`);
    }
  });

  it('a folder inside secrets/ gets the same rules: a FIFO or an open folder there is an error', async () => {
    const { site } = freshSite();
    fs.mkdirSync(path.join(site, 'secrets/sub'), { mode: 0o700 });
    mkfifo(path.join(site, 'secrets/sub/p12'));
    expect(refused(await runBin(['user', 'list'], { cwd: site })).error).toContain('secrets/sub/p12 is a FIFO (named pipe), not a regular file');
    fs.rmSync(path.join(site, 'secrets/sub/p12'));
    fs.chmodSync(path.join(site, 'secrets/sub'), 0o750);
    expect(refused(await runBin(['user', 'list'], { cwd: site })).error).toContain('secrets/sub is accessible by group or others (mode 0750)');
  });

  it('secrets itself as a FIFO is an error', async () => {
    const { site } = freshSite();
    fs.rmSync(path.join(site, 'secrets'), { recursive: true });
    mkfifo(path.join(site, 'secrets'));
    expect(refused(await runBin(['user', 'list'], { cwd: site })).error).toContain('secrets is a FIFO (named pipe), not a folder');
  });

  it('macvpn.yaml as a FIFO is an error, never opened', async () => {
    const { site } = freshSite();
    fs.rmSync(path.join(site, 'macvpn.yaml'));
    mkfifo(path.join(site, 'macvpn.yaml'));
    expect(refused(await runBin(['user', 'list'], { cwd: site })).error).toContain('macvpn.yaml is a FIFO (named pipe), not a regular file');
  });
});

describe('issue 10 item 2: writes never follow symlinks', () => {
  it('-o into a folder reached through your own link in a private folder works (macOS: /tmp → /private/tmp)', async () => {
    const { root, site } = freshSite();
    const real = path.join(root, 'private-tmp');
    fs.mkdirSync(real, { mode: 0o700 });
    fs.chmodSync(root, 0o755);
    fs.symlinkSync(real, path.join(root, 'tmp'));
    const r = await runBin(['profile', 'alice', '-o', path.join(root, 'tmp/alice.mobileconfig')], { cwd: site });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fs.lstatSync(path.join(real, 'alice.mobileconfig')).isFile()).toBe(true);
  });

  it('profile -o, mail --eml and server/etc/ipsec.conf replace a planted symlink; nothing outside changes', async () => {
    const { site, outside } = freshSite();
    const victim = path.join(outside, 'victim');
    const out = path.join(site, 'out');
    fs.mkdirSync(out, { mode: 0o700 });
    const links = [path.join(out, 'alice.mobileconfig'), path.join(out, 'alice.eml'), path.join(site, 'server/etc/ipsec.conf'), path.join(site, 'profiles/alice.mobileconfig')];
    for (const l of links) {
      fs.rmSync(l, { force: true });
      fs.symlinkSync(victim, l);
    }
    const fifo = path.join(out, 'fifo.mobileconfig');
    mkfifo(fifo);
    const before = snapshot(outside);
    for (const args of [
      ['profile', 'alice', '-o', 'out/alice.mobileconfig'],
      ['profile', 'alice', '-o', 'out/fifo.mobileconfig'],
      ['mail', 'alice', '--eml', 'out/alice.eml'],
      ['server'],
      ['build'],
    ]) {
      const r = await runBin(args, { cwd: site });
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.code).toBe(0);
    }
    expect(snapshot(outside)).toEqual(before);
    for (const l of [...links, fifo]) expect(fs.lstatSync(l).isFile(), l).toBe(true);
    expect(fs.readFileSync(path.join(site, 'server/etc/ipsec.conf'), 'utf8')).toContain('ike passive esp');
  });

  it('check reports a FIFO where a profile or a server file belongs, without opening it', async () => {
    const { site } = freshSite();
    for (const rel of ['profiles/alice.mobileconfig', 'server/etc/ipsec.conf']) {
      fs.rmSync(path.join(site, rel));
      mkfifo(path.join(site, rel));
    }
    const r = await runBin(['check'], { cwd: site });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('macvpn: error: server/etc/ipsec.conf is a FIFO (named pipe), not a file: run "macvpn server"\n');
    expect(r.stderr).toContain('macvpn: error: profiles/alice.mobileconfig is a FIFO (named pipe), not a file: delete it and run "macvpn build"\n');
    // build replaces both with the real files.
    expect((await runBin(['build'], { cwd: site })).code).toBe(0);
    expect(fs.lstatSync(path.join(site, 'server/etc/ipsec.conf')).isFile()).toBe(true);
  });

  it('check says when a generated file is a symlink', async () => {
    const { site, outside } = freshSite();
    const conf = path.join(site, 'server/etc/ipsec.conf');
    fs.copyFileSync(conf, path.join(outside, 'ipsec.conf'));
    fs.rmSync(conf);
    fs.symlinkSync(path.join(outside, 'ipsec.conf'), conf);
    const r = await runBin(['check'], { cwd: site });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('macvpn: error: server/etc/ipsec.conf is a symbolic link: the next build replaces it with the file itself\n');
  });

  it.each([
    ['profile -o into a symlinked folder', (s: string) => ['profile', 'alice', '-o', path.join(s, 'linked/alice.mobileconfig')], 'linked'],
    ['mail --eml into a symlinked folder', (s: string) => ['mail', 'alice', '--eml', path.join(s, 'linked/alice.eml')], 'linked'],
    ['server --out a symlinked folder', (s: string) => ['server', '--out', path.join(s, 'linked')], 'linked'],
    ['server with server/etc a symlink', () => ['server'], 'server/etc'],
    ['build with profiles/ a symlink', () => ['build'], 'profiles'],
  ])('%s is refused with one error and changes nothing', async (_name, args, link) => {
    const { site, outside } = freshSite();
    const at = path.join(site, link);
    fs.rmSync(at, { recursive: true, force: true });
    fs.symlinkSync(outside, at);
    // Planted by another local user: a link of root's or yours in a private folder is followed
    // (macOS's /tmp), one of someone else's never is.
    fs.lchownSync(at, 12345, 12345);
    const before = [snapshot(site), snapshot(outside)];
    const r = refused(await runBin(args(site), { cwd: site }));
    expect(r.error).toBe(`cannot write into ${at}: it is a symbolic link, and macvpn never writes through one`);
    expect([snapshot(site), snapshot(outside)]).toEqual(before);
    if (link !== 'linked') {
      const check = await runBin(['check'], { cwd: site });
      expect(check.stderr).toContain(`macvpn: error: ${link} is a symbolic link to a folder: macvpn never writes through one; replace it with a real folder\n`);
    }
  });

  it.each([
    ['foreign-owned', (d: string) => fs.chownSync(d, FOREIGN, FOREIGN), 'is owned by uid 12345'],
    ['world-writable', (d: string) => fs.chmodSync(d, 0o777), 'is writable by group or others (mode 0777)'],
  ])('profile -o, mail --eml and server --out refuse a %s folder', async (_name, spoil, says) => {
    const { site, outside } = freshSite();
    spoil(outside);
    const before = snapshot(outside);
    for (const args of [
      ['profile', 'alice', '-o', path.join(outside, 'a.mobileconfig')],
      ['mail', 'alice', '--eml', path.join(outside, 'a.eml')],
      ['server', '--out', outside],
    ]) {
      const r = refused(await runBin(args, { cwd: site }));
      expect(r.error).toContain(`${outside} ${says}`);
    }
    expect(snapshot(outside)).toEqual(before);
  });
});
