/**
 * The PKCS#12 KDF (RFC 7292 Appendix B.2) and its unrolled SHA-1 loop against independent
 * implementations: node:crypto's SHA-1 and node-forge's pkcs12.generateKey.
 */
import { createHash } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { bmpPassword, pkcs12Kdf, pkcs12KdfMany, sha1Iterated } from '../../../../src/vpn/ikev2/pki/pkcs12-kdf.js';
import { sha1IterateMany, sha1SimdAvailable } from '../../../../src/vpn/ikev2/pki/sha1-iterate-x4.js';

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

describe('sha1IterateMany (four chains per WebAssembly SIMD pass)', () => {
  const seeds = (n: number) => Array.from({ length: n }, (_, j) => createHash('sha1').update(`seed-${n}-${j}`).digest());
  const words = (bufs: Buffer[]) => {
    const s = new Int32Array(5 * bufs.length);
    bufs.forEach((b, j) => { for (let i = 0; i < 5; i++) s[5 * j + i] = b.readInt32BE(4 * i); });
    return s;
  };
  const bytes = (s: Int32Array, j: number) => {
    const out = Buffer.alloc(20);
    for (let i = 0; i < 5; i++) out.writeInt32BE(s[5 * j + i]!, 4 * i);
    return out.toString('hex');
  };

  it('compiles here (x86-64 with SSE4.1, as Node 20 on any 2026 machine): the lanes are really used', () => {
    expect(sha1SimdAvailable()).toBe(true);
  });

  it.each([1, 2, 3, 4, 5, 8, 9])('%i chains: each equals node:crypto SHA-1 applied 0, 1 and 300 more times', (n) => {
    for (const rounds of [0, 1, 300]) {
      const s = seeds(n);
      const states = words(s);
      sha1IterateMany(states, rounds);
      s.forEach((b, j) => expect(bytes(states, j)).toBe((rounds === 0 ? b : nativeIterated(b, rounds)).toString('hex')));
    }
  });
});

describe('pkcs12KdfMany', () => {
  it('gives each derivation what pkcs12Kdf gives it alone (mixed purposes, lengths, salts, counts)', () => {
    const requests = Array.from({ length: 11 }, (_, i) => ({
      bmp: bmpPassword(`pw-${i % 3}-éß`),
      salt: Uint8Array.from({ length: 8 + (i % 3) * 4 }, (_, k) => (k * 13 + i) & 0xff),
      iterations: [1, 2, 2048][i % 3]!,
      purpose: ((i % 3) + 1) as 1 | 2 | 3,
      length: [24, 8, 20, 45][i % 4]!,
    }));
    const many = pkcs12KdfMany(requests).map((b) => Buffer.from(b).toString('hex'));
    expect(many).toEqual(requests.map((r) => Buffer.from(pkcs12Kdf(r.bmp, r.salt, r.iterations, r.purpose, r.length)).toString('hex')));
    // and what node-forge derives, for the 2,048-iteration ones
    requests.forEach((r, i) => {
      if (r.iterations === 2048) expect(many[i]).toBe(forgeKdf(`pw-${i % 3}-éß`, r.salt, 2048, r.purpose, r.length));
    });
  });
});
