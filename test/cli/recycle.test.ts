/**
 * Issue 12: a build writes each re-signed profile into the file of the profile it replaced last
 * time (kept in .macvpn-spare/, src/io/recycle.ts) instead of creating and freeing inodes. What
 * must hold: every profile verifies, the spares are private, nothing planted in the spare folder
 * is written through, and the spares of removed users go.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBin, tempDir } from '../helpers/cli.js';
import { openssl } from '../signing/pki.js';

let site: string;
let outside: string;
const profile = (name: string) => path.join(site, 'profiles', `${name}.mobileconfig`);
const spare = (name: string) => path.join(site, '.macvpn-spare', `${name}.mobileconfig`);
const verifies = (file: string, password: string) => {
  const v = openssl(['cms', '-verify', '-inform', 'DER', '-in', file, '-CAfile', path.join(site, 'ca.pem'), '-binary']);
  return v.status === 0 && v.stdout.toString().includes(`<string>${password}</string>`);
};
const run = async (args: string[]) => {
  const r = await runBin(args, { cwd: site });
  expect(r.code, r.stderr).toBe(0);
  return r;
};

beforeEach(async () => {
  site = tempDir('macvpn-recycle-');
  outside = tempDir('macvpn-outside-');
  await run(['init', '--server', 'vpn.example.com']);
  for (const [name, pw] of [['alice', 'alice-pass-1'], ['bob', 'bob-pass-22'], ['carol', 'carol-pass-3']]) {
    const r = await runBin(['user', 'add', name, '--password-stdin'], { cwd: site, input: `${pw}\n` });
    expect(r.code, r.stderr).toBe(0);
  }
  await run(['build']);
});
afterEach(() => {
  fs.rmSync(site, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

describe('profiles written into the previous build’s files', () => {
  it('keeps the replaced profiles as private spares and writes the next build into them', async () => {
    const first = fs.readFileSync(profile('alice'));
    await run(['build', '--all']);
    const dir = fs.statSync(path.join(site, '.macvpn-spare'));
    expect(dir.mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(path.join(site, '.macvpn-spare')).sort()).toEqual(['alice.mobileconfig', 'bob.mobileconfig', 'carol.mobileconfig']);
    // The spare is the file the rename replaced, whole and private.
    expect(fs.readFileSync(spare('alice')).equals(first)).toBe(true);
    expect(fs.statSync(spare('alice')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(profile('alice')).nlink).toBe(1);
    const second = fs.readFileSync(profile('alice'));
    const spareInode = fs.statSync(spare('alice')).ino;
    await run(['build', '--all']);
    // The third profile lives in the first one's file, and the second is now the spare.
    expect(fs.statSync(profile('alice')).ino).toBe(spareInode);
    expect(fs.readFileSync(spare('alice')).equals(second)).toBe(true);
    for (const [name, pw] of [['alice', 'alice-pass-1'], ['bob', 'bob-pass-22'], ['carol', 'carol-pass-3']]) {
      expect(verifies(profile(name), pw!), name).toBe(true);
      expect(fs.statSync(profile(name)).mode & 0o777).toBe(0o600);
    }
  }, 60_000);

  it('a longer old profile leaves no tail behind in the file written into', async () => {
    await run(['build', '--all']);
    fs.appendFileSync(spare('alice'), Buffer.alloc(5000, 0x41));
    await run(['build', '--all']);
    expect(verifies(profile('alice'), 'alice-pass-1')).toBe(true);
    expect(fs.readFileSync(profile('alice')).includes(Buffer.alloc(64, 0x41))).toBe(false);
  }, 60_000);

  it('never writes through a symlink or a second hard link planted in the spare folder', async () => {
    await run(['build', '--all']);
    const victim = path.join(outside, 'victim');
    const linked = path.join(outside, 'linked');
    fs.writeFileSync(victim, 'keep me\n');
    fs.writeFileSync(linked, 'keep me too\n');
    fs.rmSync(spare('alice'));
    fs.symlinkSync(victim, spare('alice'));
    fs.rmSync(spare('bob'));
    fs.linkSync(linked, spare('bob'));
    await run(['build', '--all']);
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(fs.readFileSync(linked, 'utf8')).toBe('keep me too\n');
    expect(fs.lstatSync(profile('alice')).isFile()).toBe(true);
    expect(verifies(profile('alice'), 'alice-pass-1')).toBe(true);
    expect(verifies(profile('bob'), 'bob-pass-22')).toBe(true);
    expect(fs.lstatSync(spare('alice')).isFile()).toBe(true);
  }, 60_000);

  it('does not block on a FIFO put in the spare folder', async () => {
    await run(['build', '--all']);
    fs.rmSync(spare('alice'));
    expect(spawnSync('mkfifo', [spare('alice')]).status).toBe(0);
    await run(['build', '--all']);
    expect(verifies(profile('alice'), 'alice-pass-1')).toBe(true);
    expect(fs.lstatSync(spare('alice')).isFile()).toBe(true);
  }, 60_000);

  it.each(['build', 'build --all'])('leaves no rotated secret in a spare (%s), and keeps writing into the spares', async (command) => {
    await run(['build', '--all']);
    const oldPsk = Buffer.from(fs.readFileSync(path.join(site, 'secrets/psk'), 'utf8').trim());
    // The PSK travels as <data>, base64 of its bytes (apple.md §2); the password as a string.
    const secretsOf = (file: string) => {
      const xml = fs.readFileSync(file).toString('latin1');
      return { psk: xml.includes(oldPsk.toString('base64')), password: xml.includes('<string>bob-pass-22</string>') };
    };
    expect(secretsOf(spare('alice')).psk).toBe(true);
    await run(['psk', 'rotate']);
    const r = await runBin(['user', 'rotate', 'bob', '--password-stdin'], { cwd: site, input: 'bob-pass-new-7\n' });
    expect(r.code, r.stderr).toBe(0);
    const inode = fs.statSync(profile('alice')).ino;
    await run(command.split(' '));
    for (const name of ['alice', 'bob', 'carol']) {
      expect(secretsOf(profile(name)).psk, name).toBe(false);
      expect(secretsOf(spare(name)), name).toEqual({ psk: false, password: false });
    }
    expect(verifies(profile('bob'), 'bob-pass-new-7')).toBe(true);
    // Emptied, not removed: the next build still writes into the superseded profile's file.
    expect(fs.statSync(spare('alice'))).toMatchObject({ size: 0, ino: inode });
    const spareInode = fs.statSync(spare('carol')).ino;
    await run(['build', '--all']);
    expect(fs.statSync(profile('carol')).ino).toBe(spareInode);
    expect(verifies(profile('carol'), 'carol-pass-3')).toBe(true);
  }, 60_000);

  it('removes the spare of a user removed from the site', async () => {
    await run(['build', '--all']);
    expect(fs.existsSync(spare('carol'))).toBe(true);
    await run(['user', 'remove', 'carol']);
    // The spare is a copy of the profile, password and all: it goes with it.
    expect(fs.existsSync(spare('carol'))).toBe(false);
    await run(['build']);
    expect(fs.existsSync(spare('carol'))).toBe(false);
    expect(fs.existsSync(profile('carol'))).toBe(false);
    expect(fs.existsSync(spare('alice'))).toBe(true);
  }, 60_000);
});
