/**
 * The incremental build skips a profile, unbuilt, when its input hash is the last build's
 * (src/plan/profile-inputs.ts). That is only sound if every change that changes a profile's XML
 * changes the hash: each case below changes one thing (a setting, the user's entry, a secret, a
 * piece of the VPN type's state) and requires exactly that. The converse (a changed hash with the
 * same XML) only costs a build and a comparison, and is allowed.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildProfileXml } from '../../src/apple/build-profile.js';
import { profileInputHasher } from '../../src/plan/profile-inputs.js';
import { vpnTypeOf } from '../../src/vpn/index.js';
import type { Site, User } from '../../src/site/types.js';
import { ikev2State, type Ikev2State } from '../../src/vpn/ikev2/state.js';
import { fixtureSite } from '../helpers/site-fixture.js';
import { ikev2Site } from '../vpn/ikev2/fixture.js';

const xml = (site: Site, user: User) => Buffer.from(buildProfileXml(site, user, { includePassword: true, scope: 'System' })).toString('utf8');
const KEY = Buffer.alloc(32, 7);
const hash = (site: Site, user: User, version = 'v1', signer = 'signer-1', key: Uint8Array = KEY) => profileInputHasher(site, version, signer, key)(user);

type Change = [string, (s: Site) => Site];

function expectHashFollowsXml(base: Site, name: string, changes: Change[]): void {
  const user = base.users.find((u) => u.name === name)!;
  for (const [what, change] of changes) {
    const after = change(structuredClone(base));
    const afterUser = after.users.find((u) => u.name === name)!;
    const xmlChanged = xml(after, afterUser) !== xml(base, user);
    expect(xmlChanged, `${what}: the case must change the profile`).toBe(true);
    expect(hash(after, afterUser), `${what} changes the XML, so it must change the input hash`).not.toBe(hash(base, user));
  }
}

const withUser = (s: Site, name: string, f: (u: User) => User): Site => ({ ...s, users: s.users.map((u) => (u.name === name ? f(u) : u)) });
const withPassword = (s: Site, name: string, pw: string): Site => ({ ...s, secrets: { ...s.secrets, passwords: new Map([...s.secrets.passwords, [name, pw]]) } });

describe('the input hash of a profile', () => {
  it('is the same for the same inputs, and differs for another code version or signer', () => {
    const site = fixtureSite();
    const alice = site.users[0]!;
    expect(hash(structuredClone(site), structuredClone(alice))).toBe(hash(site, alice));
    expect(hash(site, alice, 'v2')).not.toBe(hash(site, alice));
    expect(hash(site, alice, 'v1', 'signer-2')).not.toBe(hash(site, alice));
    expect(hash(site, site.users[1]!)).not.toBe(hash(site, alice));
  });

  it('is keyed: another delivery key gives another hash, and none is a plain SHA-256 of the inputs', () => {
    const site = fixtureSite();
    const alice = site.users[0]!;
    expect(hash(site, alice, 'v1', 'signer-1', Buffer.alloc(32, 8))).not.toBe(hash(site, alice));
    // What a reader of .macvpn-build.json without the key could compute from a guessed password:
    // the same framing as profile-inputs.ts, unkeyed.
    const { users: _u, secrets: _s, ...settings } = site;
    const siteKey = createHash('sha256').update('v1').update('\0').update('signer-1').update('\0').update(JSON.stringify(settings)).digest();
    const plain = createHash('sha256').update(siteKey).update(JSON.stringify([alice, site.secrets.passwords.get('alice') ?? null]));
    for (const v of vpnTypeOf(site).profileInputs(site, alice)) {
      if (v === undefined) plain.update('\0n');
      else if (typeof v === 'string') plain.update(`\0s${Buffer.byteLength(v, 'utf8')}:`).update(v, 'utf8');
      else plain.update(`\0b${v.length}:`).update(v);
    }
    expect(hash(site, alice)).not.toBe(plain.digest('hex').slice(0, 32));
  });

  it('L2TP: changes with every setting, user field and secret the profile carries', () => {
    const base = fixtureSite();
    expectHashFollowsXml(base, 'alice', [
      ['server', (s) => ({ ...s, server: 'vpn2.example.com' })],
      ['organization', (s) => ({ ...s, organization: 'Other Corp' })],
      ['identifier', (s) => ({ ...s, identifier: 'com.example.other' })],
      ['dns', (s) => ({ ...s, dns: ['10.0.0.2'] })],
      ['password', (s) => withPassword(s, 'alice', 'Another-Passw0rd-99')],
      ['psk', (s) => ({ ...s, secrets: { ...s.secrets, vpn: { psk: 'Another-PSK-0123456789abcdef' } } })],
    ]);
  });

  it('IKEv2: changes with the CA, the user certificate, the PKCS#12 and the settings', () => {
    const base = ikev2Site();
    const state = (s: Site) => ikev2State(s) as Ikev2State;
    const withIdentity = (s: Site, f: (id: { cert?: Uint8Array; p12?: Uint8Array }) => { cert?: Uint8Array; p12?: Uint8Array }): Site => {
      const st = state(s);
      const users = new Map(st.users);
      users.set('alice', f(users.get('alice')!));
      return { ...s, secrets: { ...s.secrets, vpn: { ...st, users } } };
    };
    // Another CA: the same test keys a month later (another validity, hence other bytes).
    const other = ikev2Site({}, undefined, new Date('2026-07-01T00:00:00Z'));
    expectHashFollowsXml(base, 'alice', [
      ['server', (s) => ({ ...s, server: 'vpn2.example.com' })],
      ['suite', (s) => ({ ...s, vpnSettings: { ...s.vpnSettings, suite: 'cbc' } })],
      ['on demand', (s) => ({ ...s, vpnSettings: { ...s.vpnSettings, onDemand: { enabled: true, trustedWifi: [] } } })],
      ['password (PKCS#12 password)', (s) => withPassword(s, 'alice', 'Another-Passw0rd-99')],
      ['PKCS#12', (s) => withIdentity(s, (id) => ({ ...id, p12: Uint8Array.from([...id.p12!].reverse()) }))],
      ['CA certificate', (s) => ({ ...s, secrets: { ...s.secrets, vpn: { ...state(s), caCertPem: state(other).caCertPem } } })],
    ]);
    // A certificate that changes only what the profile does not show still changes the hash.
    const renewed = withIdentity(structuredClone(base), (id) => ({ ...id, cert: Buffer.from(Buffer.from(id.cert!).toString('latin1').replace(/\n-----END/, 'A\n-----END'), 'latin1') }));
    expect(hash(renewed, renewed.users[0]!)).not.toBe(hash(base, base.users[0]!));
  });

  it('changes when the user entry changes (a disabled user’s profile says so)', () => {
    const base = fixtureSite();
    const alice = base.users[0]!;
    const paused = withUser(base, 'alice', (u) => ({ ...u, disabled: true }));
    expect(hash(paused, paused.users[0]!)).not.toBe(hash(base, alice));
    const mailed = withUser(base, 'alice', (u) => ({ ...u, email: 'alice@example.com' }));
    expect(hash(mailed, mailed.users[0]!)).not.toBe(hash(base, alice));
  });
});
