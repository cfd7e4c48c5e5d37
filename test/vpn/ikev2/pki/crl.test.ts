/**
 * The CRL iked loads from /etc/iked/crls/ (PEM), against openssl: a revoked user fails
 * `verify -crl_check`, others still pass; the text shows v2, cRLNumber, AKI and reason codes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { children, readAll } from '../../../../src/signing/der.js';
import { crlPem, issueUserCert, makeCrl, type CrlEntry } from '../../../../src/vpn/ikev2/pki/index.js';
import { ecKey, makeCa, NOT_AFTER, NOT_BEFORE, rsaKey, serial, Workdir, type CaKind } from './fixtures.js';

const w = new Workdir();
afterAll(() => w.remove());

const thisUpdate = new Date('2026-05-01T00:00:00Z');
const nextUpdate = new Date('2026-08-01T00:00:00Z');
const revokedAt = new Date('2026-04-30T12:00:00Z');

describe.each<CaKind>(['ECDSA', 'RSA'])('a CRL from a %s CA', (kind) => {
  const ca = makeCa(kind);
  const caPem = w.cert(`crl-ca-${kind}.pem`, ca.der);
  const user = (name: string, n: number) =>
    w.cert(`${kind}-${name}.pem`, issueUserCert({ issuer: ca.issuer, identity: `${name}.vpn.example.com`, publicKey: ecKey().publicKey, serial: serial(n), notBefore: NOT_BEFORE, notAfter: NOT_AFTER }));
  const alice = user('alice', 10);
  const bob = user('bob', 11);
  const crl = (entries: CrlEntry[], crlNumber = 1) => w.write(`${kind}-crl.pem`, crlPem(makeCrl({ issuer: ca.issuer, entries, thisUpdate, nextUpdate, crlNumber })));
  const others: CrlEntry[] = [{ serial: serial(99), revokedAt, reason: 'superseded' }];

  it('passes verify -crl_check before alice is revoked, fails with "certificate revoked" after, and bob still passes', () => {
    const before = crl(others);
    expect(w.verify(caPem, alice, '-crl_check', '-CRLfile', before).status).toBe(0);
    const after = crl([...others, { serial: serial(10), revokedAt, reason: 'keyCompromise' }], 2);
    const r = w.verify(caPem, alice, '-crl_check', '-CRLfile', after);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('certificate revoked');
    expect(w.verify(caPem, bob, '-crl_check', '-CRLfile', after).status).toBe(0);
  });

  it('an empty CRL (no revokedCertificates, RFC 5280 §5.1.2.6) verifies and revokes nobody', () => {
    const empty = crl([]);
    expect(w.openssl('crl', '-in', empty, '-noout', '-text').out).toContain('No Revoked Certificates.');
    expect(w.verify(caPem, alice, '-crl_check', '-CRLfile', empty).status).toBe(0);
  });

  it('openssl crl -inform DER -text shows v2, the CRL number, the AKI and each reason code; crl -verify passes', () => {
    const entries: CrlEntry[] = [
      { serial: Uint8Array.of(0x05), revokedAt, reason: 'keyCompromise' },
      { serial: Uint8Array.of(0x01), revokedAt, reason: 'unspecified' },
      { serial: Uint8Array.of(0x03), revokedAt, reason: 'cessationOfOperation' },
      { serial: Uint8Array.of(0x02), revokedAt, reason: 'superseded' },
      { serial: Uint8Array.of(0x04), revokedAt, reason: 'certificateHold' },
      { serial: Uint8Array.of(0x00, 0x06), revokedAt, reason: 'affiliationChanged' },
    ];
    const der = w.write(`${kind}-crl.der`, makeCrl({ issuer: ca.issuer, entries, thisUpdate, nextUpdate, crlNumber: 4242 }));
    const text = w.openssl('crl', '-inform', 'DER', '-in', der, '-noout', '-text').out.replace(/[ \t]+/g, ' ');
    expect(text).toContain('Version 2 (0x1)');
    expect(text).toContain('X509v3 CRL Number: \n 4242\n');
    expect(text).toContain('X509v3 Authority Key Identifier: \n');
    expect(text).toContain('Next Update: Aug 1 00:00:00 2026 GMT');
    // Sorted by serial; unspecified carries no reasonCode (RFC 5280 §5.3.1 SHOULD be absent).
    const serials = [...text.matchAll(/Serial Number: (\S+)/g)].map((m) => m[1]);
    expect(serials).toEqual(['01', '02', '03', '04', '05', '06']);
    const reasons = [...text.matchAll(/CRL Reason Code: \n (.+)\n/g)].map((m) => m[1]);
    expect(reasons).toEqual(['Superseded', 'Cessation Of Operation', 'Certificate Hold', 'Key Compromise', 'Affiliation Changed']);
    const v = w.openssl('crl', '-inform', 'DER', '-in', der, '-noout', '-CAfile', caPem, '-verify');
    expect(v.out).toContain('verify OK');
    expect(v.status).toBe(0);
  });

  it('a CRL signed by another CA does not verify against this one', () => {
    const other = makeCa(kind, kind === 'ECDSA' ? ecKey() : rsaKey());
    const der = w.write('other.der', makeCrl({ issuer: other.issuer, entries: [], thisUpdate, nextUpdate, crlNumber: 1 }));
    // OpenSSL 3.0's `crl -verify` exits 0 either way: read its verdict.
    const r = w.openssl('crl', '-inform', 'DER', '-in', der, '-noout', '-CAfile', caPem, '-verify');
    expect(r.out).toContain('verify failure');
    expect(r.out).not.toContain('verify OK');
  });
});

describe('makeCrl input handling', () => {
  const rsa = makeCa('RSA');
  const entries: CrlEntry[] = Array.from({ length: 40 }, (_, i) => ({ serial: serial(1000 - i * 7), revokedAt, reason: i % 2 ? 'superseded' : 'keyCompromise' }));
  const build = (list: CrlEntry[], issuer = rsa.issuer) => makeCrl({ issuer, entries: list, thisUpdate, nextUpdate, crlNumber: 9 });

  it('the same entries in any order give the same bytes (RSA) and the same TBSCertList (ECDSA)', () => {
    const shuffled = [...entries].reverse().sort((a, b) => (a.serial[15]! % 3) - (b.serial[15]! % 3));
    expect(Buffer.from(build(shuffled)).equals(Buffer.from(build(entries)))).toBe(true);
    const ec = makeCa('ECDSA');
    const tbs = (der: Uint8Array) => Buffer.from(children(readAll(der))[0]!.bytes);
    expect(tbs(build(shuffled, ec.issuer)).equals(tbs(build(entries, ec.issuer)))).toBe(true);
  });

  it('sorts serials as numbers, whatever their byte lengths', () => {
    const der = build([{ serial: Uint8Array.of(1, 0), revokedAt, reason: 'superseded' }, { serial: Uint8Array.of(0xff), revokedAt, reason: 'superseded' }]);
    const text = w.openssl('crl', '-inform', 'DER', '-in', w.write('order.der', der), '-noout', '-text').out;
    expect([...text.matchAll(/Serial Number: (\S+)/g)].map((m) => m[1])).toEqual(['FF', '0100']);
  });

  it('refuses a serial listed twice (also with a leading zero), and bad dates or numbers', () => {
    expect(() => build([{ serial: Uint8Array.of(1), revokedAt, reason: 'superseded' }, { serial: Uint8Array.of(0, 1), revokedAt, reason: 'keyCompromise' }])).toThrow('serial 01 is listed twice');
    expect(() => makeCrl({ issuer: rsa.issuer, entries: [], thisUpdate: nextUpdate, nextUpdate: thisUpdate, crlNumber: 1 })).toThrow('thisUpdate must be before nextUpdate');
    expect(() => makeCrl({ issuer: rsa.issuer, entries: [], thisUpdate, nextUpdate, crlNumber: -1 })).toThrow('crlNumber');
  });
});
