/**
 * Issue 8: golden files for the iked server tree per release and auth mode, and byte-exact signed
 * IKEv2 profiles from test-only keys (test/fixtures/ikev2, test/fixtures/pki) and a fixed signing
 * time. Update with `npx vitest run test/vpn -u` (trees) or UPDATE_GOLDEN=1 (profiles) and review
 * the diff against docs/iked.md.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planServer } from '../../../src/plan/plan-server.js';
import { buildProfileXml } from '../../../src/apple/build-profile.js';
import { signProfile } from '../../../src/signing/sign-profile.js';
import { ROOT } from '../../helpers/cli.js';
import { loadFixtureSigner, openssl, PKI, SIGNING_TIME } from '../../signing/pki.js';
import { ikev2Site } from './fixture.js';
import { golden as goldenFile } from '../../helpers/golden-file.js';

const cases = [
  ['6.9-certificate-gcm', ikev2Site({ auth: 'certificate', suite: 'gcm' }), '6.9'],
  ['7.9-certificate-gcm', ikev2Site({ auth: 'certificate', suite: 'gcm' }), '7.9'],
  ['7.9-eap-cbc', ikev2Site({ auth: 'eap', suite: 'cbc' }), '7.9'],
] as const;

describe.each(cases)('iked server tree %s', (dir, site, version) => {
  const files = planServer(site, { openbsd: version });
  it('lists every file with its mode', async () => {
    const plan = files.map((f) => `${f.path} ${f.mode.toString(8).padStart(4, '0')}${f.secret ? ' secret' : ''}`).join('\n') + '\n';
    await expect(plan).toMatchFileSnapshot(`../../golden/ikev2/${dir}/PLAN`);
  });
  it.each(files.map((f) => [f.path, f] as const))('%s matches its golden file', async (_p, f) => {
    await expect(f.contents).toMatchFileSnapshot(`../../golden/ikev2/${dir}/${f.path}`);
  });
  it('ends every file with a newline, has no CR, and keeps the key and iked.conf 0600', () => {
    for (const f of files) {
      const text = f.contents as string;
      expect(text.endsWith('\n'), f.path).toBe(true);
      expect(text.includes('\r'), f.path).toBe(false);
    }
    expect(files.find((f) => f.path === 'etc/iked.conf')!.mode).toBe(0o600);
    expect(files.find((f) => f.path === 'etc/iked/private/local.key')!.mode).toBe(0o600);
  });
});

const GOLDEN = path.join(ROOT, 'test/golden/ikev2/profiles');
const golden = (name: string, bytes: Buffer) => goldenFile(GOLDEN, name, bytes);

describe.each([
  ['alice-certificate', ikev2Site({ auth: 'certificate', onDemand: { enabled: true, trustedWifi: ['Office Wi-Fi'] } }), 'alice'],
  ['bob-eap', ikev2Site({ auth: 'eap', suite: 'cbc' }), 'bob'],
] as const)('golden IKEv2 profile %s', (name, site, user) => {
  const xml = Buffer.from(buildProfileXml(site, site.users.find((u) => u.name === user)!, { includePassword: true, scope: 'System' }));
  const der = Buffer.from(signProfile(xml, loadFixtureSigner('rsa'), SIGNING_TIME));
  it('the unsigned plist is byte-exact', () => {
    expect(xml.equals(golden(`${name}.plist`, xml))).toBe(true);
  });
  it('the signed profile is byte-exact and openssl returns exactly the plist', () => {
    expect(der.equals(golden(`${name}.mobileconfig`, der))).toBe(true);
    const r = openssl(['cms', '-verify', '-inform', 'DER', '-in', path.join(GOLDEN, `${name}.mobileconfig`), '-CAfile', path.join(PKI, 'root.pem')]);
    expect(r.status).toBe(0);
    expect(r.stdout.equals(xml)).toBe(true);
  });
});
