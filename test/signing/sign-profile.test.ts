import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { signProfile } from '../../src/signing/sign-profile.js';
import { children, readAll, readOid } from '../../src/signing/der.js';
import { loadFixtureSigner, NOW, openssl, opensslVerify, PKI, SIGNING_TIME } from './pki.js';

const ROOT_CA = path.join(PKI, 'root.pem');
// Unicode and XML specials: the content must come back byte for byte (STYLE.md §2.8 item 9)
const CONTENT = new TextEncoder().encode('<?xml version="1.0"?>\n<plist><string>Hello ŠŽ 👻 A&amp;B &lt;Ops&gt; "x"</string></plist>\n');
const GOLDEN = path.join(ROOT, 'test/golden/signing/rsa-signed.der');

const cases = [
  { name: 'RSA-2048 under the root', signer: () => loadFixtureSigner('rsa') },
  { name: 'ECDSA P-256 under the root', signer: () => loadFixtureSigner('p256') },
  { name: 'ECDSA P-384 (SHA-256, no EKU)', signer: () => loadFixtureSigner('p384') },
  { name: 'RSA under an intermediate, verified against the root alone', signer: () => loadFixtureSigner('rsa-int', 'int.pem') },
];

describe('signProfile output passes openssl cms -verify', () => {
  for (const c of cases) {
    it(c.name, () => {
      const der = signProfile(CONTENT, c.signer(), SIGNING_TIME);
      for (const extra of [[], ['-purpose', 'any']]) {
        const r = opensslVerify(der, ROOT_CA, extra);
        expect(r.stderr).toContain('Verification successful');
        expect(r.status).toBe(0);
        expect(Buffer.compare(r.stdout, Buffer.from(CONTENT))).toBe(0);
      }
    });
  }

  it('fails in openssl when one content byte is flipped', () => {
    const der = Buffer.from(signProfile(CONTENT, loadFixtureSigner('rsa'), SIGNING_TIME));
    const at = der.indexOf(Buffer.from('Hello'));
    der[at] ^= 0x01;
    const r = opensslVerify(der, ROOT_CA);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/digest failure|verification failure/i);
  });

  it('needs -purpose any for a serverAuth-only signer (like Let\'s Encrypt), and passes with it', () => {
    const der = signProfile(CONTENT, loadFixtureSigner('server'), SIGNING_TIME);
    expect(opensslVerify(der, ROOT_CA).status).not.toBe(0);
    expect(opensslVerify(der, ROOT_CA, ['-purpose', 'any']).status).toBe(0);
  });
});

describe('signProfile encoding', () => {
  it('is canonical DER: openssl cms -cmsout re-encodes it byte for byte', () => {
    for (const c of cases) {
      const der = signProfile(CONTENT, c.signer(), SIGNING_TIME);
      const r = openssl(['cms', '-cmsout', '-inform', 'DER', '-outform', 'DER'], der);
      expect(r.status).toBe(0);
      expect(Buffer.compare(r.stdout, Buffer.from(der))).toBe(0);
    }
  });

  it('matches the golden DER from the test-only RSA key and a fixed signing time', () => {
    const der = Buffer.from(signProfile(CONTENT, loadFixtureSigner('rsa'), SIGNING_TIME));
    if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(GOLDEN, der);
    expect(der.equals(fs.readFileSync(GOLDEN))).toBe(true);
  });

  it('embeds the signer and chain certificates and sorted signed attributes', () => {
    const signer = loadFixtureSigner('rsa-int', 'int.pem');
    const der = signProfile(CONTENT, signer, SIGNING_TIME);
    const sd = children(children(children(readAll(der))[1]!)[0]!);
    const certs = children(sd[3]!).map((c) => Buffer.from(c.bytes));
    expect(certs).toHaveLength(2);
    expect(certs.some((c) => c.equals(signer.cert.raw))).toBe(true);
    expect(certs.some((c) => c.equals(signer.chain[0]!.raw))).toBe(true);
    const attrs = children(children(children(sd[4]!)[0]!)[3]!).map((a) => readOid(children(a)[0]!.value));
    expect(attrs).toEqual(['1.2.840.113549.1.9.3', '1.2.840.113549.1.9.5', '1.2.840.113549.1.9.4']);
    const dump = openssl(['cms', '-cmsout', '-print', '-inform', 'DER'], der).stdout.toString();
    expect(dump).toContain('UTCTIME:May  4 03:02:01 2026 GMT');
  });

  it('writes GeneralizedTime for signing times from 2050 (RFC 5652 §11.3)', () => {
    const der = signProfile(CONTENT, loadFixtureSigner('rsa'), new Date('2050-01-01T00:00:00Z'));
    expect(Buffer.from(der).includes(Buffer.from('20500101000000Z'))).toBe(true);
  });

  it('leaves the signer untouched between calls (constant parts cached per signer)', () => {
    const s = loadFixtureSigner('rsa');
    const a = signProfile(CONTENT, s, SIGNING_TIME);
    const b = signProfile(new TextEncoder().encode('other'), s, SIGNING_TIME);
    expect(Buffer.from(signProfile(CONTENT, s, SIGNING_TIME)).equals(Buffer.from(a))).toBe(true);
    expect(opensslVerify(b, ROOT_CA).stdout.toString()).toBe('other');
    void NOW;
  });
});
