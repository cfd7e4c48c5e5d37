import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stageFileUnsynced, syncStaged, commitStaged, writeFiles, openStagingDir, removeStagingDir } from '../../src/io/write-files.js';
import { modeOf, snapshot, tempDir } from '../helpers/cli.js';
import { MacvpnError } from '../../src/errors.js';

describe('writeFiles', () => {
  it('writes exact modes whatever the umask, and replaces existing files', () => {
    const dir = tempDir();
    const old = process.umask(0o077);
    try {
      fs.writeFileSync(path.join(dir, 'a'), 'old', { mode: 0o600 });
      writeFiles(dir, [
        { path: 'a', contents: 'new', mode: 0o644 },
        { path: 'sub/deeper/b', contents: new Uint8Array([1, 2]), mode: 0o700 },
      ]);
    } finally {
      process.umask(old);
    }
    expect(fs.readFileSync(path.join(dir, 'a'), 'utf8')).toBe('new');
    expect(modeOf(path.join(dir, 'a'))).toBe('0644');
    expect(modeOf(path.join(dir, 'sub/deeper/b'))).toBe('0700');
    expect(modeOf(path.join(dir, 'sub'))).toBe('0700');
  });
  it('changes nothing when any file of the plan fails', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'a'), 'keep');
    fs.writeFileSync(path.join(dir, 'blocker'), 'a file where a folder is needed');
    const before = snapshot(dir);
    expect(() =>
      writeFiles(dir, [
        { path: 'a', contents: 'changed', mode: 0o600 },
        { path: 'blocker/x', contents: 'x', mode: 0o600 },
      ]),
    ).toThrow(MacvpnError);
    expect(snapshot(dir)).toEqual(before);
  });
  it('refuses before any rename when a folder stands where a file goes', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'b'));
    const before = snapshot(dir);
    expect(() => writeFiles(dir, [{ path: 'a', contents: 'x', mode: 0o600 }, { path: 'b', contents: 'y', mode: 0o600 }])).toThrow(
      `cannot write ${path.join(dir, 'b')}: a folder is in the way`,
    );
    expect(snapshot(dir)).toEqual(before);
  });
  it('writes through a symlink the caller names (macvpn.yaml) instead of replacing it', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'repo'));
    fs.writeFileSync(path.join(dir, 'repo/macvpn.yaml'), 'old');
    fs.symlinkSync('repo/macvpn.yaml', path.join(dir, 'macvpn.yaml'));
    writeFiles(dir, [{ path: 'macvpn.yaml', contents: 'new', mode: 0o644 }], { followSymlinks: ['macvpn.yaml'] });
    expect(fs.lstatSync(path.join(dir, 'macvpn.yaml')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'repo/macvpn.yaml'), 'utf8')).toBe('new');
  });
  describe('a plan of many files (one syncfs instead of an fsync each)', () => {
    const plan = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ path: i % 2 ? `pki/users/u${i}.pem` : `secrets/users/u${i}.p12`, contents: `file ${i}`, mode: i % 2 ? 0o644 : 0o600 }));

    it('writes exact modes, replaces a file and a symlink in the way, leaves no temp file, and syncs the file system instead of each file', () => {
      const dir = tempDir();
      fs.mkdirSync(path.join(dir, 'secrets/users'), { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(dir, 'secrets/users/u0.p12'), 'old', { mode: 0o644 });
      fs.mkdirSync(path.join(dir, 'pki/users'), { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(dir, 'elsewhere'), 'not to be written through');
      fs.symlinkSync('../../elsewhere', path.join(dir, 'pki/users/u1.pem'));
      const fsyncs = vi.spyOn(fs, 'fsyncSync');
      const old = process.umask(0o077);
      try {
        writeFiles(dir, plan(200));
      } finally {
        process.umask(old);
      }
      // Only the two folders (and their parents) are fsynced after the renames, no file.
      expect(fsyncs.mock.calls.length).toBeLessThan(10);
      fsyncs.mockRestore();
      for (const f of plan(200)) {
        expect(fs.readFileSync(path.join(dir, f.path), 'utf8')).toBe(f.contents);
        expect(modeOf(path.join(dir, f.path))).toBe(f.mode === 0o644 ? '0644' : '0600');
      }
      expect(fs.lstatSync(path.join(dir, 'pki/users/u1.pem')).isSymbolicLink()).toBe(false);
      expect(fs.readFileSync(path.join(dir, 'elsewhere'), 'utf8')).toBe('not to be written through');
      for (const d of ['pki/users', 'secrets/users']) expect(fs.readdirSync(path.join(dir, d))).toHaveLength(100);
    });

    it('changes nothing when its last file fails', () => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'blocker'), 'a file where a folder is needed');
      const before = snapshot(dir);
      expect(() => writeFiles(dir, [...plan(100), { path: 'blocker/x', contents: 'x', mode: 0o600 }])).toThrow(MacvpnError);
      expect(snapshot(dir)).toEqual(before);
    });
  });

  it('removes listed files after the new ones are in place', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'gone'), 'x');
    writeFiles(dir, [{ path: 'kept', contents: 'y', mode: 0o600 }], { remove: ['gone', 'never-existed'] });
    expect(fs.readdirSync(dir).sort()).toEqual(['kept']);
  });
  it('stages in bulk, syncs and commits together', async () => {
    const dir = tempDir();
    const staging = openStagingDir(path.join(dir, 'p'));
    const staged = [1, 2, 3].map((i) => stageFileUnsynced(dir, { path: `p/${i}`, contents: `${i}`, mode: 0o600 }, staging));
    await syncStaged(staged, 2);
    expect(fs.readdirSync(path.join(dir, 'p'))).toEqual([path.basename(staging)]);
    expect(modeOf(staging)).toBe('0700');
    commitStaged(staged);
    removeStagingDir(staging);
    expect(fs.readdirSync(path.join(dir, 'p')).sort()).toEqual(['1', '2', '3']);
    expect(modeOf(path.join(dir, 'p/2'))).toBe('0600');
  });
  // Issue 10, item 7: an fs error is one line that names the file and says what the code means.
  describe('fs errors name the file', () => {
    afterEach(() => vi.restoreAllMocks());
    const fail = (code: string) => Object.assign(new Error(`${code}: raw`), { code });
    it('ENOSPC from write(2), which carries no path', () => {
      const dir = tempDir();
      vi.spyOn(fs, 'writeSync').mockImplementation(() => {
        throw fail('ENOSPC');
      });
      expect(() => writeFiles(dir, [{ path: 'sub/a', contents: 'x', mode: 0o600 }])).toThrow(
        new MacvpnError(`cannot write ${path.join(dir, 'sub/a')}: no space left on the device (ENOSPC)`),
      );
      vi.restoreAllMocks();
      expect(fs.readdirSync(dir)).toEqual([]);
    });
    it('EROFS when the temp file is created', () => {
      const dir = tempDir();
      vi.spyOn(fs, 'openSync').mockImplementation(() => {
        throw Object.assign(fail('EROFS'), { path: '/the/temp/name' });
      });
      expect(() => writeFiles(dir, [{ path: 'a', contents: 'x', mode: 0o600 }])).toThrow(
        new MacvpnError(`cannot write ${path.join(dir, 'a')}: the file system is read-only (EROFS)`),
      );
    });
    it('an unknown code is named as it is, and nothing is left behind', () => {
      const dir = tempDir();
      vi.spyOn(fs, 'fsyncSync').mockImplementation(() => {
        throw fail('EWEIRD');
      });
      expect(() => writeFiles(dir, [{ path: 'a', contents: 'x', mode: 0o600 }])).toThrow(new MacvpnError(`cannot write ${path.join(dir, 'a')}: EWEIRD`));
      vi.restoreAllMocks();
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  });
});
