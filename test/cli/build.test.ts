/** Issue 4 + 3: `macvpn build` writes the server tree and every profile, all holding the same secrets. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'plist';
import { modeOf, runBin, snapshot, tempDir } from '../helpers/cli.js';
import { openssl } from '../signing/pki.js';
import { lookupUser } from '../openbsd/getcap.js';

let site: string;
const run = (args: string[], input?: string) => runBin(args, { cwd: site, ...(input !== undefined && { input }) });
const hostile = 'p:a\\s^s#w@rd <&> "q" \'x\'';

beforeAll(async () => {
  site = tempDir();
  expect((await run(['init', '--server', 'vpn.example.com', '--dns', '192.168.1.53', '--openbsd', '6.6'])).code).toBe(0);
  expect((await run(['user', 'add', 'alice', '--password-stdin'], `${hostile}\n`)).code).toBe(0);
  expect((await run(['user', 'add', 'bob', '--ip', '10.0.0.50'])).code).toBe(0);
  expect((await run(['user', 'add', 'carol@example.com'])).code).toBe(0);
  const r = await run(['build']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

const profileContent = (name: string) => {
  const r = openssl(['cms', '-verify', '-inform', 'DER', '-in', path.join(site, `profiles/${name}.mobileconfig`), '-CAfile', path.join(site, 'ca.pem')]);
  expect(r.status).toBe(0);
  return parse(r.stdout.toString('utf8')) as any;
};

describe('macvpn build', () => {
  it('writes the whole server tree and one verified profile per user, with exact modes', () => {
    for (const f of ['etc/ipsec.conf', 'etc/npppd/npppd-users', 'etc/npppd/npppd.conf', 'etc/pf.macvpn.conf']) expect(modeOf(path.join(site, 'server', f))).toBe('0600');
    expect(modeOf(path.join(site, 'server/install.sh'))).toBe('0700');
    expect(modeOf(path.join(site, 'server/check.sh'))).toBe('0700');
    expect(fs.readdirSync(path.join(site, 'profiles')).sort()).toEqual(['alice.mobileconfig', 'bob.mobileconfig', 'carol@example.com.mobileconfig']);
    expect(fs.readFileSync(path.join(site, 'server/etc/npppd/npppd.conf'), 'utf8')).toContain('interface pppx0 ');
  });

  it('the PSK and passwords are the same secrets in ipsec.conf, npppd-users and every profile', () => {
    const psk = fs.readFileSync(path.join(site, 'secrets/psk'), 'utf8').trim();
    const passwords = JSON.parse(fs.readFileSync(path.join(site, 'secrets/passwords.json'), 'utf8'));
    expect(passwords.alice).toBe(hostile);
    const ipsec = fs.readFileSync(path.join(site, 'server/etc/ipsec.conf'), 'utf8');
    expect(ipsec.match(/psk "([^"]*)"/)![1]).toBe(psk);
    const users = fs.readFileSync(path.join(site, 'server/etc/npppd/npppd-users'), 'utf8');
    for (const name of ['alice', 'bob', 'carol@example.com']) {
      expect(lookupUser(users, name)?.password).toBe(passwords[name]);
      const vpn = profileContent(name).PayloadContent[0];
      expect(Buffer.from(vpn.IPSec.SharedSecret).toString('utf8')).toBe(psk);
      expect(vpn.PPP.AuthPassword).toBe(passwords[name]);
      expect(vpn.PPP.AuthName).toBe(name);
    }
    expect(lookupUser(users, 'bob')?.ip).toBe('10.0.0.50');
  });

  it('removes the profile of a user who left, and re-running changes only signatures', async () => {
    expect((await run(['user', 'remove', 'carol@example.com'])).code).toBe(0);
    fs.writeFileSync(path.join(site, 'profiles/ghost.mobileconfig'), 'stale', { mode: 0o600 });
    const r = await run(['build']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('removed 1 profile of users no longer in the site: profiles/ghost.mobileconfig');
    expect(fs.readdirSync(path.join(site, 'profiles')).sort()).toEqual(['alice.mobileconfig', 'bob.mobileconfig']);
    expect(fs.readFileSync(path.join(site, 'server/etc/npppd/npppd-users'), 'utf8')).not.toContain('carol');
  });

  it('fails without writing anything when the site is broken', async () => {
    fs.chmodSync(path.join(site, 'secrets/passwords.json'), 0o640);
    const before = snapshot(site);
    const r = await run(['build']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(2);
    expect(snapshot(site)).toEqual(before);
    fs.chmodSync(path.join(site, 'secrets/passwords.json'), 0o600);
  });

  it('a failure on a fresh site leaves no new folder behind', async () => {
    const dir = tempDir();
    await runBin(['init', '--server', 'vpn.example.com'], { cwd: dir });
    await runBin(['user', 'add', 'alice'], { cwd: dir });
    fs.writeFileSync(path.join(dir, 'server'), 'a file where the server folder goes');
    const before = snapshot(dir);
    const r = await runBin(['build'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`macvpn: error: ${path.join(dir, 'server')} exists and is not a directory\n`);
    expect(snapshot(dir)).toEqual(before);
  });
});
