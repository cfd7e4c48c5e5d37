/**
 * sha1-iterate.ts four at a time: H ← SHA-1(H) on four independent 20-byte states at once, one
 * per 32-bit lane of WebAssembly's 128-bit SIMD (i32x4; in V8 and Node 16.4+ by default). The
 * PKCS#12 KDF runs it 2,048 times per 20 derived bytes, and one identity needs four such runs,
 * three of them independent: a chunk of identities fills the lanes. The module is written
 * here, opcode by opcode (WebAssembly core spec §5.4 and the SIMD proposal's opcode table), so
 * that no binary is checked in; the same renamed-variable rounds as sha1-iterate.ts (FIPS 180-4
 * §6.1.2, one padded block: W5 = 0x80000000, W6–W14 = 0, W15 = 160). Where SIMD cannot be
 * compiled (no SSE4.1 on x86), every state goes through sha1-iterate.ts instead.
 * Checked against node:crypto in test/vpn/ikev2/pki/pkcs12-kdf.test.ts.
 */
import { sha1Iterate } from './sha1-iterate.js';

const IV = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0];
const K = [0x5a827999, 0x6ed9eba1, 0x8f1bbcdc | 0, 0xca62c1d6 | 0];

/** Unsigned LEB128 (spec §5.2.2). */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const name = (s: string) => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

// Locals: 0 = ptr, 1 = rounds (i32 parameters); then v128: h0–h4, a–e, w0–w15, x.
const H = (i: number) => 2 + i;
const A = (i: number) => 7 + i;
const W = (i: number) => 12 + i;
const V128_LOCALS = 5 + 5 + 16 + 1;

const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const tee = (i: number) => [0x22, i];
const simd = (op: number) => [0xfd, ...leb(op)];
const i32 = (n: number) => [0x41, n]; // i32.const, 0 ≤ n < 64 (one-byte signed LEB128)
const splat = (n: number) => [...simd(0x0c), ...Array.from({ length: 4 }, () => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]).flat()]; // v128.const
const AND = simd(0x4e), OR = simd(0x50), XOR = simd(0x51), BITSELECT = simd(0x52), SHL = simd(0xab), SHR_U = simd(0xad), ADD = simd(0xae);
const rotl = (local: number, n: number) => [...get(local), ...i32(n), ...SHL, ...get(local), ...i32(32 - n), ...SHR_U, ...OR];

/** The body of `iter(ptr, rounds)`: the five words of four states at ptr, lane k = state k. */
function body(): number[] {
  const code: number[] = [];
  for (let i = 0; i < 5; i++) code.push(...get(0), ...simd(0x00), 4, ...leb(16 * i), ...set(H(i))); // v128.load align 16
  code.push(0x02, 0x40, 0x03, 0x40); // block, loop
  code.push(...get(1), 0x45, 0x0d, 1); // rounds == 0: br_if 1 (out of the block)
  for (let i = 0; i < 5; i++) code.push(...get(H(i)), ...set(W(i)), ...splat(IV[i]!), ...set(A(i)));
  code.push(...splat(0x80000000 | 0), ...set(W(5)));
  for (let i = 6; i < 15; i++) code.push(...splat(0), ...set(W(i)));
  code.push(...splat(160), ...set(W(15)));
  let [a, b, c, d, e] = [A(0), A(1), A(2), A(3), A(4)];
  for (let t = 0; t < 80; t++) {
    const s = t % 16;
    code.push(...rotl(a, 5));
    if (t < 20) code.push(...get(c), ...get(d), ...get(b), ...BITSELECT); // Ch = b ? c : d
    else if (t >= 40 && t < 60) code.push(...get(d), ...get(b), ...get(b), ...get(c), ...XOR, ...BITSELECT); // Maj = b≠c ? d : b
    else code.push(...get(b), ...get(c), ...XOR, ...get(d), ...XOR); // Parity
    code.push(...ADD, ...get(e), ...ADD, ...splat(K[Math.floor(t / 20)]!), ...ADD);
    if (t >= 16) {
      code.push(...get(W((t - 3) % 16)), ...get(W((t - 8) % 16)), ...XOR, ...get(W((t - 14) % 16)), ...XOR, ...get(W(s)), ...XOR, ...set(V128_X));
      code.push(...rotl(V128_X, 1), ...tee(W(s)));
    } else code.push(...get(W(s)));
    code.push(...ADD, ...set(e), ...rotl(b, 30), ...set(b));
    [a, b, c, d, e] = [e, a, b, c, d];
  }
  [a, b, c, d, e].forEach((v, i) => code.push(...get(v), ...splat(IV[i]!), ...ADD, ...set(H(i))));
  code.push(...get(1), ...i32(1), 0x6b, ...set(1), 0x0c, 0); // rounds -= 1; br 0 (loop)
  code.push(0x0b, 0x0b); // end loop, end block
  for (let i = 0; i < 5; i++) code.push(...get(0), ...get(H(i)), ...simd(0x0b), 4, ...leb(16 * i)); // v128.store
  code.push(0x0b);
  return code;
}
const V128_X = 2 + V128_LOCALS - 1;

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const fn = [...vec([[...leb(V128_LOCALS), 0x7b]]), ...body()];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[0x7f], [0x7f]]), ...vec([])]])), // (func (param i32 i32))
    ...section(3, vec([[0]])),
    ...section(5, vec([[0x00, 1]])), // one 64 KiB page
    ...section(7, vec([[...name('iter'), 0x00, 0], [...name('mem'), 0x02, 0]])),
    ...section(10, vec([[...leb(fn.length), ...fn]])),
  ]);
}

interface X4 {
  iter: (ptr: number, rounds: number) => void;
  words: Int32Array;
}
let x4: X4 | null | undefined;

function load(): X4 | null {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()));
    const { iter, mem } = instance.exports as { iter: X4['iter']; mem: WebAssembly.Memory };
    return { iter, words: new Int32Array(mem.buffer, 0, 20) };
  } catch {
    return null; // no SIMD here: the scalar loop does every state
  }
}

/**
 * Replaces each of the states in `states` (five big-endian words as signed 32-bit integers,
 * state j at 5j) with SHA-1 applied `rounds` more times, four states per pass.
 */
export function sha1IterateMany(states: Int32Array, rounds: number): void {
  const count = states.length / 5;
  if (x4 === undefined) x4 = load();
  let j = 0;
  if (x4) {
    const { iter, words } = x4;
    for (; j + 1 < count; j += 4) {
      const lanes = Math.min(4, count - j);
      for (let k = 0; k < lanes; k++) for (let i = 0; i < 5; i++) words[4 * i + k] = states[5 * (j + k) + i]!;
      iter(0, rounds);
      for (let k = 0; k < lanes; k++) for (let i = 0; i < 5; i++) states[5 * (j + k) + i] = words[4 * i + k]!;
    }
  }
  // A last lone state (or all of them without SIMD) costs no more in the scalar loop.
  const h = new Int32Array(5);
  for (; j < count; j++) {
    h.set(states.subarray(5 * j, 5 * j + 5));
    sha1Iterate(h, rounds);
    states.set(h, 5 * j);
  }
}

/** Whether the SIMD module compiled here (for tests and the bench note). */
export function sha1SimdAvailable(): boolean {
  if (x4 === undefined) x4 = load();
  return x4 !== null;
}
