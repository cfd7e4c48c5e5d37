// lab/breaks.mjs - `--break X`: corrupt ONE generated input after prepare(), the way a generator
// bug would, so that the matching scenario must FAIL (the lab can tell good output from bad).
// Profiles are re-signed with the site's own signer key (found in secrets/ by matching the
// signer certificate's public key) so that the corruption, not a broken signature, is what the
// Mac stand-in and the router see.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { build as buildPlist, parse as parsePlist } from 'plist';
import { cmsOpen, cmsSign, findKeyFor, genKey, issueCert, makeCa, makeP12 } from './pki.mjs';
import { openPkcs12 } from './profile-to-swanctl.mjs';

export const BREAKS = {
  crl: { scenario: 3, what: 'server/etc/iked/crls/ca.crl left out of the router tree (the removed user is not revoked)' },
  'server-san': { scenario: 1, what: 'server certificate re-issued with subjectAltName DNS:wrong.SERVER (same key, same CA)' },
  'user-san': { scenario: 1, what: "alice's certificate in her profile re-issued with subjectAltName DNS:wrong-alice.SERVER" },
  suite: { scenario: 1, what: "alice's profile asks for DiffieHellmanGroup 19 (ecp256) instead of the router's ecp384" },
  pool: { scenario: 1, what: "iked.conf hands out 10.77.0.0/24 instead of the site's pool" },
  root: { scenario: 1, what: "alice's profile trusts an unrelated CA (com.apple.security.root replaced)" },
  // not in the issue's list; shows that scenario 6 depends on iked.conf's `set fragmentation`
  fragmentation: { scenario: 6, what: 'iked.conf without "set fragmentation" (RFC 7383 off)' },
};

const certBoot = (plan) => plan.boots.find((b) => b.id === 'cert');
const caseOf = (plan, id) => plan.boots.flatMap((b) => b.cases).find((c) => c.id === id);

function rewriteProfile(file, caFile, site, mutate) {
  const { content, signer } = cmsOpen(file, caFile);
  const profile = parsePlist(content.toString('utf8'));
  mutate(profile);
  const key = findKeyFor(signer, site);
  if (!key) throw new Error(`--break: no private key for the profile signer under ${site}`);
  const xml = Buffer.from(buildPlist(profile) + '\n');
  writeFileSync(file, cmsSign({ content: xml, signerCert: signer, signerKey: key.pem, chain: readFileSync(caFile, 'utf8') }), { mode: 0o600 });
}

// The CA that issues VPN certificates is the router's trust anchor (etc/iked/ca/ca.crt); it may
// differ from ca.pem (the CA of the profile signer). Its key is found in secrets/ by matching.
function siteCa(site) {
  const caCert = readFileSync(join(site, 'server', 'etc', 'iked', 'ca', 'ca.crt'), 'utf8');
  const key = findKeyFor(caCert, join(site, 'secrets'));
  if (!key) throw new Error(`--break: no key for the VPN CA (server/etc/iked/ca/ca.crt) under ${site}/secrets`);
  return { caCert, caKey: key.pem };
}

/** Re-issue pem (same public key) under the site CA with another SAN; key = PEM of its private key. */
function reissue(site, pem, keyPem, san) {
  const c = new X509Certificate(pem);
  const eku = c.keyUsage?.includes('1.3.6.1.5.5.7.3.1') ? 'serverAuth,1.3.6.1.5.5.8.2.2' : 'clientAuth';
  const cn = /CN=([^\n]+)/.exec(c.subject)?.[1] ?? 'broken';
  return issueCert({ ...siteCa(site), keyPem, cn, san, eku, serial: (BigInt('0x' + c.serialNumber) + 0x7000n).toString(16) });
}

const vpnOf = (profile) => profile.PayloadContent.find((p) => p.PayloadType === 'com.apple.vpn.managed');

/** Apply break X to the prepared plan; returns a description of what was changed. */
export function applyBreak(plan, x) {
  const boot = certBoot(plan);
  const alice = caseOf(plan, 's1-alice');
  const etc = join(boot.server, 'etc');
  switch (x) {
    case 'crl':
      rmSync(join(etc, 'iked', 'crls', 'ca.crl'));
      return 'removed server/etc/iked/crls/ca.crl';
    case 'server-san': {
      const dir = join(etc, 'iked', 'certs');
      const f = readdirSync(dir).find((n) => n.endsWith('.crt'));
      const pem = readFileSync(join(dir, f), 'utf8');
      const keyPem = readFileSync(join(etc, 'iked', 'private', 'local.key'), 'utf8');
      writeFileSync(join(dir, f), reissue(boot.site, pem, keyPem, `DNS:wrong.${new X509Certificate(pem).subjectAltName.replace(/^DNS:/, '').split(',')[0]}`));
      return `re-issued server/etc/iked/certs/${f} with a wrong subjectAltName`;
    }
    case 'user-san':
      rewriteProfile(alice.profile, alice.ca, boot.site, (p) => {
        const v = vpnOf(p);
        const p12p = p.PayloadContent.find((q) => q.PayloadUUID === v.IKEv2.PayloadCertificateUUID);
        const id = openPkcs12(Buffer.from(p12p.PayloadContent), p12p.Password);
        const leaf = id.certs.find((c) => new X509Certificate(c).checkPrivateKey(createPrivateKey(id.keyPem)));
        const newCert = reissue(boot.site, leaf, id.keyPem, `DNS:wrong-${v.IKEv2.LocalIdentifier}`);
        p12p.PayloadContent = makeP12({ keyPem: id.keyPem, certPem: newCert, password: p12p.Password, name: 'broken' });
      });
      return `alice's profile: PKCS#12 certificate re-issued with a wrong subjectAltName (LocalIdentifier unchanged)`;
    case 'suite':
      rewriteProfile(alice.profile, alice.ca, boot.site, (p) => {
        const v = vpnOf(p);
        v.IKEv2.IKESecurityAssociationParameters.DiffieHellmanGroup = 19;
        v.IKEv2.ChildSecurityAssociationParameters.DiffieHellmanGroup = 19;
      });
      return "alice's profile: DiffieHellmanGroup 20 -> 19 (IKE and Child)";
    case 'pool': {
      const f = join(etc, 'iked.conf');
      const text = readFileSync(f, 'utf8');
      if (!text.includes(`config address ${boot.expect.pool}`)) throw new Error(`--break pool: iked.conf has no "config address ${boot.expect.pool}"`);
      writeFileSync(f, text.replace(`config address ${boot.expect.pool}`, 'config address 10.77.0.0/24'), { mode: 0o600 });
      return `iked.conf: config address ${boot.expect.pool} -> 10.77.0.0/24`;
    }
    case 'root':
      rewriteProfile(alice.profile, alice.ca, boot.site, (p) => {
        const r = p.PayloadContent.find((q) => q.PayloadType === 'com.apple.security.root');
        r.PayloadContent = new X509Certificate(makeCa(genKey('p256'), 'Unrelated Root CA')).raw;
      });
      return "alice's profile: com.apple.security.root replaced by an unrelated CA";
    case 'fragmentation': {
      const f = join(etc, 'iked.conf');
      const text = readFileSync(f, 'utf8');
      if (!/^\s*set\s+fragmentation\s*$/m.test(text)) throw new Error('--break fragmentation: iked.conf has no "set fragmentation" line');
      writeFileSync(f, text.replace(/^\s*set\s+fragmentation\s*$/m, '# set fragmentation   (removed by --break fragmentation)'), { mode: 0o600 });
      return 'iked.conf: "set fragmentation" commented out';
    }
    default:
      throw new Error(`unknown --break ${x} (one of ${Object.keys(BREAKS).join(', ')})`);
  }
}
