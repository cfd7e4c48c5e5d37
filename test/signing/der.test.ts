import { describe, expect, it } from 'vitest';
import { children, compareDer, integer, oid, readAll, readOid, readTime, readTlv, setOf, time, unsignedInteger } from '../../src/signing/der.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('DER', () => {
  it('encodes OIDs and reads them back', () => {
    expect(hex(oid('1.2.840.113549.1.7.2'))).toBe('06092a864886f70d010702');
    for (const o of ['2.5.29.37.0', '1.3.6.1.5.5.7.3.4', '2.16.840.1.101.3.4.2.1', '2.999.3']) expect(readOid(oid(o).subarray(2))).toBe(o);
  });
  it('encodes integers minimally and positive', () => {
    expect(hex(integer(1))).toBe('020101');
    expect(hex(integer(128))).toBe('02020080');
    expect(hex(unsignedInteger(Uint8Array.of(0, 0, 0x81)))).toBe('02020081');
  });
  it('uses UTCTime before 2050 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', () => {
    expect(Buffer.from(time(new Date('2049-12-31T23:59:59.900Z'))).toString('latin1').slice(2)).toBe('491231235959Z');
    expect(Buffer.from(time(new Date('2050-01-01T00:00:00Z'))).toString('latin1').slice(2)).toBe('20500101000000Z');
    for (const d of ['1999-02-03T04:05:06Z', '2049-01-01T00:00:00Z', '2099-12-31T23:59:59Z']) expect(readTime(readAll(time(new Date(d))))).toEqual(new Date(d));
  });
  it('sorts SET OF by encoding, shorter first when a prefix (X.690 §11.6)', () => {
    const a = Uint8Array.of(0x04, 0x01, 0x02);
    const b = Uint8Array.of(0x04, 0x01);
    expect(compareDer(b, a)).toBeLessThan(0);
    expect(hex(setOf([a, Uint8Array.of(0x02, 0x01, 0x00), b]))).toBe('3108' + '020100' + '0401' + '040102');
  });
  it('reads long lengths and BER indefinite lengths', () => {
    const big = new Uint8Array(300).fill(7);
    const t = readAll(Uint8Array.of(0x04, 0x82, 0x01, 0x2c, ...big));
    expect(t.value.length).toBe(300);
    const ber = Uint8Array.of(0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00);
    expect(children(readTlv(ber)).map((c) => c.value[0])).toEqual([5]);
    expect(() => readAll(Uint8Array.of(0x30, 0x05, 0x02))).toThrow(/truncated/);
  });
});
