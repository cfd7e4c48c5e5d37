/**
 * The user's PKCS#12 in the legacy form Apple's keychain imports (docs/iked.md §4 item 7):
 * openssl opens it and names pbeWithSHA1And3-KeyTripleDES-CBC and a SHA-1 MAC; the key inside
 * matches the certificate; a wrong password fails the MAC.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { issueUserCert, makePkcs12, makePkcs12Many, pkcs8Der, type Pkcs12Spec } from '../../../../src/vpn/ikev2/pki/index.js';
import { ecKey, makeCa, NOT_AFTER, NOT_BEFORE, rsaKey, serial, Workdir, type KeyPair } from './fixtures.js';

const w = new Workdir();
afterAll(() => w.remove());

const ca = makeCa('ECDSA');
const caPem = w.cert('ca.pem', ca.der);
const salts = { key: Buffer.from('0102030405060708', 'hex'), cert: Buffer.from('1112131415161718', 'hex'), mac: Buffer.from('2122232425262728', 'hex') };
const PASSWORD = 'correct horse 42';

function identity(key: KeyPair, extra: Partial<Pkcs12Spec> = {}) {
  const certDer = issueUserCert({ issuer: ca.issuer, identity: 'alice.vpn.example.com', publicKey: key.publicKey, serial: serial(7), notBefore: NOT_BEFORE, notAfter: NOT_AFTER });
  const spec: Pkcs12Spec = { keyPkcs8Der: pkcs8Der(key.privateKey), certDer, caCertsDer: [ca.der], password: PASSWORD, friendlyName: 'Alice (VPN)', salts, ...extra };
  return { certDer, spec, p12: makePkcs12(spec) };
}

const info = (file: string, pass: string, ...args: string[]) => w.openssl('pkcs12', '-info', '-legacy', '-in', file, '-passin', `pass:${pass}`, ...args);

describe.each([['ECDSA P-256', ecKey], ['RSA 2048', rsaKey]] as const)('a PKCS#12 with an %s key', (kind, make) => {
  const key = make();
  const { certDer, p12 } = identity(key);
  const file = w.write(`${kind}.p12`, p12);
  const certPem = w.cert(`${kind}.pem`, certDer);

  it('openssl pkcs12 -info -legacy -nokeys names 3DES bags, a SHA-1 MAC, and both certificates', () => {
    const r = info(file, PASSWORD, '-nokeys');
    expect(r.status).toBe(0);
    expect(r.out).toContain('MAC: sha1, Iteration 2048');
    expect(r.out).toContain('MAC length: 20, salt length: 8');
    expect(r.out).toContain('PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048');
    expect(r.out).toContain('Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048');
    expect(r.out).toContain('subject=CN = alice.vpn.example.com');
    expect(r.out).toContain('subject=O = Example, CN = Example VPN CA');
    expect(r.out).toContain('friendlyName: Alice (VPN)');
  });

  it('the key and the leaf certificate carry the same localKeyID, and the CA none', () => {
    const certs = info(file, PASSWORD, '-nokeys').out;
    const keys = info(file, PASSWORD, '-nocerts', '-nodes').out;
    const id = (text: string) => [...text.matchAll(/localKeyID: ([0-9A-F ]+)/g)].map((m) => m[1]!.trim());
    expect(id(certs)).toHaveLength(1); // the leaf's; the CA bag has no attributes
    expect(id(keys)).toEqual(id(certs));
  });

  it('the extracted key is the certificate key (public keys compared)', () => {
    const keyPem = w.write(`${kind}-key.pem`, info(file, PASSWORD, '-nocerts', '-nodes').out);
    const fromKey = w.openssl('pkey', '-in', keyPem, '-pubout');
    const fromCert = w.openssl('x509', '-in', certPem, '-pubkey', '-noout');
    expect(fromKey.status).toBe(0);
    expect(fromKey.out).toContain('-----BEGIN PUBLIC KEY-----');
    expect(fromKey.out).toBe(fromCert.out);
  });

  it('a wrong password fails the MAC', () => {
    const r = info(file, 'wrong password', '-nokeys');
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('Mac verify error: invalid password?');
  });

  it('needs no legacy provider (3DES and SHA-1 are in OpenSSL 3 default provider)', () => {
    const r = w.openssl('pkcs12', '-in', file, '-passin', `pass:${PASSWORD}`, '-nokeys', '-info');
    expect(r.status).toBe(0);
  });
});

describe('makePkcs12 options', () => {
  const key = ecKey();
  const base = identity(key);

  it('is deterministic: same certificate, key, password, salts → same bytes', () => {
    expect(Buffer.from(makePkcs12(base.spec)).equals(Buffer.from(base.p12))).toBe(true);
    expect(Buffer.from(makePkcs12({ ...base.spec, salts: { ...salts, mac: Buffer.alloc(8, 9) } })).equals(Buffer.from(base.p12))).toBe(false);
  });

  it('a non-ASCII password is encoded as OpenSSL does (BMPString, RFC 7292 B.1)', () => {
    const file = w.write('utf.p12', makePkcs12({ ...base.spec, password: 'pässwörd-€' }));
    expect(info(file, 'pässwörd-€', '-nokeys').status).toBe(0);
    expect(info(file, 'passwort', '-nokeys').status).not.toBe(0);
  });

  it('one salt for both bags (3 fewer KDF runs) still opens', () => {
    const file = w.write('shared.p12', makePkcs12({ ...base.spec, salts: { ...salts, cert: salts.key } }));
    const r = info(file, PASSWORD, '-nodes');
    expect(r.status).toBe(0);
    expect(r.out).toContain('-----BEGIN PRIVATE KEY-----');
  });

  it('iteration counts are honoured; 1 leaves MacData.iterations at its DEFAULT', () => {
    const one = info(w.write('one.p12', makePkcs12({ ...base.spec, iterations: 1 })), PASSWORD, '-nokeys');
    expect(one.out).toContain('MAC: sha1, Iteration 1\n');
    expect(one.out).toContain('pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 1\n');
    const r = info(w.write('it.p12', makePkcs12({ ...base.spec, iterations: 1000 })), PASSWORD, '-nodes');
    expect(r.status).toBe(0);
    expect(r.out).toContain('Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 1000');
  });

  it('refuses a key that is not the certificate key, an empty password, short salts', () => {
    const other = pkcs8Der(ecKey().privateKey);
    expect(() => makePkcs12({ ...base.spec, keyPkcs8Der: other })).toThrow('the key does not match the certificate');
    expect(() => makePkcs12({ ...base.spec, keyPkcs8Der: pkcs8Der(rsaKey().privateKey) })).toThrow('the key does not match the certificate');
    expect(() => makePkcs12({ ...base.spec, password: '' })).toThrow('password must not be empty');
    expect(() => makePkcs12({ ...base.spec, salts: { ...salts, mac: Buffer.alloc(4) } })).toThrow('the mac salt must be at least 8 bytes');
    expect(() => makePkcs12({ ...base.spec, iterations: 0 })).toThrow('iterations');
  });

  it('accepts node\'s own PKCS#8 export too, and without a friendlyName', () => {
    const spec = { ...base.spec, keyPkcs8Der: new Uint8Array(key.privateKey.export({ type: 'pkcs8', format: 'der' })), friendlyName: undefined };
    const r = info(w.write('plain.p12', makePkcs12(spec)), PASSWORD, '-nokeys');
    expect(r.status).toBe(0);
    expect(r.out).not.toContain('friendlyName');
  });

  it('makePkcs12Many gives each file the bytes makePkcs12 gives it alone (KDF chains shared across files)', () => {
    const specs = [base.spec, identity(rsaKey()).spec, { ...base.spec, password: 'another one', salts: { ...salts, cert: salts.key } }, { ...base.spec, iterations: 1 }, identity(ecKey()).spec];
    const many = makePkcs12Many(specs);
    expect(many.map((b) => Buffer.from(b).toString('hex'))).toEqual(specs.map((s) => Buffer.from(makePkcs12(s)).toString('hex')));
    const r = info(w.write('many-2.p12', many[2]!), 'another one', '-nodes');
    expect(r.status).toBe(0);
    expect(r.out).toContain('-----BEGIN PRIVATE KEY-----');
  });

  it('the CA in the bundle verifies the leaf', () => {
    expect(w.verify(caPem, w.cert('leaf.pem', base.certDer)).status).toBe(0);
  });
});
