/**
 * The site-file reader a VPN type reads its state with (src/io/read-site.ts siteFileReader) and
 * the "is it there" check of a build that leaves identities unread (loadState's `there`): a plain
 * file is read or found, an absent one is undefined or false, and a symlink, FIFO, socket or folder is
 * refused with one error naming it, without blocking and without reading through a symlink.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { siteAfter, tempDir } from '../helpers/cli.js';
import { loadSiteUnchecked, siteFileReader } from '../../src/io/read-site.js';
import { ikev2State } from '../../src/vpn/ikev2/state.js';

const refused = (full: string) => `${full} is not a plain file; refusing to read it`;

describe('siteFileReader', () => {
  const dir = tempDir('macvpn-reader-');
  fs.writeFileSync(path.join(dir, 'plain'), 'bytes\n');
  fs.writeFileSync(path.join(dir, 'empty'), '');
  fs.writeFileSync(path.join(dir, 'elsewhere'), 'not to be read through a link\n');
  fs.symlinkSync(path.join(dir, 'elsewhere'), path.join(dir, 'link'));
  fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
  fs.mkdirSync(path.join(dir, 'folder'));
  expect(spawnSync('mkfifo', [path.join(dir, 'fifo')]).status).toBe(0);
  const read = siteFileReader(dir);

  it('reads a plain file, empty or not, and gives undefined for an absent one', () => {
    expect(Buffer.from(read('plain')!).toString()).toBe('bytes\n');
    expect(read('empty')!.length).toBe(0);
    expect(read('absent')).toBeUndefined();
    expect(() => read('absent', 'restore it')).toThrow(`${path.join(dir, 'absent')} not found`);
  });

  it('refuses a symlink (also a dangling one), a folder and a FIFO, without waiting for a writer', () => {
    for (const name of ['link', 'dangling', 'folder', 'fifo']) expect(() => read(name), name).toThrow(refused(path.join(dir, name)));
  });

  it('refuses a socket as not a plain file (its open fails), not as an I/O error', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(dir, 'socket'), resolve));
    try {
      expect(() => read('socket')).toThrow(refused(path.join(dir, 'socket')));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('names the file and the reason for any other failure', () => {
    fs.writeFileSync(path.join(dir, 'file-not-folder'), 'x');
    expect(() => read('file-not-folder/inside')).toThrow(`cannot read ${path.join(dir, 'file-not-folder/inside')}: a part of the path is not a folder (ENOTDIR)`);
  });
});

describe('the deferred identities check (there)', () => {
  let site: string;
  beforeAll(async () => {
    site = await siteAfter('macvpn-there-', [['init', '--server', 'vpn.example.com', '--vpn', 'ikev2'], ['user', 'add', 'alice'], ['user', 'add', 'bob'], ['user', 'add', 'carol']]);
  });
  const p12 = (name: string) => path.join(site, `secrets/users/${name}.p12`);

  it('finds the listed identities and misses an absent one, as a lookup of each would', () => {
    const bytes = fs.readFileSync(p12('bob'));
    fs.rmSync(p12('bob'));
    try {
      const users = ikev2State(loadSiteUnchecked(site, undefined, { deferIdentities: true })).users;
      expect(users.get('alice')?.p12Unread).toBe(true);
      expect(users.get('carol')?.p12Unread).toBe(true);
      expect(users.get('bob')).not.toHaveProperty('p12Unread');
    } finally {
      fs.writeFileSync(p12('bob'), bytes, { mode: 0o600 });
    }
  });

  it('refuses a folder where an identity belongs, with the reader’s error', () => {
    const bytes = fs.readFileSync(p12('carol'));
    fs.rmSync(p12('carol'));
    fs.mkdirSync(p12('carol'), { mode: 0o700 });
    try {
      // Loaded without the secrets/ walk of a command (that walk runs once per process, here
      // already for this site): the check alone must refuse it.
      expect(() => loadSiteUnchecked(site, undefined, { deferIdentities: true })).toThrow(refused(p12('carol')));
    } finally {
      fs.rmdirSync(p12('carol'));
      fs.writeFileSync(p12('carol'), bytes, { mode: 0o600 });
    }
  });
});
