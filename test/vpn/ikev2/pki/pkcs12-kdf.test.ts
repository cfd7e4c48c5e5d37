/**
 * The PKCS#12 KDF (RFC 7292 Appendix B.2) and its unrolled SHA-1 loop against independent
 * implementations: node:crypto's SHA-1 and node-forge's pkcs12.generateKey.
 */
import { createHash } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { bmpPassword, pkcs12Kdf, sha1Iterated } from '../../../../src/vpn/ikev2/pki/pkcs12-kdf.js';

function nativeIterated(data: Uint8Array, count: number): Buffer {
  let h = createHash('sha1').update(data).digest();
  for (let i = 1; i < count; i++) h = createHash('sha1').update(h).digest();
  return h;
}

/** forge's KDF takes the password as a JS string of UTF-16 code units and the salt as a ByteBuffer. */
function forgeKdf(password: string, salt: Uint8Array, iterations: number, id: number, n: number): string {
  const salted = forge.util.createBuffer(Buffer.from(salt).toString('binary'));
  return forge.util.bytesToHex(forge.pkcs12.generateKey(password, salted, id, iterations, n));
}

describe('sha1Iterated', () => {
  it.each([1, 2, 3, 17, 2048])('equals node:crypto SHA-1 applied %i times', (count) => {
    for (const len of [0, 20, 55, 64, 192]) {
      const data = Uint8Array.from({ length: len }, (_, i) => (i * 37 + count) & 0xff);
      expect(Buffer.from(sha1Iterated(data, count)).toString('hex')).toBe(nativeIterated(data, count).toString('hex'));
    }
  });

  it('refuses a count below 1', () => {
    expect(() => sha1Iterated(new Uint8Array(1), 0)).toThrow('iteration count');
  });
});

describe('pkcs12Kdf', () => {
  const salt = Buffer.from('0a58cf64530d823f', 'hex');

  it.each([
    [1, 24, 'key'], [2, 8, 'IV'], [3, 20, 'MAC key'], [1, 41, 'three blocks'],
  ] as const)('purpose %i, %i bytes (%s) equals node-forge', (id, n) => {
    for (const iterations of [1, 2, 2048]) {
      expect(Buffer.from(pkcs12Kdf(bmpPassword('smeg'), salt, iterations, id, n)).toString('hex')).toBe(forgeKdf('smeg', salt, iterations, id, n));
    }
  });

  it('long passwords and salts (several 64-byte blocks of I) and non-ASCII passwords', () => {
    const longSalt = Uint8Array.from({ length: 70 }, (_, i) => i);
    for (const pw of ['x'.repeat(100), 'pässwörd-€', 'a']) {
      expect(Buffer.from(pkcs12Kdf(bmpPassword(pw), longSalt, 5, 1, 24)).toString('hex')).toBe(forgeKdf(pw, longSalt, 5, 1, 24));
    }
  });

  it('encodes a password as a terminated big-endian BMPString (RFC 7292 B.1)', () => {
    expect(Buffer.from(bmpPassword('A€')).toString('hex')).toBe('004120ac0000');
  });
});
