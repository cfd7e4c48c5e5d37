/**
 * The PKCS#12 key derivation (RFC 7292 Appendix B.2) with SHA-1, as the legacy PKCS#12 form Apple's
 * keychain imports requires (docs/iked.md §4 item 7). Node has no binding for it (OpenSSL's
 * PKCS12_key_gen is not exposed), and its cost is r SHA-1 runs per 20 output bytes: at the usual
 * r = 2048 one PKCS#12 needs 7 × 2048 of them. One native hash call per run costs ~0.5 µs of
 * call overhead alone, so after the first, native, hash of D‖I the iterations run in the unrolled
 * single-block SHA-1 of sha1-iterate.ts (~80 ns per step on the dev box, ~0.16 ms per 2,048).
 */
import { createHash } from 'node:crypto';
import { sha1Iterate } from './sha1-iterate.js';

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

/**
 * RFC 7292 B.2: `length` bytes of key material for `purpose` from a BMP password (bmpPassword),
 * the salt and the iteration count.
 */
export function pkcs12Kdf(bmp: Uint8Array, salt: Uint8Array, iterations: number, purpose: KdfPurpose, length: number): Uint8Array {
  const I = new Uint8Array([...fill(salt), ...fill(bmp)]);
  const DI = new Uint8Array(V + I.length);
  DI.fill(purpose, 0, V); // step 1: D = ID repeated to 64 bytes
  const out = new Uint8Array(Math.ceil(length / U) * U);
  for (let i = 0; i * U < length; i++) {
    DI.set(I, V);
    const A = sha1Iterated(DI, iterations);
    out.set(A, i * U);
    if ((i + 1) * U >= length) break;
    // Step 6(b)-(c): I_j = (I_j + B + 1) mod 2^512 for each 64-byte block, B = A repeated.
    for (let j = 0; j < I.length; j += V) {
      let carry = 1;
      for (let k = V - 1; k >= 0; k--) {
        const sum = I[j + k]! + A[k % U]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return out.subarray(0, length);
}
