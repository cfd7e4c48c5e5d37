/** readCert reads back what the IKEv2 type needs, agreeing with node's X509Certificate. */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueCert, issueServerCert, issueUserCert, readCert, readKeyType, readNotAfter, serialHex } from '../../../../src/vpn/ikev2/pki/index.js';
import { OID } from '../../../../src/signing/oids.js';
import { children, readAll, readTime } from '../../../../src/signing/der.js';
import { spkiKind } from '../../../../src/vpn/ikev2/pki/key-der.js';
import { ecKey, makeCa, NOT_AFTER, NOT_BEFORE, rsaKey, serial } from './fixtures.js';

describe('readCert', () => {
  const ca = makeCa('RSA');
  const times = { notBefore: NOT_BEFORE, notAfter: NOT_AFTER };

  it('a user certificate: serial, validity, SAN, CN, key type', () => {
    const der = issueUserCert({ issuer: ca.issuer, identity: 'alice.vpn.example.com', publicKey: ecKey().publicKey, serial: serial(7), ...times });
    const got = readCert(der);
    expect(got).toEqual({
      serial: '9c000000000000000000000000000007',
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      dnsNames: ['alice.vpn.example.com'],
      commonName: 'alice.vpn.example.com',
      keyType: 'ECDSA256',
    });
    const x = new X509Certificate(der);
    expect(got.serial).toBe(x.serialNumber.toLowerCase());
    expect(got.notAfter.getTime()).toBe(new Date(x.validTo).getTime());
  });

  it('readNotAfter (the renewal check) agrees with readCert and with OpenSSL, GeneralizedTime too', () => {
    const late = new Date('2051-03-04T05:06:07Z'); // after 2049: GeneralizedTime (RFC 5280 §4.1.2.5)
    for (const notAfter of [NOT_AFTER, late]) {
      const der = issueUserCert({ issuer: ca.issuer, identity: 'bob.vpn.example.com', publicKey: ecKey().publicKey, serial: serial(9), notBefore: NOT_BEFORE, notAfter });
      expect(readNotAfter(der)).toEqual(readCert(der).notAfter);
      expect(readNotAfter(der).getTime()).toBe(new Date(new X509Certificate(der).validTo).getTime());
    }
    expect(readNotAfter(ca.der)).toEqual(readCert(ca.der).notAfter);
  });

  it('readKeyType (the profile’s CertificateType) agrees with readCert for EC and RSA keys', () => {
    for (const key of [ecKey(), rsaKey()]) {
      const der = issueUserCert({ issuer: ca.issuer, identity: 'carol.vpn.example.com', publicKey: key.publicKey, serial: serial(10), ...times });
      expect(readKeyType(der)).toBe(readCert(der).keyType);
    }
    expect(readKeyType(ca.der)).toBe('RSA');
  });

  it('the server certificate with an RSA key, and the CA (no SAN)', () => {
    const der = issueServerCert({ issuer: ca.issuer, hostName: 'vpn.example.com', publicKey: rsaKey().publicKey, serial: Uint8Array.of(0, 0, 5), ...times });
    expect(readCert(der)).toMatchObject({ serial: '05', dnsNames: ['vpn.example.com'], commonName: 'vpn.example.com', keyType: 'RSA' });
    expect(readCert(ca.der)).toMatchObject({ dnsNames: [], commonName: 'Example VPN CA', keyType: 'RSA' });
  });

  it('several SANs in order, non-DNS ones left out; a Unicode CN', () => {
    const der = issueCert({
      issuer: ca.issuer, publicKey: ecKey().publicKey, serial: serial(8), ...times, commonName: 'Jürgen’s Mac',
      subjectAltNames: [{ dns: 'b.vpn.example.com' }, { ip: Uint8Array.of(10, 0, 0, 1) }, { dns: 'a.vpn.example.com' }],
      keyUsage: ['digitalSignature'], extKeyUsage: [OID.clientAuth],
    });
    expect(readCert(der)).toMatchObject({ dnsNames: ['b.vpn.example.com', 'a.vpn.example.com'], commonName: 'Jürgen’s Mac' });
  });

  it('serialHex drops leading zero bytes so kept and read-back serials compare', () => {
    expect(serialHex(Uint8Array.of(0, 0, 0x9c, 1))).toBe('9c01');
    expect(serialHex(Uint8Array.of(0))).toBe('00');
  });

  it('throws on bytes that are not a certificate', () => {
    expect(() => readCert(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01))).toThrow();
  });
});

describe('readNotAfter and readKeyType on damaged certificates (issue 12: they walk without making every element)', () => {
  // The walk they made until issue 12: every element of the certificate and its TBS made.
  const oldField = (der: Uint8Array, n: number) => {
    const tbs = children(children(readAll(der))[0]!);
    return tbs[(tbs[0]!.tag === 0xa0 ? 1 : 0) + n]!;
  };
  const oldNotAfter = (der: Uint8Array) => readTime(children(oldField(der, 3))[1]!);
  const oldKeyType = (der: Uint8Array) => spkiKind(oldField(der, 5).bytes);
  const outcome = (f: () => unknown): { value?: unknown; error?: string } => {
    try {
      return { value: f() };
    } catch (e) {
      // A DER error is the same error; anything else (a field that is not there) any error.
      const m = (e as Error).message;
      return { error: m.startsWith('malformed DER') ? m : 'error' };
    }
  };
  it('give what the full walk gave, or fail where it failed', () => {
    const ca = makeCa('RSA');
    const der = issueUserCert({ issuer: ca.issuer, identity: 'alice.vpn.example.com', publicKey: ecKey().publicKey, serial: serial(9), notBefore: NOT_BEFORE, notAfter: NOT_AFTER });
    const damaged: Uint8Array[] = [der];
    for (let len = 0; len < der.length; len += 7) damaged.push(der.subarray(0, len));
    for (let at = 0; at < Math.min(der.length, 400); at++) {
      for (const v of [0x00, 0x80, 0xa0, 0xff, der[at]! ^ 0x01]) {
        const d = Uint8Array.from(der);
        d[at] = v;
        damaged.push(d);
      }
    }
    for (const d of damaged) {
      expect(outcome(() => readNotAfter(d))).toEqual(outcome(() => oldNotAfter(d)));
      expect(outcome(() => readKeyType(d))).toEqual(outcome(() => oldKeyType(d)));
    }
  });
});
