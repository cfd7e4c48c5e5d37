import fs from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { siteSignerFiles } from '../../src/cli/signer-files.js';
import { certFields } from '../../src/signing/cert-fields.js';
import { parseSigner } from '../../src/signing/signer.js';
import { signProfile } from '../../src/signing/sign-profile.js';
import { verifyProfileSignature } from '../../src/signing/verify-cms.js';
import type { Settings } from '../../src/site/types.js';
import { openssl, opensslVerify } from './pki.js';

const settings = (organization: string): Settings => ({
  server: 'vpn.example.com', listen: 'egress', openbsd: '7.9', pool: { cidr: '10.0.0.0/24', network: 0x0a000000, prefix: 24 },
  dns: [], organization, identifier: 'com.example.vpn', compat: 'modern', users: [],
});
const NOW = new Date('2026-03-04T05:06:07Z');
const text = (files: ReturnType<typeof siteSignerFiles>, p: string) => String(files.find((f) => f.path === p)!.contents);

describe('siteSignerFiles (init)', () => {
  const files = siteSignerFiles(settings('A&B <Ops> "x"'), NOW);

  it('plans the CA key, signer key, cert and chain as 0600 in secrets/, ca.pem 0644', () => {
    expect(files.map((f) => `${f.path} ${f.mode.toString(8)}${f.secret ? ' secret' : ''}`)).toEqual([
      'secrets/ca-key.pem 600 secret',
      'secrets/signer-key.pem 600 secret',
      'secrets/signer-cert.pem 600',
      'secrets/signer-chain.pem 600',
      'ca.pem 644',
    ]);
    expect(text(files, 'ca.pem')).toBe(text(files, 'secrets/signer-chain.pem'));
  });

  it('makes a CA and a signer that openssl accepts, with the promised extensions and dates', () => {
    const ca = new X509Certificate(text(files, 'ca.pem'));
    const leaf = new X509Certificate(text(files, 'secrets/signer-cert.pem'));
    // node escapes RFC 4514 specials when it prints names
    expect(ca.subject).toBe('O=A&B \\<Ops\\> \\"x\\"\nCN=A&B \\<Ops\\> \\"x\\" macvpn CA');
    expect(leaf.subject).toBe('O=A&B \\<Ops\\> \\"x\\"\nCN=A&B \\<Ops\\> \\"x\\" profile signing');
    expect(openssl(['x509', '-noout', '-subject', '-nameopt', 'utf8'], Buffer.from(text(files, 'ca.pem'))).stdout.toString()).toBe('subject=O=A&B <Ops> "x", CN=A&B <Ops> "x" macvpn CA\n');
    const caF = certFields(ca.raw);
    const leafF = certFields(leaf.raw);
    expect(caF).toMatchObject({ isCA: true, keyUsage: ['keyCertSign', 'cRLSign'], notBefore: new Date('2026-03-04T04:06:07Z') });
    expect(caF.notAfter.getUTCFullYear()).toBe(2036);
    expect(leafF).toMatchObject({ isCA: false, keyUsage: ['digitalSignature'], extKeyUsage: ['1.3.6.1.5.5.7.3.4', '1.3.6.1.5.5.7.3.3'] });
    expect(leafF.notAfter.getUTCFullYear()).toBe(2029);
    expect(caF.serialHex).not.toBe(leafF.serialHex);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'ca.pem'), text(files, 'ca.pem'));
    fs.writeFileSync(path.join(dir, 'leaf.pem'), text(files, 'secrets/signer-cert.pem'));
    const r = openssl(['verify', '-attime', String(NOW.getTime() / 1000 + 86400), '-purpose', 'smimesign', '-CAfile', path.join(dir, 'ca.pem'), path.join(dir, 'leaf.pem')]);
    expect(r.stdout.toString()).toContain(': OK');
    const dump = openssl(['x509', '-noout', '-text', '-in', path.join(dir, 'ca.pem')]).stdout.toString();
    expect(dump).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(dump).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
  });

  it('signs profiles that openssl verifies against ca.pem without -purpose any', () => {
    const signer = parseSigner({ certPem: text(files, 'secrets/signer-cert.pem'), keyPem: text(files, 'secrets/signer-key.pem'), chainPem: text(files, 'secrets/signer-chain.pem') }, NOW);
    const der = signProfile(new TextEncoder().encode('<plist/>\n'), signer, NOW);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'ca.pem'), text(files, 'ca.pem'));
    const r = opensslVerify(der, path.join(dir, 'ca.pem'), ['-attime', String(NOW.getTime() / 1000 + 60)]);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe('<plist/>\n');
    const report = verifyProfileSignature(der, { now: NOW, roots: [], extraTrusted: [text(files, 'ca.pem')] });
    expect(report).toMatchObject({ trust: 'verified', problems: [] });
    expect(verifyProfileSignature(der, { now: NOW, roots: [] })).toMatchObject({ trust: 'unverified', problems: [], chainValid: true });
  });

  it('keeps common names within 64 characters for long organisation names', () => {
    const f = siteSignerFiles(settings('Ö'.repeat(80)), NOW);
    const cn = new X509Certificate(text(f, 'secrets/signer-cert.pem')).subject.split('\n').find((l) => l.startsWith('CN='))!;
    expect([...cn.slice(3)].length).toBe(64);
  });
});
