/**
 * A small DER encoder and a tolerant BER/DER reader (X.690), enough for CMS SignedData and X.509.
 * Hand-written instead of node-forge's asn1 so that signing loads no dependency
 * (docs/performance.md §1.4 (b): the whole structure costs ~40 µs).
 */

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The length octets of X.690 §8.1.3 (short form below 128, else long form). */
function lengthBytes(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/**
 * One TLV with a single-byte tag (all tags used here are < 31), written in one allocation: a
 * certificate or PKCS#12 nests a dozen levels, and each level used to copy its content twice.
 */
export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of content) n += c.length;
  const long = n < 0x80 ? undefined : lengthBytes(n);
  let o = long ? 1 + long.length : 2;
  const out = new Uint8Array(o + n);
  out[0] = tag;
  if (long) out.set(long, 1);
  else out[1] = n;
  for (const c of content) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export const seq = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);
export const octets = (b: Uint8Array): Uint8Array => tlv(0x04, b);
export const NULL = Uint8Array.of(0x05, 0x00);
/** [n] EXPLICIT (constructed, context-specific). */
export const explicit = (n: number, ...items: Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...items);

/** X.690 §11.6: SET OF elements are ordered by their encodings, shorter padded with zeros. */
export function compareDer(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** A DER SET OF (tag 0x31, or another tag such as [0] IMPLICIT 0xa0), sorted. */
export function setOf(items: readonly Uint8Array[], tag = 0x31): Uint8Array {
  return tlv(tag, ...[...items].sort(compareDer));
}

const OIDS = new Map<string, Uint8Array>();

/** An OBJECT IDENTIFIER's encoding (X.690 §8.19), kept per string: the same few dozen recur in every structure. The result is shared: do not write into it. */
export function oid(dotted: string): Uint8Array {
  let der = OIDS.get(dotted);
  if (!der) OIDS.set(dotted, (der = encodeOid(dotted)));
  return der;
}

function encodeOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [];
  const push = (v: number) => {
    const groups = [v & 0x7f];
    for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) groups.unshift(0x80 | (v & 0x7f));
    out.push(...groups);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return tlv(0x06, Uint8Array.from(out));
}

export function readOid(value: Uint8Array): string {
  const arcs: number[] = [];
  let v = 0;
  for (const b of value) {
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else arcs.push(v);
      v = 0;
    }
  }
  return arcs.join('.');
}

/** A small non-negative INTEGER. */
export function integer(n: number): Uint8Array {
  const bytes: number[] = [];
  for (let v = n; ; v = Math.floor(v / 256)) {
    bytes.unshift(v & 0xff);
    if (v < 256) break;
  }
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Uint8Array.from(bytes));
}

/** A positive INTEGER from big-endian bytes (e.g. a random serial): minimal, sign bit clear. */
export function unsignedInteger(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return tlv(0x02, v[0]! & 0x80 ? concat([Uint8Array.of(0), v]) : v);
}

export function utf8String(s: string): Uint8Array {
  return tlv(0x0c, new TextEncoder().encode(s));
}

export function bitString(b: Uint8Array, unusedBits = 0): Uint8Array {
  return tlv(0x03, Uint8Array.of(unusedBits), b);
}

export const boolean = (v: boolean): Uint8Array => Uint8Array.of(0x01, 0x01, v ? 0xff : 0x00);

/** RFC 5280 §4.1.2.5 / RFC 5652 §11.3: UTCTime for 1950–2049, GeneralizedTime otherwise; whole seconds, Z. */
export function time(d: Date): Uint8Array {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z';
  const year = d.getUTCFullYear();
  if (year < 1950 || year > 9999) throw new RangeError(`time ${iso} out of range`);
  const text = year < 2050 ? digits.slice(2) : digits;
  return tlv(year < 2050 ? 0x17 : 0x18, new TextEncoder().encode(text));
}

/** One parsed element. `bytes` is the whole TLV, `value` the contents (empty-ended for BER indefinite). */
export interface Tlv {
  tag: number;
  constructed: boolean;
  bytes: Uint8Array;
  value: Uint8Array;
  /** Offset after this element in the buffer it was read from. */
  end: number;
}

/**
 * The identifier and length octets of the element at `offset`: where its contents start, and
 * where it ends (undefined for a BER indefinite length, which only a walk of its contents finds).
 */
function readHeader(buf: Uint8Array, offset: number): { tag: number; constructed: boolean; start: number; end?: number } {
  const fail = (why: string) => new Error(`malformed DER at byte ${offset}: ${why}`);
  if (offset + 2 > buf.length) throw fail('truncated');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw fail('multi-byte tags are not supported');
  const constructed = (tag & 0x20) !== 0;
  let p = offset + 1;
  const first = buf[p++]!;
  if (first === 0x80) {
    if (!constructed) throw fail('indefinite length on a primitive element');
    return { tag, constructed, start: p };
  }
  let len = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n > 4) throw fail('length too long');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
  }
  const end = p + len;
  if (end > buf.length) throw fail('truncated');
  return { tag, constructed, start: p, end };
}

/** Reads one element at `offset`. Accepts BER indefinite lengths (Apple's `security cms` writes BER). */
export function readTlv(buf: Uint8Array, offset = 0): Tlv {
  const { tag, constructed, start, end } = readHeader(buf, offset);
  if (end !== undefined) return { tag, constructed, bytes: buf.subarray(offset, end), value: buf.subarray(start, end), end };
  let p = start;
  while (!(buf[p] === 0 && buf[p + 1] === 0)) {
    if (p >= buf.length) throw new Error(`malformed DER at byte ${offset}: missing end-of-contents`);
    p = tlvEnd(buf, p);
  }
  return { tag, constructed, bytes: buf.subarray(offset, p + 2), value: buf.subarray(start, p), end: p + 2 };
}

/** Where the element at `offset` ends: readTlv's checks and errors, without its subarrays. */
export function tlvEnd(buf: Uint8Array, offset = 0): number {
  return readHeader(buf, offset).end ?? readTlv(buf, offset).end;
}

/**
 * Where each element inside `t` starts in `t.value`: the walk children(t) makes, with its
 * checks and errors, for a caller that wants one element of many (readTlv(t.value, offset)).
 */
export function childOffsets(t: Tlv): number[] {
  const out: number[] = [];
  for (let p = 0; p < t.value.length; p = tlvEnd(t.value, p)) out.push(p);
  return out;
}

/** The elements inside a constructed element. */
export function children(t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = 0; p < t.value.length; ) {
    const c = readTlv(t.value, p);
    out.push(c);
    p = c.end;
  }
  return out;
}

/** Reads a whole buffer that must hold exactly one element. */
export function readAll(buf: Uint8Array): Tlv {
  const t = readTlv(buf, 0);
  if (t.end !== buf.length) throw new Error(`malformed DER: ${buf.length - t.end} trailing bytes`);
  return t;
}

/** OCTET STRING contents, joining the pieces of a BER constructed OCTET STRING. */
export function octetValue(t: Tlv): Uint8Array {
  if (t.tag === 0x04) return t.value;
  if (t.tag === 0x24) return concat(children(t).map(octetValue));
  throw new Error(`expected OCTET STRING, found tag 0x${t.tag.toString(16)}`);
}

/** One decoder for every time read: a TextDecoder made per call cost 5 of the 38 ms of a cold renewal check (5,000 notAfters). */
const utf8 = new TextDecoder();

/** UTCTime or GeneralizedTime (whole seconds, Z) to a Date. */
export function readTime(t: Tlv): Date {
  const s = utf8.decode(t.value);
  const m = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(s);
  if (!m || (t.tag === 0x17) !== (m[1]!.length === 2)) throw new Error(`unsupported time "${s}"`);
  let year = Number(m[1]);
  if (t.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}
