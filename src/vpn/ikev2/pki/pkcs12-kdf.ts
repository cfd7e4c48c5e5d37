/**
 * The PKCS#12 key derivation (RFC 7292 Appendix B.2) with SHA-1, as the legacy PKCS#12 form Apple's
 * keychain imports requires (docs/iked.md §4 item 7). Node has no binding for it (OpenSSL's
 * PKCS12_key_gen is not exposed), and its cost is r SHA-1 runs per 20 output bytes: at the usual
 * r = 2048 one PKCS#12 needs 7 × 2048 of them. One native hash call per run costs ~0.5 µs of
 * call overhead alone, so after the first, native, hash of D‖I the iterations run in the unrolled
 * single-block SHA-1 of sha1-iterate.ts (~75 ns per step on the dev box, ~0.15 ms per 2,048), or
 * four chains at a time in sha1-iterate-x4.ts (~0.07 ms per chain of 2,048) when many
 * derivations are asked for at once (pkcs12KdfMany: the identities of a chunk of users).
 */
import { createHash } from 'node:crypto';
import { sha1Iterate } from './sha1-iterate.js';
import { sha1IterateMany } from './sha1-iterate-x4.js';

/** The purposes of RFC 7292 B.3: ID 1 = key, 2 = IV, 3 = MAC key. */
export type KdfPurpose = 1 | 2 | 3;

/** RFC 7292 B.1: a password is a BMPString, big-endian UTF-16 with a terminating 00 00. */
export function bmpPassword(password: string): Uint8Array {
  const out = new Uint8Array(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i); // UTF-16 code units: astral characters as surrogate pairs, as OpenSSL's OPENSSL_utf82uni
    out[2 * i] = c >> 8;
    out[2 * i + 1] = c & 0xff;
  }
  return out;
}

const H = new Int32Array(5);

/** SHA-1 applied `count` (≥ 1) times to `data`: the H^r of RFC 7292 B.2 step 6(a). */
export function sha1Iterated(data: Uint8Array, count: number): Uint8Array {
  if (!Number.isInteger(count) || count < 1) throw new RangeError('iteration count must be a positive integer');
  const first = createHash('sha1').update(data).digest();
  for (let i = 0; i < 5; i++) H[i] = first.readInt32BE(4 * i);
  sha1Iterate(H, count - 1);
  const out = new Uint8Array(20);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 5; i++) view.setInt32(4 * i, H[i]!);
  return out;
}

const V = 64; // SHA-1 block size in bytes (v in RFC 7292 B.2)
const U = 20; // SHA-1 output size (u)

/** Repeats `b` to fill a multiple of 64 bytes ⌈len/64⌉·64 long (RFC 7292 B.2 steps 2–3); empty stays empty. */
function fill(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(V * Math.ceil(b.length / V));
  for (let i = 0; i < out.length; i++) out[i] = b[i % b.length]!;
  return out;
}

/** One derivation of {@link pkcs12KdfMany}. */
export interface KdfRequest {
  /** The password as bmpPassword gives it. */
  bmp: Uint8Array;
  salt: Uint8Array;
  iterations: number;
  purpose: KdfPurpose;
  length: number;
}

/** Adds B + 1 to each 64-byte block of I, mod 2^512, B = A repeated (RFC 7292 B.2 steps 6(b)-(c)). */
function nextI(I: Uint8Array, A: Uint8Array): void {
  for (let j = 0; j < I.length; j += V) {
    let carry = 1;
    for (let k = V - 1; k >= 0; k--) {
      const sum = I[j + k]! + A[k % U]! + carry;
      I[j + k] = sum & 0xff;
      carry = sum >> 8;
    }
  }
}

/**
 * RFC 7292 B.2 for many derivations at once: each 20-byte block of each one is a chain of SHA-1
 * runs, independent of the other derivations' chains, so the chains of one step go through
 * sha1-iterate-x4.ts four at a time (a derivation's second block depends on its first, so blocks
 * go in steps). The outputs are those of {@link pkcs12Kdf}, in request order.
 */
export function pkcs12KdfMany(requests: readonly KdfRequest[]): Uint8Array[] {
  const runs = requests.map((r) => {
    if (!Number.isInteger(r.iterations) || r.iterations < 1) throw new RangeError('iteration count must be a positive integer');
    const I = new Uint8Array([...fill(r.salt), ...fill(r.bmp)]);
    const DI = new Uint8Array(V + I.length);
    DI.fill(r.purpose, 0, V); // step 1: D = ID repeated to 64 bytes
    return { r, I, DI, blocks: Math.ceil(r.length / U), out: new Uint8Array(Math.ceil(r.length / U) * U) };
  });
  for (let block = 0; ; block++) {
    const active = runs.filter((x) => block < x.blocks);
    if (active.length === 0) break;
    // The first hash of D‖I natively, the other iterations - 1 in the chains, grouped by count.
    for (const iterations of new Set(active.map((x) => x.r.iterations))) {
      const group = active.filter((x) => x.r.iterations === iterations);
      const states = new Int32Array(5 * group.length);
      group.forEach((x, j) => {
        x.DI.set(x.I, V);
        const first = createHash('sha1').update(x.DI).digest();
        for (let i = 0; i < 5; i++) states[5 * j + i] = first.readInt32BE(4 * i);
      });
      sha1IterateMany(states, iterations - 1);
      group.forEach((x, j) => {
        const A = new Uint8Array(U);
        const view = new DataView(A.buffer);
        for (let i = 0; i < 5; i++) view.setInt32(4 * i, states[5 * j + i]!);
        x.out.set(A, block * U);
        if (block + 1 < x.blocks) nextI(x.I, A);
      });
    }
  }
  return runs.map((x) => x.out.subarray(0, x.r.length));
}

/**
 * RFC 7292 B.2: `length` bytes of key material for `purpose` from a BMP password (bmpPassword),
 * the salt and the iteration count.
 */
export function pkcs12Kdf(bmp: Uint8Array, salt: Uint8Array, iterations: number, purpose: KdfPurpose, length: number): Uint8Array {
  return pkcs12KdfMany([{ bmp, salt, iterations, purpose, length }])[0]!;
}
