/**
 * Issue 12: serializePlist writes exactly the bytes of `plist.build` (the package DESIGN.md §5
 * names) on every profile shape macvpn makes (L2TP with and without password and DNS, IKEv2
 * certificate and EAP, On Demand rules) and on the value types and escapes a plist can hold.
 */
import { describe, expect, it } from 'vitest';
import { build } from 'plist';
import { buildProfile } from '../../src/apple/build-profile.js';
import { serializePlist } from '../../src/apple/serialize-plist.js';
import type { PlistObject } from '../../src/apple/plist-types.js';
import { fixtureSite } from '../helpers/site-fixture.js';
import { ikev2Site } from '../vpn/ikev2/fixture.js';

const hostile = { organization: 'A&B <Ops> "x" \'y\' ]]> é 😀 \r\n\t' };
const sites = {
  'l2tp': fixtureSite(),
  'l2tp without dns': fixtureSite({ dns: [] }),
  'l2tp hostile': fixtureSite(hostile, { alice: 'p<a&s>s"w\'d\r', bob: 'ünï😀&amp;' }),
  'ikev2 certificate, on demand': ikev2Site({ auth: 'certificate', suite: 'gcm', onDemand: { enabled: true, trustedWifi: ['Office', 'Café <5G> & "guest"'] } }),
  'ikev2 eap': ikev2Site({ auth: 'eap', suite: 'cbc', onDemand: { enabled: false, trustedWifi: [] } }),
  'ikev2 eap, on demand, no dns': { ...ikev2Site({ auth: 'eap', suite: 'gcm', onDemand: { enabled: true, trustedWifi: [] } }), dns: [] },
};

describe('serializePlist is byte-equal to plist.build', () => {
  for (const [name, site] of Object.entries(sites)) {
    for (const includePassword of [true, false]) {
      for (const scope of ['System', 'User'] as const) {
        it(`${name}, password ${includePassword}, scope ${scope}`, () => {
          for (const user of site.users) {
            const profile = buildProfile(site, user, { includePassword, scope });
            expect(serializePlist(profile)).toBe(build(profile));
          }
        });
      }
    }
  }
  it('every value type, empty containers, nesting and escaping', () => {
    const all: PlistObject = {
      s: 'plain', empty: '', esc: '<&>"\'\r\n\t]]>', uni: 'é中😀\u2028', int: 1, zero: 0, neg: -42, big: 2 ** 53, real: 1.5, tiny: 1e-7, huge: 1e21,
      yes: true, no: false, data: Buffer.from([0, 1, 2, 250, 255]), noData: Buffer.alloc(0), u8: new Uint8Array([104, 105]) as Buffer,
      when: new Date('2026-06-01T12:34:56.789Z'), list: [], dict: {}, nested: [[[]], [{}], [{ a: [1, 'x', { b: true }] }]],
      'key <&>': 'k', '': 'empty key',
    };
    expect(serializePlist(all)).toBe(build(all));
    expect(serializePlist(['top', 1])).toBe(build(['top', 1]));
    const withHoles = { a: 1, b: undefined, c: null, d: 'x' } as unknown as PlistObject;
    expect(serializePlist(withHoles)).toBe(build(withHoles));
  });
  it('refuses what XML cannot hold, as plist.build does', () => {
    expect(() => build({ a: 'x\u0001' })).toThrow();
    expect(() => serializePlist({ a: 'x\u0001' })).toThrow(RangeError);
    expect(() => serializePlist({ a: '\uD800' })).toThrow(RangeError);
  });
  it('refuses an illegal key every time: the lines kept per thread keep none', () => {
    for (let i = 0; i < 3; i++) expect(() => serializePlist({ ok: 1, 'bad\u0001key': 2 })).toThrow(RangeError);
    expect(() => build({ 'bad\u0001key': 2 })).toThrow();
  });
  it('the same key at other depths, and more distinct keys than the kept lines hold', () => {
    const nested: PlistObject = { k: { k: { k: [{ k: true }, [false, { k: {} }]] } } };
    expect(serializePlist(nested)).toBe(build(nested));
    const many: PlistObject = Object.fromEntries(Array.from({ length: 6000 }, (_, i) => [`key${i} <&>`, i % 2 === 0 ? { [`in${i}`]: [true] } : `v${i}`]));
    expect(serializePlist(many)).toBe(build(many));
    expect(serializePlist(many)).toBe(build(many));
  });
});
