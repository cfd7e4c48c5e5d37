/**
 * Users added to macvpn.yaml by hand on a site already built: the next (incremental) build has no
 * threads of its own when it starts, so for 200 or more missing identities it starts some to issue
 * them (src/cli/site-edit.ts planSiteSync), as `user add --from` does. What must hold is what the
 * serial path gave: every certificate verifies against the VPN CA, each PKCS#12 opens with its
 * user's password, and every user has a profile carrying it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin, tempDir } from '../../helpers/cli.js';
import { openssl } from '../../signing/pki.js';
import { parseSite } from '../../../src/site/parse-site.js';
import { renderSiteYaml } from '../../../src/site/render-site-yaml.js';
import { renderPasswords } from '../../../src/site/secrets.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('identities for users added to macvpn.yaml by hand', () => {
  it('an incremental build issues 250 of them, all sound, and signs their profiles', async () => {
    const site = tempDir('macvpn-hand-');
    dirs.push(site);
    const init = await runBin(['init', '--vpn', 'ikev2', '--server', 'vpn.example.com', '--pool', '10.8.0.0/16'], { cwd: site });
    expect(init.code, init.stderr).toBe(0);
    const parsed = parseSite(fs.readFileSync(path.join(site, 'macvpn.yaml'), 'utf8'));
    if (!parsed.ok) throw new Error('fixture site');
    const write = (n: number) => {
      const users = Array.from({ length: n }, (_, i) => ({ name: `user${i}` }));
      fs.writeFileSync(path.join(site, 'macvpn.yaml'), renderSiteYaml({ ...parsed.settings, users }));
      fs.writeFileSync(path.join(site, 'secrets/passwords.json'), renderPasswords(new Map(users.map((u, i) => [u.name, `Password-${i}-abcdefghij`]))), { mode: 0o600 });
    };
    write(10);
    expect((await runBin(['build', '--quiet'], { cwd: site })).code).toBe(0);
    expect(fs.existsSync(path.join(site, '.macvpn-build.json'))).toBe(true);

    write(260);
    const r = await runBin(['build', '--quiet'], { cwd: site });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^issued certificates to 247 more users \(250 in all\)/m);
    expect(r.stdout).toContain('wrote 250 signed profiles');
    expect(r.stdout).toContain('10 unchanged since the last build');

    const certs = Array.from({ length: 250 }, (_, i) => path.join(site, 'pki/users', `user${i + 10}.pem`));
    const v = openssl(['verify', '-CAfile', path.join(site, 'pki/vpn-ca.pem'), ...certs]);
    expect(v.status, v.stderr.toString()).toBe(0);
    expect(v.stdout.toString().trim().split('\n').filter((l) => l.endsWith(': OK'))).toHaveLength(250);
    const serials = certs.map((f) => openssl(['x509', '-noout', '-serial', '-in', f]).stdout.toString().trim());
    expect(new Set(serials).size).toBe(250);
    for (const i of [10, 135, 259]) {
      const p12 = path.join(site, 'secrets/users', `user${i}.p12`);
      expect(openssl(['pkcs12', '-legacy', '-in', p12, '-passin', `pass:Password-${i}-abcdefghij`, '-nokeys']).status).toBe(0);
      const profile = path.join(site, 'profiles', `user${i}.mobileconfig`);
      const xml = openssl(['cms', '-verify', '-noverify', '-inform', 'DER', '-in', profile, '-binary']).stdout.toString();
      const inProfile = /<key>PayloadContent<\/key>\s*<data>([^<]+)<\/data>\s*<key>Password<\/key>/.exec(xml)?.[1];
      expect(Buffer.from(inProfile ?? '', 'base64').equals(fs.readFileSync(p12)), `user${i}`).toBe(true);
    }
  }, 120_000);
});
