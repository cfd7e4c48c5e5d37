/** The fast SPKI / PKCS#8 encoders give node's own bytes, and the key–certificate match check works. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jwkPkcs8Der, jwkSpkiDer, keyIdOf, keyKind, pkcs8Der, pkcs8MatchesSpki, spkiDer, spkiKind } from '../../../../src/vpn/ikev2/pki/key-der.js';
import { keyIdentifier } from '../../../../src/signing/make-cert.js';
import { ecKey, rsaKey } from './fixtures.js';

const hex = (b: Uint8Array | Buffer) => Buffer.from(b).toString('hex');

describe.each([['ECDSA256', ecKey], ['RSA', rsaKey]] as const)('%s keys', (kind, make) => {
  const pairs = Array.from({ length: kind === 'RSA' ? 3 : 20 }, make);

  it('spkiDer equals node\'s spki export, from the public and from the private key', () => {
    for (const { publicKey, privateKey } of pairs) {
      const expected = hex(publicKey.export({ type: 'spki', format: 'der' }));
      expect(hex(spkiDer(publicKey))).toBe(expected);
      expect(hex(spkiDer(privateKey))).toBe(expected);
      expect(spkiKind(spkiDer(publicKey))).toBe(kind);
      expect(keyKind(publicKey)).toBe(kind);
    }
  });

  it('pkcs8Der equals node\'s pkcs8 export', () => {
    for (const { privateKey } of pairs) expect(hex(pkcs8Der(privateKey))).toBe(hex(privateKey.export({ type: 'pkcs8', format: 'der' })));
  });

  it('keyIdOf is RFC 5280 §4.2.1.2 method 1, as src/signing computes it', () => {
    const { publicKey } = pairs[0]!;
    expect(hex(keyIdOf(spkiDer(publicKey)))).toBe(hex(keyIdentifier(publicKey)));
  });

  it('pkcs8MatchesSpki tells the right key from another', () => {
    const [a, b] = [pairs[0]!, pairs[1]!];
    expect(pkcs8MatchesSpki(pkcs8Der(a.privateKey), spkiDer(a.publicKey))).toBe(true);
    expect(pkcs8MatchesSpki(pkcs8Der(a.privateKey), spkiDer(b.publicKey))).toBe(false);
  });
});

describe('key checks', () => {
  it('an EC key does not match an RSA SPKI', () => {
    expect(pkcs8MatchesSpki(pkcs8Der(ecKey().privateKey), spkiDer(rsaKey().publicKey))).toBe(false);
  });

  it('refuses other curves, short RSA, EdDSA and public keys for pkcs8Der', () => {
    for (const k of [generateKeyPairSync('ec', { namedCurve: 'secp384r1' }), generateKeyPairSync('rsa', { modulusLength: 1024 }), generateKeyPairSync('ed25519')]) {
      expect(() => keyKind(k.publicKey)).toThrow('unsupported key');
    }
    expect(() => pkcs8Der(ecKey().publicKey)).toThrow('needs a private key');
  });
});

describe('keys from their JWK (a new key straight from generateKeyPairSync)', () => {
  it.each([['ECDSA256', ecKey, 20], ['RSA', rsaKey, 3]] as const)('%s: jwkSpkiDer and jwkPkcs8Der equal node\'s spki and pkcs8 exports', (_kind, make, n) => {
    for (let i = 0; i < n; i++) {
      const { privateKey, publicKey } = make();
      const jwk = privateKey.export({ format: 'jwk' });
      expect(hex(jwkSpkiDer(jwk))).toBe(hex(publicKey.export({ type: 'spki', format: 'der' })));
      expect(hex(jwkSpkiDer(publicKey.export({ format: 'jwk' })))).toBe(hex(publicKey.export({ type: 'spki', format: 'der' })));
      expect(hex(jwkPkcs8Der(jwk))).toBe(hex(privateKey.export({ type: 'pkcs8', format: 'der' })));
    }
  });

  it('refuses a public JWK for PKCS#8 and other key types', () => {
    expect(() => jwkPkcs8Der(ecKey().publicKey.export({ format: 'jwk' }))).toThrow('needs a private key');
    expect(() => jwkSpkiDer(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ format: 'jwk' }))).toThrow('unsupported JWK');
    expect(() => jwkSpkiDer(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }))).toThrow('unsupported JWK');
  });
});
