/**
 * `macvpn server` through the real bin/macvpn.js (needs `npm run build`): writes the tree with
 * exact modes, carries the site's secrets without printing them, validates --openbsd first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { modeOf, runBin, snapshot, tempDir } from '../helpers/cli.js';
import { lookupUser } from './getcap.js';

let site: string;
let psk: string;
let passwords: Record<string, string>;
const run = (args: string[], cwd = site) => runBin(args, { cwd });

beforeAll(async () => {
  site = tempDir();
  expect((await run(['init', '--server', 'vpn.example.com', '--openbsd', '6.6'])).code).toBe(0);
  expect((await run(['user', 'add', 'alice'])).code).toBe(0);
  expect((await run(['user', 'add', 'bob', '--ip', '10.0.0.50'])).code).toBe(0);
  psk = fs.readFileSync(path.join(site, 'secrets/psk'), 'utf8').trim();
  passwords = JSON.parse(fs.readFileSync(path.join(site, 'secrets/passwords.json'), 'utf8'));
});

describe('macvpn server', () => {
  it('writes server/ with exact modes and the site secrets, never printing them', async () => {
    const r = await run(['server']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = path.join(site, 'server');
    expect(modeOf(out)).toBe('0700');
    expect(modeOf(path.join(out, 'etc'))).toBe('0700');
    const modes = Object.fromEntries(['etc/ipsec.conf', 'etc/npppd/npppd.conf', 'etc/npppd/npppd-users', 'etc/pf.macvpn.conf', 'etc/sysctl.macvpn.conf', 'install.sh', 'check.sh'].map((p) => [p, modeOf(path.join(out, p))]));
    expect(modes).toEqual({
      'etc/ipsec.conf': '0600', 'etc/npppd/npppd.conf': '0600', 'etc/npppd/npppd-users': '0600', 'etc/pf.macvpn.conf': '0600',
      'etc/sysctl.macvpn.conf': '0644', 'install.sh': '0700', 'check.sh': '0700',
    });
    expect(fs.readFileSync(path.join(out, 'etc/ipsec.conf'), 'utf8')).toContain(`psk "${psk}"`);
    const users = fs.readFileSync(path.join(out, 'etc/npppd/npppd-users'), 'utf8');
    expect(lookupUser(users, 'alice')?.password).toBe(passwords.alice);
    expect(lookupUser(users, 'bob')).toEqual({ password: passwords.bob, ip: '10.0.0.50' });
    // OpenBSD 6.6 from the site: pppx0 (pppac only from 6.7).
    expect(fs.readFileSync(path.join(out, 'etc/npppd/npppd.conf'), 'utf8')).toContain('interface pppx0 address 10.0.0.1 ipcp IPCP');
    expect(r.stdout).toContain('for OpenBSD 6.6 (vpn.example.com, 2 users)');
    expect(r.stdout).toMatch(/etc\/ipsec\.conf\s+0600\s+\(secret\)/);
    expect(r.stdout).toContain('install.sh');
    for (const secret of [psk, ...Object.values(passwords)]) expect(r.stdout).not.toContain(secret);
  });

  it('writes to --out DIR (created) for --openbsd V', async () => {
    const dir = path.join(tempDir(), 'a/b/router');
    const r = await run(['server', '--out', dir, '--openbsd', '5.6']);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'install.sh'), 'utf8')).toContain('rc.conf.local');
    expect(fs.readFileSync(path.join(dir, 'etc/npppd/npppd.conf'), 'utf8')).toContain('interface pppx0');
  });

  it('gives the same bytes twice (no timestamps)', async () => {
    const dir = tempDir();
    await run(['server', '--out', path.join(dir, '1')]);
    await run(['server', '--out', path.join(dir, '2')]);
    expect(snapshot(path.join(dir, '1'))).toEqual(snapshot(path.join(dir, '2')));
  });

  it('refuses an unknown --openbsd, listing the known releases, and writes nothing', async () => {
    const dir = path.join(tempDir(), 'out');
    const r = await run(['server', '--openbsd', '8.1', '--out', dir]);
    // A rejected value is a failure (1), like init --openbsd; 2 is for command lines commander cannot parse.
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe('macvpn: error: --openbsd "8.1" is not a known OpenBSD release');
    expect(r.stderr).toContain('macvpn: hint: known releases: 5.6, 5.7, 5.8, 5.9, 6.0,');
    expect(r.stderr).toContain('7.8, 7.9');
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('fails without a site and writes nothing', async () => {
    const empty = tempDir();
    const r = await run(['server'], empty);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^macvpn: error: .*macvpn\.yaml not found/);
    expect(fs.readdirSync(empty)).toEqual([]);
  });
});
