/** readCert reads back what the IKEv2 type needs, agreeing with node's X509Certificate. */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueCert, issueServerCert, issueUserCert, readCert, readKeyType, readNotAfter, serialHex } from '../../../../src/vpn/ikev2/pki/index.js';
import { OID } from '../../../../src/signing/oids.js';
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
