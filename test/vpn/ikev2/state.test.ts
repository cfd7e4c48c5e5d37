/**
 * The IKEv2 state as loaded: each user's PKCS#12 byte for byte (since issue 12 a build posts each
 * chunk its own users' part of the state, VpnType.pickState, so the bytes are no longer gathered
 * into one SharedArrayBuffer for every thread to share), and their certificate files as bytes
 * (UserIdentity.cert); pemDer, on text and on bytes.
 */
import { describe, expect, it } from 'vitest';
import { ikev2State, pemDer } from '../../../src/vpn/ikev2/state.js';
import { ikev2StateFiles } from '../../../src/vpn/ikev2/issue.js';
import { ikev2Site, fixtureTools } from './fixture.js';

describe('the IKEv2 state as loaded', () => {
  it('holds the users’ PKCS#12 and certificate files, byte for byte', () => {
    const site = ikev2Site({}, [{ name: 'alice' }, { name: 'bob' }, { name: 'carol' }]);
    const ids = [...ikev2State(site).users.entries()];
    expect(ids.map(([n]) => n)).toEqual(['alice', 'bob', 'carol']);
    const { files } = ikev2StateFiles({ before: undefined, after: site, passwords: site.secrets.passwords, rotated: [] }, fixtureTools());
    for (const [name, id] of ids) {
      // PKCS#12 PFX: a DER SEQUENCE (RFC 7292 §4).
      expect(id.p12![0]).toBe(0x30);
      expect(Buffer.from(id.p12!).equals(Buffer.from(files.find((f) => f.path === `secrets/users/${name}.p12`)!.contents as Uint8Array))).toBe(true);
      // Bytes, not text (state.ts: 5,000 strings kept for a whole build grew its young generation).
      expect(id.cert).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(id.cert!).equals(Buffer.from(files.find((f) => f.path === `pki/users/${name}.pem`)!.contents))).toBe(true);
    }
  });
});

describe('pemDer', () => {
  // The lazy RegExp pemDer used until issue 12 replaced it with indexOf: the same block, or none.
  const byRegExp = (text: string, label = 'CERTIFICATE') => {
    const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(text);
    return m ? Buffer.from(m[1]!, 'base64') : undefined;
  };
  const block = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
  const texts: Array<[string, string?]> = [
    [block('CERTIFICATE', 'MIIBAA==')],
    [`junk\n${block('CERTIFICATE', 'AAEC')}${block('CERTIFICATE', 'AwQF')}`],
    [`${block('PRIVATE KEY', 'BgcI')}${block('CERTIFICATE', 'CQoL')}`],
    [`${block('PRIVATE KEY', 'BgcI')}${block('CERTIFICATE', 'CQoL')}`, 'PRIVATE KEY'],
    [block('X509 CRL', 'DA0O'), 'X509 CRL'],
    ['-----BEGIN CERTIFICATE-----\nAAEC\n'],
    [`-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nAAEC\n`],
    [`-----END CERTIFICATE-----\n${block('CERTIFICATE', 'AwQF')}`],
    ['-----BEGIN CERTIFICATE----------END CERTIFICATE-----'],
    [block('PRIVATE KEY', 'BgcI')],
  ];
  it('takes the block the lazy RegExp took, and throws where it found none', () => {
    for (const [text, label] of texts) {
      const want = byRegExp(text, label);
      if (want === undefined) expect(() => pemDer(text, label), text).toThrow(RangeError);
      else expect(Buffer.from(pemDer(text, label)).equals(want), text).toBe(true);
    }
  });
  it('reads the same block from the bytes of the text, also from a view into a larger buffer', () => {
    for (const [text, label] of texts) {
      const bytes = Buffer.from(text, 'latin1');
      // Other PEM blocks before and after the view: pemDer must look inside it only.
      const before = Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
      const outer = Buffer.concat([before, bytes, Buffer.from('\n-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n')]);
      const view = new Uint8Array(outer.buffer, outer.byteOffset + before.length, bytes.length);
      expect(Buffer.from(view).equals(bytes)).toBe(true);
      const want = byRegExp(text, label);
      for (const b of [bytes, view]) {
        if (want === undefined) expect(() => pemDer(b, label), text).toThrow(RangeError);
        else expect(Buffer.from(pemDer(b, label)).equals(want), text).toBe(true);
      }
    }
  });
});
