import fs from 'node:fs';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { signProfile } from '../../src/signing/sign-profile.js';
import { verifyProfileSignature, type VerifyOptions } from '../../src/signing/verify-cms.js';
import { loadFixtureSigner, NOW, openssl, PKI, pki, SIGNING_TIME } from './pki.js';

const CONTENT = new TextEncoder().encode('<?xml version="1.0"?>\n<plist><string>Š 👻 &amp;</string></plist>\n');
const withRoot: VerifyOptions = { now: NOW, roots: rootCertificates, extraTrusted: [pki('root.pem')] };
const systemOnly: VerifyOptions = { now: NOW, roots: rootCertificates };

/** Signs with openssl itself (interop): extra args e.g. ['-md', 'sha1'] or ['-stream'] (BER). */
function opensslSign(name: string, extra: string[] = []): Uint8Array {
  const dir = tempDir('macvpn-cms-');
  const input = path.join(dir, 'in.plist');
  fs.writeFileSync(input, CONTENT);
  const r = openssl(['cms', '-sign', '-nodetach', '-binary', '-outform', 'DER', '-in', input,
    '-signer', path.join(PKI, `${name}.pem`), '-inkey', path.join(PKI, `${name}.key`), ...extra]);
  fs.rmSync(dir, { recursive: true, force: true });
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('verifyProfileSignature', () => {
  it('accepts our RSA, P-256 and intermediate-chain profiles and returns the exact content', () => {
    for (const [name, chain] of [['rsa'], ['p256'], ['rsa-int', 'int.pem']] as const) {
      const signer = loadFixtureSigner(name, chain);
      const r = verifyProfileSignature(signProfile(CONTENT, signer, SIGNING_TIME), withRoot);
      expect(r.problems).toEqual([]);
      expect(r).toMatchObject({ signed: true, signatureValid: true, chainValid: true, trust: 'verified', anchor: 'extra' });
      expect(Buffer.from(r.content).equals(Buffer.from(CONTENT))).toBe(true);
      expect(r.signedAt).toEqual(SIGNING_TIME);
      expect(r.signer?.keyType).toBe(signer.keyType);
      expect(r.chain.at(-1)?.subject).toBe('CN=macvpn TEST ONLY Root CA, O=macvpn TEST ONLY');
    }
  });

  it('reports a flipped content byte', () => {
    const der = Buffer.from(signProfile(CONTENT, loadFixtureSigner('rsa'), SIGNING_TIME));
    der[der.indexOf(Buffer.from('plist'))] ^= 0x01;
    const r = verifyProfileSignature(der, withRoot);
    expect(r.signatureValid).toBe(false);
    expect(r.trust).toBe('unverified');
    expect(r.problems).toEqual(['content does not match the signed message digest (the profile was changed after signing)']);
  });

  it('reports a flipped signature byte', () => {
    const der = Buffer.from(signProfile(CONTENT, loadFixtureSigner('p256'), SIGNING_TIME));
    der[der.length - 5] ^= 0x01; // inside the ECDSA signature, the last element
    const r = verifyProfileSignature(der, withRoot);
    expect(r.signatureValid).toBe(false);
    expect(r.problems.join('\n')).toMatch(/signature does not verify|malformed/);
  });

  it('is "unverified" with a note when the root is not trusted, with no problem', () => {
    const r = verifyProfileSignature(signProfile(CONTENT, loadFixtureSigner('rsa'), SIGNING_TIME), systemOnly);
    expect(r).toMatchObject({ signatureValid: true, chainValid: true, trust: 'unverified', problems: [] });
    expect(r.notes).toEqual(['the issuer of CN=TEST ONLY RSA signer, O=macvpn TEST ONLY (CN=macvpn TEST ONLY Root CA, O=macvpn TEST ONLY) is neither embedded nor trusted']);
  });

  it('reports an expired signer certificate at `now`', () => {
    const r = verifyProfileSignature(signProfile(CONTENT, loadFixtureSigner('rsa'), SIGNING_TIME), { ...withRoot, now: new Date('2100-01-02T00:00:00Z') });
    expect(r.signatureValid).toBe(true);
    expect(r.chainValid).toBe(false);
    expect(r.problems).toContain('certificate CN=TEST ONLY RSA signer, O=macvpn TEST ONLY expired on 2099-12-31T23:59:59.000Z');
  });

  it('verifies profiles signed by openssl, including BER (indefinite-length) output', () => {
    for (const extra of [[], ['-stream'], ['-md', 'sha384']]) {
      const r = verifyProfileSignature(opensslSign('p256', extra), withRoot);
      expect(r.problems).toEqual([]);
      expect(r.trust).toBe('verified');
      expect(Buffer.from(r.content).equals(Buffer.from(CONTENT))).toBe(true);
    }
  });

  it('rejects a SHA-1 digest', () => {
    const r = verifyProfileSignature(opensslSign('rsa', ['-md', 'sha1']), withRoot);
    expect(r.signatureValid).toBe(false);
    expect(r.problems).toEqual(['digest algorithm 1.3.14.3.2.26 is not accepted (only SHA-256, SHA-384, SHA-512)']);
  });

  it('reports unsigned XML as signed: false, and garbage as a problem', () => {
    const r = verifyProfileSignature(CONTENT, withRoot);
    expect(r).toMatchObject({ signed: false, trust: 'unsigned', problems: [] });
    expect(r.content).toBe(CONTENT);
    const bad = verifyProfileSignature(Uint8Array.of(0x30, 0x82, 0xff), withRoot);
    expect(bad.signed).toBe(false);
    expect(bad.problems[0]).toMatch(/^neither a plist nor a CMS signed profile/);
  });
});
