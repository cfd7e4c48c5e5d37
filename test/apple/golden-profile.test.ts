/**
 * A byte-exact signed profile from test-only keys (test/fixtures/pki, TEST ONLY) and a fixed
 * signing time. RSA PKCS#1 v1.5 is deterministic, so any change in the plist, the identifiers or
 * the CMS encoding shows up here. Regenerate deliberately: UPDATE_GOLDEN=1 npx vitest run test/apple
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProfileXml } from '../../src/apple/build-profile.js';
import { signProfile } from '../../src/signing/sign-profile.js';
import { verifyProfileSignature } from '../../src/signing/verify-cms.js';
import { fixtureSite } from '../helpers/site-fixture.js';
import { ROOT } from '../helpers/cli.js';
import { loadFixtureSigner, NOW, openssl, pki, PKI, SIGNING_TIME } from '../signing/pki.js';
import { golden as goldenFile } from '../helpers/golden-file.js';

const GOLDEN = path.join(ROOT, 'test/golden/profiles');
const site = fixtureSite({ organization: 'Exämple & Co <VPN>' }, { alice: 'p<a&s>s"w\'d' });
const xml = Buffer.from(buildProfileXml(site, site.users[0]!, { includePassword: true, scope: 'System' }));
const der = Buffer.from(signProfile(xml, loadFixtureSigner('rsa'), SIGNING_TIME));

const golden = (name: string, bytes: Buffer) => goldenFile(GOLDEN, name, bytes);

describe('golden profile', () => {
  it('the unsigned plist is byte-exact', () => {
    expect(xml.equals(golden('alice.plist', xml))).toBe(true);
  });
  it('the signed profile is byte-exact', () => {
    expect(der.equals(golden('alice.mobileconfig', der))).toBe(true);
  });
  it('openssl verifies it and returns exactly the plist', () => {
    const f = path.join(GOLDEN, 'alice.mobileconfig');
    const r = openssl(['cms', '-verify', '-inform', 'DER', '-in', f, '-CAfile', path.join(PKI, 'root.pem')]);
    expect(r.status).toBe(0);
    expect(r.stdout.equals(xml)).toBe(true);
  });
  it('macvpn verification agrees and reads the signing time back', () => {
    const report = verifyProfileSignature(der, { now: NOW, roots: [pki('root.pem')] });
    expect(report.problems).toEqual([]);
    expect(report.trust).toBe('verified');
    expect(report.signedAt?.toISOString()).toBe(SIGNING_TIME.toISOString());
    expect(Buffer.from(report.content).equals(xml)).toBe(true);
  });
});
