/**
 * The VPN CA, iked's server certificate and user certificates against the real openssl: chains
 * verify, the extensions are the intended ones, and the CA's name constraints stop anything
 * outside the VPN domain (DESIGN.md §5 "a Mac that trusts it trusts nothing else through it").
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { issueCert, issueServerCert, issueUserCert, makeVpnCa, readCert } from '../../../../src/vpn/ikev2/pki/index.js';
import { children, readAll } from '../../../../src/signing/der.js';
import { OID } from '../../../../src/signing/oids.js';
import { ecKey, makeCa, NOT_AFTER, NOT_BEFORE, rsaKey, serial, Workdir, type CaKind } from './fixtures.js';

const w = new Workdir();
afterAll(() => w.remove());

const times = { notBefore: NOT_BEFORE, notAfter: NOT_AFTER };

describe.each<CaKind>(['ECDSA', 'RSA'])('a %s VPN CA', (kind) => {
  const ca = makeCa(kind);
  const caPem = w.cert(`ca-${kind}.pem`, ca.der);
  const issuer = ca.issuer;
  const file = (name: string) => `${kind}-${name}.pem`;
  const server = issueServerCert({ issuer, hostName: 'vpn.example.com', publicKey: ecKey().publicKey, serial: serial(2), ...times });
  const rsaServer = issueServerCert({ issuer, hostName: 'vpn.example.com', publicKey: rsaKey().publicKey, serial: serial(3), ...times });
  const alice = issueUserCert({ issuer, identity: 'alice.vpn.example.com', publicKey: ecKey().publicKey, serial: serial(4), ...times });
  const bob = issueUserCert({ issuer, identity: 'bob.vpn.example.com', publicKey: rsaKey().publicKey, serial: serial(5), ...times });
  w.cert(file('server'), server);
  w.cert(file('rsa-server'), rsaServer);
  w.cert(file('alice'), alice);
  w.cert(file('bob'), bob);

  it('openssl verify accepts the server and both users (ECDSA and RSA keys)', () => {
    for (const name of ['server', 'rsa-server', 'alice', 'bob']) {
      const r = w.verify(caPem, file(name));
      expect(r.out).toContain(': OK');
      expect(r.status).toBe(0);
    }
  });

  it('the EKUs fit the roles: server for sslserver, users for sslclient only', () => {
    expect(w.verify(caPem, file('server'), '-purpose', 'sslserver').status).toBe(0);
    expect(w.verify(caPem, file('server'), '-purpose', 'sslclient').status).toBe(0);
    expect(w.verify(caPem, file('alice'), '-purpose', 'sslclient').status).toBe(0);
    const r = w.verify(caPem, file('alice'), '-purpose', 'sslserver');
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('error 26 at 0 depth lookup: unsuitable certificate purpose');
  });

  it('signs with the algorithm of the CA key', () => {
    const alg = kind === 'ECDSA' ? 'ecdsa-with-SHA256' : 'sha256WithRSAEncryption';
    for (const der of [ca.der, server, bob]) expect(w.openssl('x509', '-inform', 'DER', '-in', w.write('x.der', der), '-noout', '-text').out).toContain(`Signature Algorithm: ${alg}`);
  });

  it('openssl x509 -text shows the CA constraints, SANs, key usages and EKUs intended', () => {
    const text = (name: string) => w.openssl('x509', '-in', name, '-noout', '-text').out.replace(/[ \t]+/g, ' ');
    const c = text(caPem);
    expect(c).toContain('X509v3 Basic Constraints: critical\n CA:TRUE, pathlen:0');
    expect(c).toContain('X509v3 Key Usage: critical\n Certificate Sign, CRL Sign');
    expect(c).toContain('X509v3 Extended Key Usage: \n TLS Web Server Authentication, TLS Web Client Authentication');
    expect(c).toContain('X509v3 Name Constraints: critical\n Permitted:\n DNS:vpn.example.com\n email:invalid\n Excluded:\n IP:0.0.0.0/0.0.0.0\n IP:0:0:0:0:0:0:0:0/0:0:0:0:0:0:0:0\n');
    expect(c).toContain('Subject: O = Example, CN = Example VPN CA');
    const s = text(file('server'));
    expect(s).toContain('X509v3 Subject Alternative Name: \n DNS:vpn.example.com\n');
    expect(s).toContain('X509v3 Extended Key Usage: \n TLS Web Server Authentication, TLS Web Client Authentication\n');
    expect(s).toContain('X509v3 Key Usage: critical\n Digital Signature\n');
    expect(s).toContain('CA:FALSE');
    expect(s).toContain('Subject: CN = vpn.example.com');
    expect(text(file('rsa-server'))).toContain('X509v3 Key Usage: critical\n Digital Signature, Key Encipherment\n');
    const a = text(file('alice'));
    expect(a).toContain('X509v3 Subject Alternative Name: \n DNS:alice.vpn.example.com\n');
    expect(a).toContain('X509v3 Extended Key Usage: \n TLS Web Client Authentication\n');
    expect(a).toContain('X509v3 Key Usage: critical\n Digital Signature\n');
    expect(a).toContain('Subject: CN = alice.vpn.example.com');
    // AKI of the leaf = SKI of the CA (RFC 5280 §4.2.1.1)
    const ski = /Subject Key Identifier: \n ([0-9A-F:]+)/.exec(c)![1]!;
    expect(a).toContain(`X509v3 Authority Key Identifier: \n ${ski}`);
  });

  it.each([
    ['a DNS name outside the permitted tree', [{ dns: 'www.google.com' }], 'www.google.com', 'permitted subtree violation'],
    ['a name that only ends like the tree', [{ dns: 'evilvpn.example.com' }], 'evilvpn.example.com', 'permitted subtree violation'],
    ['an IPv4 SAN', [{ ip: Uint8Array.of(192, 0, 2, 1) }], 'alice.vpn.example.com', 'excluded subtree violation'],
    ['an IPv6 SAN', [{ ip: Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array(12).fill(0)]) }], 'alice.vpn.example.com', 'excluded subtree violation'],
    ['a mailbox SAN', [{ email: 'alice@example.com' }], 'alice.vpn.example.com', 'permitted subtree violation'],
  ] as const)('openssl verify refuses %s (name constraints)', (_, sans, cn, error) => {
    const bad = issueCert({
      issuer, publicKey: ecKey().publicKey, serial: serial(9), ...times,
      commonName: cn, subjectAltNames: [...sans], keyUsage: ['digitalSignature'], extKeyUsage: [OID.clientAuth],
    });
    const r = w.verify(caPem, w.cert('bad.pem', bad));
    expect(r.status).not.toBe(0);
    expect(r.out).toContain(error);
  });

  it('issueUserCert with a forbidden identity makes a certificate openssl refuses', () => {
    const bad = issueUserCert({ issuer, identity: 'www.google.com', publicKey: ecKey().publicKey, serial: serial(10), ...times });
    const r = w.verify(caPem, w.cert('google.pem', bad));
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('permitted subtree violation');
  });
});

describe('CA extended key usage', () => {
  const smime = (extKeyUsage: boolean) => {
    const ca = makeCa('ECDSA', ecKey(), extKeyUsage);
    const leaf = issueCert({
      issuer: ca.issuer, publicKey: ecKey().publicKey, serial: serial(2), ...times,
      commonName: 'mail.vpn.example.com', subjectAltNames: [{ dns: 'mail.vpn.example.com' }],
      keyUsage: ['digitalSignature'], extKeyUsage: [OID.emailProtection],
    });
    return w.verify(w.cert('eku-ca.pem', ca.der), w.cert('eku-leaf.pem', leaf), '-purpose', 'smimesign');
  };

  it('limits the chain: an S/MIME leaf under the VPN CA is refused for smimesign', () => {
    const r = smime(true);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('error 26 at 1 depth lookup: unsuitable certificate purpose'); // depth 1: the CA
  });

  it('is what refuses it: without the CA EKU the same leaf passes', () => {
    expect(smime(false).status).toBe(0);
  });
});

describe('inputs the issuers refuse', () => {
  const { issuer } = makeCa('ECDSA');
  const publicKey = ecKey().publicKey;
  const user = (identity: string, s = serial(2)) => () => issueUserCert({ issuer, identity, publicKey, serial: s, ...times });

  it('IP literals and non-DNS names as identities', () => {
    expect(() => issueServerCert({ issuer, hostName: '192.0.2.1', publicKey, serial: serial(2), ...times })).toThrow('server host name "192.0.2.1" is an IP address; use a DNS name');
    expect(user('2001:db8::1')).toThrow('is not a DNS name');
    expect(user('alice smith.vpn.example.com')).toThrow('is not a DNS name');
    expect(user('älice.vpn.example.com')).toThrow('is not a DNS name');
    expect(user('-a.vpn.example.com')).toThrow('is not a DNS name');
  });

  it('serials that are zero or longer than 20 octets (RFC 5280 §4.1.2.2)', () => {
    expect(user('a.vpn.example.com', new Uint8Array(3))).toThrow('serial must be positive');
    expect(user('a.vpn.example.com', new Uint8Array(21).fill(1))).toThrow('at most 20 octets');
    expect(user('a.vpn.example.com', new Uint8Array(20).fill(0xff))).toThrow('at most 20 octets'); // 21 with the sign octet
    const ok = issueUserCert({ issuer, identity: 'a.vpn.example.com', publicKey, serial: new Uint8Array(20).fill(0x7f), ...times });
    expect(readCert(ok).serial).toBe('7f'.repeat(20));
  });

  it('unsupported keys and a CA without permitted names', () => {
    for (const k of [generateKeyPairSync('ec', { namedCurve: 'secp384r1' }), generateKeyPairSync('rsa', { modulusLength: 1024 }), generateKeyPairSync('ed25519')]) {
      expect(() => issueUserCert({ issuer, identity: 'a.vpn.example.com', publicKey: k.publicKey, serial: serial(2), ...times })).toThrow('unsupported key');
    }
    const key = ecKey();
    expect(() => makeVpnCa({ commonName: 'x', permittedDns: [], key: key.privateKey, serial: serial(1), notBefore: NOT_BEFORE, notAfter: NOT_AFTER })).toThrow('permittedDns');
    expect(() => makeVpnCa({ commonName: 'x', permittedDns: ['.vpn.example.com'], key: key.privateKey, serial: serial(1), notBefore: NOT_BEFORE, notAfter: NOT_AFTER })).toThrow('is not a DNS name');
    expect(() => makeVpnCa({ commonName: 'x', permittedDns: ['vpn.example.com'], key: key.privateKey, publicKey: ecKey().publicKey, serial: serial(1), notBefore: NOT_BEFORE, notAfter: NOT_AFTER })).toThrow('publicKey does not match key');
    expect(() => issueUserCert({ issuer, identity: 'a.vpn.example.com', publicKey, serial: serial(2), notBefore: NOT_AFTER, notAfter: NOT_BEFORE })).toThrow('notBefore must be before notAfter');
  });
});

describe('determinism', () => {
  it('an RSA CA gives the same bytes for the same inputs (PKCS#1 v1.5 is deterministic)', () => {
    const key = rsaKey();
    const a = makeCa('RSA', key);
    const b = makeCa('RSA', key);
    expect(Buffer.from(a.der).equals(Buffer.from(b.der))).toBe(true);
    const user = (issuer: typeof a.issuer) => issueUserCert({ issuer, identity: 'alice.vpn.example.com', publicKey: key.publicKey, serial: serial(4), ...times });
    expect(Buffer.from(user(a.issuer)).equals(Buffer.from(user(b.issuer)))).toBe(true);
  });

  it('an ECDSA CA gives the same TBSCertificate; only the (randomized) signature differs', () => {
    const key = ecKey();
    const [a, b] = [makeCa('ECDSA', key), makeCa('ECDSA', key)];
    const parts = (der: Uint8Array) => Buffer.from(children(readAll(der))[0]!.bytes);
    expect(parts(a.der).equals(parts(b.der))).toBe(true);
    expect(new X509Certificate(a.der).verify(key.publicKey)).toBe(true);
    expect(new X509Certificate(b.der).verify(key.publicKey)).toBe(true);
  });
});
