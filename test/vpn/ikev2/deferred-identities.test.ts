/**
 * Issue 12: a build that signs every profile leaves the users' PKCS#12 files unread on its main
 * thread (loadState's `there`), and each thread reads those of the users it builds
 * (completeIkev2State). The profile is byte for byte the one built from the whole state; a file
 * that went missing or was replaced by a symlink after loading gives the error it gave before.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { siteAfter, tempDir } from '../../helpers/cli.js';
import { loadSiteUnchecked, siteFileReader } from '../../../src/io/read-site.js';
import { buildProfileXml } from '../../../src/apple/build-profile.js';
import { completeIkev2State, ikev2State, checkIkev2State, pickIkev2State, type Ikev2State } from '../../../src/vpn/ikev2/state.js';
import type { Site } from '../../../src/site/types.js';
import { profileInputHasher } from '../../../src/plan/profile-inputs.js';

let site: string;
beforeAll(async () => {
  site = await siteAfter('macvpn-deferred-', [['init', '--server', 'vpn.example.com', '--vpn', 'ikev2'], ['user', 'add', 'alice'], ['user', 'add', 'bob'], ['user', 'add', 'carol']]);
});

const xml = (s: Site, name: string) => Buffer.from(buildProfileXml(s, s.users.find((u) => u.name === name)!, { includePassword: true, scope: 'System' }));
const withState = (s: Site, vpn: Ikev2State): Site => ({ ...s, secrets: { ...s.secrets, vpn } });

describe('PKCS#12 files left unread by the main thread', () => {
  it('are checked for being there, read by completeState, and give the same profile bytes', () => {
    const whole = loadSiteUnchecked(site);
    const deferred = loadSiteUnchecked(site, undefined, { deferIdentities: true });
    const state = ikev2State(deferred);
    for (const id of state.users.values()) {
      expect(id.p12).toBeUndefined();
      expect(id.p12Unread).toBe(true);
      expect(Buffer.from(id.cert!).toString('latin1')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    }
    expect(checkIkev2State(deferred, state)).toEqual([]);
    const done = completeIkev2State(state, siteFileReader(site), ['alice', 'bob']);
    expect([...done.users.keys()]).toEqual(['alice', 'bob']);
    expect(Buffer.from(done.users.get('alice')!.p12!).equals(fs.readFileSync(path.join(site, 'secrets/users/alice.p12')))).toBe(true);
    for (const name of ['alice', 'bob']) expect(xml(withState(deferred, done), name).equals(xml(whole, name))).toBe(true);
  });

  it('a file missing at load is missing (the build issues it); one gone after loading: the profile says so', () => {
    const p12 = path.join(site, 'secrets/users/bob.p12');
    const bytes = fs.readFileSync(p12);
    try {
      fs.rmSync(p12);
      const atLoad = loadSiteUnchecked(site, undefined, { deferIdentities: true });
      expect(ikev2State(atLoad).users.get('bob')).not.toHaveProperty('p12Unread');
      expect(checkIkev2State(atLoad, ikev2State(atLoad)).map((p) => p.path)).toEqual(['secrets/users/bob.p12']);
      fs.writeFileSync(p12, bytes, { mode: 0o600 });
      const deferred = loadSiteUnchecked(site, undefined, { deferIdentities: true });
      fs.rmSync(p12);
      const done = completeIkev2State(ikev2State(deferred), siteFileReader(site), ['bob']);
      expect(() => xml(withState(deferred, done), 'bob')).toThrow('user "bob" has no certificate yet');
    } finally {
      fs.writeFileSync(p12, bytes, { mode: 0o600 });
    }
  });

  it('a symlink planted after loading is refused with the reader’s own error; at load, with the same one', () => {
    const p12 = path.join(site, 'secrets/users/carol.p12');
    const bytes = fs.readFileSync(p12);
    const other = path.join(tempDir('macvpn-deferred-other-'), 'x.p12');
    fs.writeFileSync(other, bytes, { mode: 0o600 });
    const message = `${p12} is not a plain file; refusing to read it`;
    try {
      const deferred = loadSiteUnchecked(site, undefined, { deferIdentities: true });
      fs.rmSync(p12);
      fs.symlinkSync(other, p12);
      expect(() => siteFileReader(site)('secrets/users/carol.p12')).toThrow(message);
      expect(() => completeIkev2State(ikev2State(deferred), siteFileReader(site), ['carol'])).toThrow(message);
      // At load (a command walks secrets/ first, src/io/trust.ts, once per process: not again here),
      // the check that the file is there refuses it as reading it would.
      expect(() => loadSiteUnchecked(site, undefined, { deferIdentities: true })).toThrow(message);
      expect(() => loadSiteUnchecked(site)).toThrow(message);
    } finally {
      fs.rmSync(p12, { force: true });
      fs.writeFileSync(p12, bytes, { mode: 0o600 });
    }
  });

  it('pickState gives a chunk its users’ part, as loaded (the threads get no user’s part with the job)', () => {
    const deferred = loadSiteUnchecked(site, undefined, { deferIdentities: true });
    const state = ikev2State(deferred);
    expect(pickIkev2State(state, []).users.size).toBe(0);
    const bob = pickIkev2State(state, ['bob', 'nobody']);
    expect([...bob.users.entries()]).toEqual([['bob', state.users.get('bob')]]);
    expect(bob.caCertPem).toBe(state.caCertPem);
    const done = completeIkev2State(bob, siteFileReader(site), ['bob']);
    const whole = loadSiteUnchecked(site);
    expect(xml(withState(deferred, done), 'bob').equals(xml(whole, 'bob'))).toBe(true);
    // The input hash a thread records (build --all) is the one the next build computes from the
    // whole state, or every later build would build every profile again to compare it.
    const user = whole.users.find((u) => u.name === 'bob')!;
    const key = Buffer.alloc(32, 1);
    expect(profileInputHasher(withState(deferred, done), 'v', 'signer', key)(user)).toBe(profileInputHasher(whole, 'v', 'signer', key)(user));
  });
});
