// Unit tests of the lab's Mac stand-in (lab/profile-to-swanctl.mjs) on profiles built here.
// Run: node --test lab/test/      (needs openssl; no VM)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build as buildPlist } from 'plist';
import {
  appleIdentity, convertProfileFile, ProfileError, profileToSwanctl, proposals, resolveSa,
} from '../profile-to-swanctl.mjs';
import { cmsSign, genKey, issueCert, makeCa, makeP12 } from '../pki.mjs';

const dir = mkdtempSync(join(tmpdir(), 'p2s-test-'));
const caKey = genKey('rsa2048');
const caCert = makeCa(caKey, 'Test VPN CA');
const caFile = join(dir, 'ca.pem'); writeFileSync(caFile, caCert);
const signerKey = genKey('p256');
const signerCert = issueCert({ caCert, caKey, keyPem: signerKey, cn: 'signer', san: 'DNS:signer.test', eku: 'emailProtection', serial: '10' });
const userKey = genKey('p256');
const userCert = issueCert({ caCert, caKey, keyPem: userKey, cn: 'alice.vpn.test', san: 'DNS:alice.vpn.test', eku: 'clientAuth', serial: '11' });
const caDer = new X509Certificate(caCert).raw;
const CBC = { EncryptionAlgorithm: 'AES-256', IntegrityAlgorithm: 'SHA2-512', DiffieHellmanGroup: 20, LifeTimeInMinutes: 1440 };
const GCM = { ...CBC, EncryptionAlgorithm: 'AES-256-GCM' };

function certProfile({ p12 = makeP12({ keyPem: userKey, certPem: userCert, password: 'pw1', name: 'alice' }), ike = CBC, child = CBC, extra = {}, roots = [caDer] } = {}) {
  return {
    PayloadType: 'Configuration', PayloadVersion: 1, PayloadIdentifier: 'test.profile', PayloadUUID: 'P',
    PayloadContent: [
      ...roots.map((r, i) => ({ PayloadType: 'com.apple.security.root', PayloadContent: r, PayloadUUID: `R${i}`, PayloadVersion: 1, PayloadIdentifier: `test.root${i}` })),
      { PayloadType: 'com.apple.security.pkcs12', PayloadContent: p12, Password: 'pw1', PayloadUUID: 'U1', PayloadVersion: 1, PayloadIdentifier: 'test.p12' },
      {
        PayloadType: 'com.apple.vpn.managed', VPNType: 'IKEv2', PayloadUUID: 'V', PayloadVersion: 1, PayloadIdentifier: 'test.vpn',
        IKEv2: {
          RemoteAddress: 'vpn.test', RemoteIdentifier: 'vpn.test', LocalIdentifier: 'alice.vpn.test',
          AuthenticationMethod: 'Certificate', PayloadCertificateUUID: 'U1', CertificateType: 'ECDSA256',
          ServerCertificateIssuerCommonName: 'Test VPN CA', ExtendedAuthEnabled: 0,
          IKESecurityAssociationParameters: ike, ChildSecurityAssociationParameters: child,
          EnablePFS: 1, DisableMOBIKE: 0, DeadPeerDetectionRate: 'Medium', IncludeAllNetworks: 1, ...extra,
        },
      },
    ],
  };
}
function eapProfile(extra = {}) {
  const p = certProfile();
  p.PayloadContent = p.PayloadContent.filter((x) => x.PayloadType !== 'com.apple.security.pkcs12');
  const v = p.PayloadContent.find((x) => x.VPNType === 'IKEv2').IKEv2;
  delete v.PayloadCertificateUUID; delete v.CertificateType;
  Object.assign(v, { AuthenticationMethod: 'None', ExtendedAuthEnabled: 1, AuthName: 'erin', AuthPassword: 'pa"ss w', LocalIdentifier: 'erin', ...extra });
  return p;
}
const signed = (profile, name) => {
  const f = join(dir, name);
  writeFileSync(f, cmsSign({ content: Buffer.from(buildPlist(profile)), signerCert, signerKey, chain: caCert }));
  return f;
};
const throwsProfile = (fn, re) => assert.throws(fn, (e) => e instanceof ProfileError && re.test(e.message), `expected ProfileError ${re}`);

test('Apple SA parameters map to the strongSwan proposals iked accepts (cbc, gcm, PFS on/off)', () => {
  assert.deepEqual(proposals(CBC, CBC, true), { ike: 'aes256-sha512-prfsha512-ecp384', esp: 'aes256-sha512-ecp384' });
  assert.deepEqual(proposals(GCM, GCM, true), { ike: 'aes256gcm16-prfsha512-ecp384', esp: 'aes256gcm16-ecp384' });
  assert.deepEqual(proposals(CBC, CBC, false).esp, 'aes256-sha512');
  const d = resolveSa(undefined, undefined);
  assert.deepEqual(proposals(d, resolveSa(undefined, undefined), false), { ike: 'aes256-sha256-prfsha256-modp2048', esp: 'aes256-sha256' });
  // Child falls back to the IKE dictionary, key by key
  assert.equal(resolveSa({ DiffieHellmanGroup: 19 }, CBC).EncryptionAlgorithm, 'AES-256');
  assert.equal(resolveSa({ DiffieHellmanGroup: 19 }, CBC).DiffieHellmanGroup, 19);
  assert.equal(proposals({ ...CBC, DiffieHellmanGroup: 31 }, CBC, true).ike, 'aes256-sha512-prfsha512-curve25519');
  throwsProfile(() => proposals({ ...CBC, EncryptionAlgorithm: 'AES-512' }, CBC, true), /not an Apple value/);
  throwsProfile(() => proposals({ ...CBC, EncryptionAlgorithm: 'ChaCha20Poly1305' }, CBC, true), /ESP-only/);
  throwsProfile(() => proposals(CBC, { ...CBC, DiffieHellmanGroup: 99 }, true), /DiffieHellmanGroup 99/);
});

test('identities get an explicit type, as macOS sends them', () => {
  assert.equal(appleIdentity('vpn.example.com', 'x'), 'fqdn:vpn.example.com');
  assert.equal(appleIdentity('alice@example.com', 'x'), 'email:alice@example.com');
  assert.equal(appleIdentity('203.0.113.7', 'x'), 'ipv4:203.0.113.7');
  assert.equal(appleIdentity('CN=x,O=y', 'x'), 'fqdn:CN=x,O=y'); // never a DN
  throwsProfile(() => appleIdentity('', 'IKEv2.LocalIdentifier'), /LocalIdentifier is missing/);
  throwsProfile(() => appleIdentity('a"b', 'x'), /quote/);
});

test('certificate profile: signature checked, PKCS#12 opened, swanctl dir written', () => {
  const f = signed(certProfile(), 'cert.mobileconfig');
  const out = join(dir, 'swan-cert');
  const r = convertProfileFile(f, { ca: caFile, name: 'alice', out });
  assert.deepEqual(r.warnings, []);
  assert.equal(r.summary.auth.method, 'certificate');
  assert.equal(r.summary.auth.key, 'ECDSA256');
  assert.match(r.summary.auth.p12.keyBag, /3-KeyTripleDES/);
  assert.match(r.summary.signer, /CN=signer/);
  assert.match(r.conf, /remote_addrs = vpn\.test\n/);
  assert.match(r.conf, /proposals = aes256-sha512-prfsha512-ecp384\n/);
  assert.match(r.conf, /esp_proposals = aes256-sha512-ecp384\n/);
  assert.match(r.conf, /local \{\n\s+auth = pubkey\n\s+certs = alice\.crt\n\s+id = "fqdn:alice\.vpn\.test"/);
  assert.match(r.conf, /remote \{\n\s+auth = pubkey\n\s+id = "fqdn:vpn\.test"\n\s+cacerts = alice-root\.pem/);
  assert.match(r.conf, /vips = 0\.0\.0\.0/);
  assert.match(r.conf, /remote_ts = 0\.0\.0\.0\/0/);
  assert.equal(new X509Certificate(readFileSync(join(out, 'x509', 'alice.crt'))).fingerprint256, new X509Certificate(userCert).fingerprint256);
  assert.equal(new X509Certificate(readFileSync(join(out, 'x509ca', 'alice-root.pem'))).fingerprint256, new X509Certificate(caCert).fingerprint256);
  assert.equal(statSync(join(out, 'private', 'alice.key')).mode & 0o777, 0o600);
  assert.match(readFileSync(join(out, 'private', 'alice.key'), 'utf8'), /BEGIN PRIVATE KEY/);
});

test('EAP profile: eap-mschapv2 with AuthName, password hex-encoded in secrets', () => {
  const r = profileToSwanctl(eapProfile(), { name: 'erin' });
  assert.match(r.conf, /auth = eap-mschapv2\n\s+id = "fqdn:erin"\n\s+eap_id = "erin"/);
  assert.match(r.conf, new RegExp(`secret = 0x${Buffer.from('pa"ss w').toString('hex')}`));
  assert.match(r.conf, /remote \{\n\s+auth = pubkey/); // the server still proves itself with its certificate
  throwsProfile(() => profileToSwanctl(eapProfile({ AuthPassword: undefined }), {}), /AuthPassword is missing/);
  throwsProfile(() => profileToSwanctl(eapProfile({ ExtendedAuthEnabled: 0 }), {}), /needs IKEv2\.SharedSecret/);
});

test('a profile a Mac would reject is rejected', () => {
  // signed by a CA other than the site's
  const otherKey = genKey('p256'); const other = makeCa(otherKey, 'Other');
  const otherFile = join(dir, 'other.pem'); writeFileSync(otherFile, other);
  const f = signed(certProfile(), 'cert2.mobileconfig');
  throwsProfile(() => convertProfileFile(f, { ca: otherFile }), /openssl cms/);
  // tampered after signing
  const bytes = readFileSync(f); const i = bytes.indexOf(Buffer.from('vpn.test')); bytes[i] = 'w'.charCodeAt(0);
  const t = join(dir, 'tampered.mobileconfig'); writeFileSync(t, bytes);
  throwsProfile(() => convertProfileFile(t, { ca: caFile }), /openssl cms/);
  // PKCS#12 in the OpenSSL 3 default (AES/PBKDF2) form
  throwsProfile(() => profileToSwanctl(certProfile({ p12: makeP12({ keyPem: userKey, certPem: userCert, password: 'pw1', name: 'a', legacy: false }) })),
    /key bag is PBES2.*Macs import only/);
  // wrong Password
  const p = certProfile(); p.PayloadContent[1].Password = 'nope';
  throwsProfile(() => profileToSwanctl(p), /pkcs12.*failed/i);
  // CertificateType does not match the key
  throwsProfile(() => profileToSwanctl(certProfile({ extra: { CertificateType: 'RSA' } })), /CertificateType is RSA but the PKCS#12 key is ECDSA256/);
  // no trust anchor, dangling certificate UUID, two IKEv2 payloads
  throwsProfile(() => profileToSwanctl(certProfile({ roots: [] })), /no com\.apple\.security\.root/);
  throwsProfile(() => profileToSwanctl(certProfile({ extra: { PayloadCertificateUUID: 'nope' } })), /no payload has PayloadUUID nope/);
  const two = certProfile(); two.PayloadContent.push(two.PayloadContent[2]);
  throwsProfile(() => profileToSwanctl(two), /exactly one/);
});

test('warnings for what only a Mac checks', () => {
  const r = profileToSwanctl(certProfile({ extra: { LocalIdentifier: 'bob.vpn.test', ServerCertificateIssuerCommonName: 'Nope CA' } }), { name: 'a' });
  assert.ok(r.warnings.some((w) => /LocalIdentifier bob\.vpn\.test is not a subjectAltName/.test(w)));
  assert.ok(r.warnings.some((w) => /ServerCertificateIssuerCommonName "Nope CA"/.test(w)));
  const r2 = profileToSwanctl(certProfile({ extra: { DisableMOBIKE: 1, DeadPeerDetectionRate: 'High', EnablePFS: 0 } }), { name: 'a' });
  assert.match(r2.conf, /mobike = no/);
  assert.match(r2.conf, /dpd_delay = 60s/);
  assert.match(r2.conf, /esp_proposals = aes256-sha512\n/);
});
