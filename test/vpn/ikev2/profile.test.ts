/**
 * Issue 8: the IKEv2 profile conforms to Apple's schema (vpn.managed, pkcs12, root), its IKEv2
 * dictionary agrees with the iked.conf rendered from the same site where they must (suite,
 * identities, pool, DNS), its PKCS#12 opens with its own Password in openssl's legacy mode, and
 * the identity certificate chains to the root payload.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'plist';
import { buildProfileXml } from '../../../src/apple/build-profile.js';
import { readTypedPlist } from '../../../src/apple/read-plist.js';
import { checkProfile } from '../../../src/apple/check-profile.js';
import { renderIkedConf } from '../../../src/vpn/ikev2/render-iked-conf.js';
import { openbsdRelease } from '../../../src/openbsd/versions.js';
import { SUITES } from '../../../src/vpn/ikev2/suites.js';
import { schemaProblems } from '../../helpers/apple-schema.js';
import { tempDir } from '../../helpers/cli.js';
import { openssl } from '../../signing/pki.js';
import { ikev2Site } from './fixture.js';

const dir = tempDir('macvpn-ikev2-profile-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Apple's names → iked's (iked.conf.5 CRYPTO TRANSFORMS; iked.md §2). */
const IKED_ENC: Record<string, string> = { 'AES-256-GCM': 'aes-256-gcm', 'AES-256': 'aes-256' };
const IKED_HASH: Record<string, string> = { 'SHA2-256': 'hmac-sha2-256', 'SHA2-384': 'hmac-sha2-384', 'SHA2-512': 'hmac-sha2-512' };
const IKED_GROUP: Record<number, string> = { 19: 'ecp256', 20: 'ecp384', 21: 'ecp521', 31: 'curve25519' };

/** The iked transforms an Apple SA dictionary stands for (with GCM the integrity value is the PRF). */
function ikedTransforms(sa: { EncryptionAlgorithm: string; IntegrityAlgorithm: string; DiffieHellmanGroup: number }, child: boolean): string {
  const gcm = sa.EncryptionAlgorithm.endsWith('GCM');
  const parts = [`enc ${IKED_ENC[sa.EncryptionAlgorithm]}`];
  if (!gcm) parts.push(`auth ${IKED_HASH[sa.IntegrityAlgorithm]}`);
  if (!child) parts.push(`prf ${IKED_HASH[sa.IntegrityAlgorithm]}`);
  parts.push(`group ${IKED_GROUP[sa.DiffieHellmanGroup]}`);
  return parts.join(' ');
}

const clause = (conf: string, word: string) => new RegExp(`^\\t${word} (.*?)(?: \\\\)?$`, 'm').exec(conf)?.[1];

describe.each([
  ['certificate', 'gcm'],
  ['certificate', 'cbc'],
  ['eap', 'gcm'],
  ['eap', 'cbc'],
] as const)('IKEv2 profile, %s mode, %s suite', (auth, suite) => {
  const site = ikev2Site({ auth, suite, onDemand: { enabled: true, trustedWifi: ['Office'] } });
  const alice = site.users[0]!;
  const xml = buildProfileXml(site, alice, { includePassword: true, scope: 'System' });
  const obj = parse(Buffer.from(xml).toString('utf8')) as any;
  const vpn = obj.PayloadContent.find((p: any) => p.PayloadType === 'com.apple.vpn.managed');
  const ike = vpn.IKEv2;
  const conf = renderIkedConf(site, openbsdRelease('7.9')!);

  it('conforms to Apple\'s schema files', () => {
    expect(schemaProblems(xml)).toEqual([]);
  });
  it('passes macvpn\'s own profile check', () => {
    expect(checkProfile(readTypedPlist(xml)).problems).toEqual([]);
  });
  it('proposes exactly the suite iked.conf lists, for the IKE SA and the Child SA', () => {
    expect(ike.IKESecurityAssociationParameters).toEqual(SUITES[suite].ike);
    expect(ike.ChildSecurityAssociationParameters).toEqual(SUITES[suite].child);
    expect(clause(conf, 'ikesa')).toBe(ikedTransforms(ike.IKESecurityAssociationParameters, false));
    expect(clause(conf, 'childsa')).toBe(ikedTransforms(ike.ChildSecurityAssociationParameters, true));
    expect(ike.EnablePFS).toBe(1);
  });
  it('names the server as iked.conf\'s srcid and dials it', () => {
    expect(clause(conf, 'srcid')).toBe(`"${ike.RemoteIdentifier}"`);
    expect(ike.RemoteAddress).toBe(site.server);
  });
  it('uses the pool and DNS iked hands out, and sends all traffic', () => {
    expect(clause(conf, 'config address')).toBe(site.pool.cidr);
    expect(conf).toContain(`\tconfig name-server ${vpn.DNS.ServerAddresses[0]} \\`);
    expect(ike.IncludeAllNetworks).toBe(1);
  });
  it('connects on demand except on the trusted Wi-Fi', () => {
    expect(ike.OnDemandEnabled).toBe(1);
    expect(ike.OnDemandRules).toEqual([{ Action: 'Disconnect', InterfaceTypeMatch: 'WiFi', SSIDMatch: ['Office'] }, { Action: 'Connect' }]);
  });
  it('carries the VPN CA as a root payload whose CN the Mac asks the server for', () => {
    const root = obj.PayloadContent.find((p: any) => p.PayloadType === 'com.apple.security.root');
    const f = path.join(dir, `${auth}-${suite}-ca.der`);
    fs.writeFileSync(f, root.PayloadContent);
    const r = openssl(['x509', '-inform', 'DER', '-in', f, '-noout', '-subject']);
    expect(r.stdout.toString()).toContain(`CN = ${ike.ServerCertificateIssuerCommonName}`);
  });
  if (auth === 'certificate') {
    it('holds a legacy PKCS#12 that opens with its payload\'s Password, for the LocalIdentifier', () => {
      const p12 = obj.PayloadContent.find((p: any) => p.PayloadType === 'com.apple.security.pkcs12');
      expect(ike.PayloadCertificateUUID).toBe(p12.PayloadUUID);
      expect(ike.AuthenticationMethod).toBe('Certificate');
      expect(ike.CertificateType).toBe('ECDSA256');
      const f = path.join(dir, `${suite}.p12`);
      fs.writeFileSync(f, p12.PayloadContent);
      const info = openssl(['pkcs12', '-info', '-legacy', '-in', f, '-nokeys', '-passin', `pass:${p12.Password}`]);
      expect(info.status).toBe(0);
      expect(info.stderr).toContain('pbeWithSHA1And3-KeyTripleDES-CBC');
      expect(info.stderr).toContain('MAC: sha1');
      const cert = openssl(['pkcs12', '-legacy', '-in', f, '-nokeys', '-clcerts', '-passin', `pass:${p12.Password}`]);
      const pemFile = path.join(dir, `${suite}-alice.pem`);
      fs.writeFileSync(pemFile, cert.stdout);
      const text = openssl(['x509', '-in', pemFile, '-noout', '-ext', 'subjectAltName,extendedKeyUsage']).stdout.toString();
      expect(text).toContain(`DNS:${ike.LocalIdentifier}`);
      expect(text).toContain('TLS Web Client Authentication');
      expect(openssl(['pkcs12', '-legacy', '-in', f, '-nokeys', '-passin', 'pass:wrong']).status).not.toBe(0);
    });
  } else {
    it('logs in with EAP as the user, with the password iked.conf holds', () => {
      expect(ike.AuthenticationMethod).toBe('None');
      expect(ike.ExtendedAuthEnabled).toBe(1);
      expect(ike.AuthName).toBe('alice');
      expect(conf).toContain(`user "alice" "${ike.AuthPassword}"`);
      expect(conf).toContain('\teap "mschap-v2" \\');
      expect(obj.PayloadContent.some((p: any) => p.PayloadType === 'com.apple.security.pkcs12')).toBe(false);
    });
  }
  it('keeps the L2TP profile\'s top-level identifier, so it replaces an installed L2TP VPN', () => {
    expect(obj.PayloadIdentifier).toBe('com.example.vpn.macvpn.alice');
  });
});
