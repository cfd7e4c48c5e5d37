import { describe, expect, it } from 'vitest';
import { MacvpnError } from '../../src/errors.js';
import { parseSigner, signerPems, type SignerInput } from '../../src/signing/signer.js';
import { NOW, pki } from './pki.js';

const input = (name: string, more: Partial<SignerInput> = {}): SignerInput => ({ certPem: pki(`${name}.pem`), keyPem: pki(`${name}.key`), ...more });

/** The exact error lines parseSigner throws. */
function errorLines(i: SignerInput, now = NOW): string[] {
  try {
    parseSigner(i, now);
  } catch (e) {
    if (!(e instanceof MacvpnError)) throw e;
    return [e.message, ...e.more];
  }
  throw new Error('parseSigner did not throw');
}

describe('parseSigner accepts', () => {
  it('RSA, P-256 and P-384 signers with their key types and digests', () => {
    expect(parseSigner(input('rsa'), NOW)).toMatchObject({ algorithm: 'rsa', keyType: 'RSA-2048', digest: 'sha256', warnings: [], chain: [] });
    expect(parseSigner(input('p256'), NOW)).toMatchObject({ algorithm: 'ec', keyType: 'ECDSA P-256', digest: 'sha256' });
    expect(parseSigner(input('p384'), NOW)).toMatchObject({ algorithm: 'ec', keyType: 'ECDSA P-384', digest: 'sha256' });
  });

  it('a chain with intermediate and root, and a fullchain PEM given as the certificate', () => {
    const s = parseSigner(input('rsa-int', { chainPem: pki('int.pem') + pki('root.pem') }), NOW);
    expect(s.chain.map((c) => c.subject)).toEqual(['CN=macvpn TEST ONLY Intermediate CA\nO=macvpn TEST ONLY', 'CN=macvpn TEST ONLY Root CA\nO=macvpn TEST ONLY']);
    const full = parseSigner({ certPem: pki('rsa-int.pem') + pki('int.pem'), keyPem: pki('rsa-int.key') }, NOW);
    expect(full.chainDer).toHaveLength(1);
    expect(parseSigner(input('rsa', { chainPem: '' }), NOW).chain).toEqual([]);
  });

  it('a serverAuth-only (Let\'s Encrypt style) signer, with a warning', () => {
    expect(parseSigner(input('server'), NOW).warnings).toEqual([
      'signer certificate: extended key usage (serverAuth) has no emailProtection or codeSigning; "openssl cms -verify" needs "-purpose any"',
    ]);
  });

  it('an expired certificate when dates are not checked (signer show)', () => {
    expect(parseSigner(input('expired'), NOW, { checkDates: false }).keyType).toBe('RSA-2048');
  });

  it('and exports the key as PKCS#8 PEM', () => {
    expect(signerPems(parseSigner(input('rsa'), NOW)).key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });
});

describe('parseSigner refuses, one clear line each', () => {
  it('a key that does not match the certificate', () => {
    expect(errorLines(input('rsa', { keyPem: pki('other.key') }))).toEqual(['signer key does not match the certificate in signer certificate']);
  });
  it('an expired certificate', () => {
    expect(errorLines(input('expired'))).toEqual(['signer certificate: certificate (CN=TEST ONLY expired signer, O=macvpn TEST ONLY) expired on 2021-01-01T00:00:00.000Z']);
  });
  it('a certificate that is not yet valid', () => {
    expect(errorLines(input('rsa'), new Date('2024-12-31T00:00:00Z'))).toEqual(['signer certificate: certificate (CN=TEST ONLY RSA signer, O=macvpn TEST ONLY) is not valid before 2025-01-01T00:00:00.000Z']);
  });
  it('a key usage without digitalSignature', () => {
    expect(errorLines(input('certsign'))).toEqual(['signer certificate: key usage (keyCertSign) does not allow digitalSignature']);
  });
  it('a chain that does not link', () => {
    expect(errorLines(input('rsa-int', { chainPem: pki('root.pem') }))).toEqual([
      'signer chain: certificate 1 (CN=macvpn TEST ONLY Root CA, O=macvpn TEST ONLY) did not issue CN=TEST ONLY RSA signer under intermediate, O=macvpn TEST ONLY',
    ]);
    expect(errorLines(input('rsa-int', { chainPem: pki('root.pem') + pki('int.pem') }))).toHaveLength(2);
  });
  it('an unsupported key type', () => {
    expect(errorLines(input('rsa', { keyPem: pki('ed25519.key') }))).toEqual(['signer key: unsupported key type ed25519']);
  });
  it('missing or damaged PEM, with file labels', () => {
    const labels = { cert: 'a.crt', key: 'a.key', chain: 'c.pem' };
    expect(errorLines({ certPem: 'nothing', keyPem: pki('rsa.key'), labels })).toEqual(['a.crt: no PEM certificate found']);
    expect(errorLines({ certPem: pki('rsa.pem'), keyPem: pki('rsa.pem'), labels })).toEqual(['a.key: no PEM private key found']);
    expect(errorLines({ certPem: pki('rsa.pem'), keyPem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', labels })).toEqual(['a.key: the private key cannot be parsed']);
    expect(errorLines({ certPem: pki('rsa.pem'), keyPem: pki('rsa.key'), chainPem: 'junk', labels })).toEqual(['c.pem: no PEM certificate found']);
    expect(errorLines({ certPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', keyPem: pki('rsa.key'), labels })).toEqual(['a.crt: a PEM certificate block is damaged']);
  });
  it('an encrypted key, with a hint', () => {
    try {
      parseSigner(input('rsa', { keyPem: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n' }), NOW);
      expect.unreachable();
    } catch (e) {
      expect((e as MacvpnError).message).toBe('signer key: the private key is encrypted');
      expect((e as MacvpnError).hints).toEqual(['decrypt it first: openssl pkey -in KEY -out plain.pem']);
    }
  });
  it('never puts key material in a message', () => {
    const key = pki('other.key');
    const body = key.split('\n')[1]!;
    for (const lines of [errorLines(input('rsa', { keyPem: key })), errorLines({ certPem: pki('rsa.pem'), keyPem: key.replace(body, body.slice(0, 20)) })]) {
      expect(lines.join('\n')).not.toContain(body.slice(0, 16));
    }
  });
});

describe('signerTrust', () => {
  it('is Verified when the chain reaches a trusted root, Unverified otherwise', async () => {
    const { signerTrust } = await import('../../src/signing/signer-trust.js');
    const { rootCertificates } = await import('node:tls');
    const s = parseSigner(input('rsa-int', { chainPem: pki('int.pem') }), NOW);
    expect(signerTrust(s, [pki('root.pem')])).toMatchObject({ trust: 'verified', endsAt: 'CN=macvpn TEST ONLY Root CA, O=macvpn TEST ONLY' });
    expect(signerTrust(s, rootCertificates)).toMatchObject({ trust: 'unverified', endsAt: 'CN=macvpn TEST ONLY Root CA, O=macvpn TEST ONLY' });
    const withRoot = parseSigner(input('rsa-int', { chainPem: pki('int.pem') + pki('root.pem') }), NOW);
    expect(signerTrust(withRoot, rootCertificates).trust).toBe('unverified');
    expect(signerTrust(withRoot, [pki('root.pem')]).trust).toBe('verified');
  });
});
