/**
 * `macvpn import` through the real binary (needs `npx tsc -p .` first): the seed procedure's router
 * files become a site whose profiles and server files carry exactly the original secrets.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'plist';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSite } from '../../src/io/read-site.js';
import { choosePsk, parseIpsecConf } from '../../src/vpn/l2tp/import/ipsec-conf.js';
import { parseNpppdUsers } from '../../src/vpn/l2tp/import/npppd-users.js';
import { modeOf, ROOT, runBin, snapshot, tempDir } from '../helpers/cli.js';

const FIX = path.join(ROOT, 'test/fixtures/import');

interface Expected {
  psk: string;
  passwords: Record<string, string>;
  ips: Record<string, string>;
  listen: string;
  pool: string;
  dns: string[];
}

function importArgs(dir: string, conf = true): string[] {
  return [
    'import', '--server', 'vpn.example.com',
    '--ipsec-conf', path.join(FIX, dir, 'ipsec.conf'),
    '--npppd-users', path.join(FIX, dir, 'npppd-users'),
    ...(conf ? ['--npppd-conf', path.join(FIX, dir, 'npppd.conf')] : []),
  ];
}

describe.each(['seed', 'modern'])('import of the %s router', (dir) => {
  const want: Expected = JSON.parse(fs.readFileSync(path.join(FIX, dir, 'expected.json'), 'utf8'));
  let site: string;
  let stdout: string;

  beforeAll(async () => {
    const cwd = tempDir();
    site = path.join(cwd, 'site');
    const r = await runBin(['--site', site, ...importArgs(dir)], { cwd });
    expect(r.stderr.split('\n').filter((l) => l.startsWith('macvpn: error'))).toEqual([]);
    expect(r.code).toBe(0);
    stdout = r.stdout + r.stderr;
  });

  it('stores exactly the secrets the router uses, and never prints them', () => {
    const s = loadSite(site);
    expect((s.secrets.vpn as { psk: string }).psk).toBe(want.psk);
    expect(Object.fromEntries(s.secrets.passwords)).toEqual(want.passwords);
    expect(Object.fromEntries(s.users.filter((u) => u.ip).map((u) => [u.name, u.ip]))).toEqual(want.ips);
    expect([s.server, s.listen, s.pool.cidr, s.dns]).toEqual(['vpn.example.com', want.listen, want.pool, want.dns]);
    for (const secret of [want.psk, ...Object.values(want.passwords)]) expect(stdout).not.toContain(secret);
    expect(modeOf(path.join(site, 'secrets/psk'))).toBe('0600');
    expect(fs.existsSync(path.join(site, 'ca.pem'))).toBe(true);
  });

  it("each user's profile carries the original SharedSecret and AuthPassword", async () => {
    for (const [name, password] of Object.entries(want.passwords)) {
      const out = path.join(site, `${name}.plist`);
      const r = await runBin(['--site', site, 'profile', name, '--unsigned', '-o', out], { cwd: site });
      expect(r.code).toBe(0);
      const profile = parse(fs.readFileSync(out, 'utf8')) as any;
      const vpn = profile.PayloadContent[0];
      expect(Buffer.from(vpn.IPSec.SharedSecret).equals(Buffer.from(want.psk, 'latin1'))).toBe(true);
      expect(vpn.PPP.AuthName).toBe(name);
      expect(vpn.PPP.AuthPassword).toBe(password);
    }
  });

  it('macvpn server writes files that the router reads back to the same credentials', async () => {
    const out = path.join(site, 'srv');
    const r = await runBin(['--site', site, 'server', '--out', out], { cwd: site });
    expect(r.code).toBe(0);
    const conf = fs.readFileSync(path.join(out, 'etc/ipsec.conf')).toString('latin1');
    expect(choosePsk(parseIpsecConf(conf)).psk).toBe(want.psk);
    const users = parseNpppdUsers(fs.readFileSync(path.join(out, 'etc/npppd/npppd-users')).toString('latin1'));
    expect(users.problems).toEqual([]);
    expect(Object.fromEntries(users.users.map((u) => [u.name, u.password]))).toEqual(want.passwords);
    expect(Object.fromEntries(users.users.filter((u) => u.ip).map((u) => [u.name, u.ip]))).toEqual(want.ips);
  });
});

describe('import failures: one error line per problem, exit 1, nothing written', () => {
  const cases: Array<[string, Record<string, string>, string[]]> = [
    ['no ike rule', { 'ipsec.conf': '# empty\n' }, ['macvpn: error: ipsec.conf: has no ike rule: macvpn imports an L2TP/IPsec server whose ipsec.conf holds an "ike … psk …" rule']],
    ['two different psks', { 'ipsec.conf': 'ike passive psk "aaaaaaaaaaaaaaaaaa"\n\nike passive psk "bbbbbbbbbbbbbbbbbb"\n' }, [
      'macvpn: error: ipsec.conf:3: this ike rule\'s psk differs from the one on line 1 (clients share isakmpd\'s default peer, so only one key can work: ipsecctl warns "default peer psk mismatch")',
    ]],
    ['a user without a password', { 'npppd-users': 'alice:\\\n\t:password=abcdefgh:\nbob:\\\n\t:framed-ip-address=10.0.0.9:\n' }, [
      'macvpn: error: npppd-users:3: user "bob" has no password field (":password=…:")',
    ]],
    ['a truncated users file', { 'npppd-users': 'alice:\\\n\t:password=abcd' }, [
      'macvpn: error: npppd-users:2: does not end with a newline: the file looks truncated (if it is complete, add a newline at its end)',
    ]],
    ['an unterminated quote', { 'ipsec.conf': 'ike passive esp \\\n  psk "abcdefghijklmnopqr\n' }, [
      'macvpn: error: ipsec.conf:2: the quoted string opened here (") is not closed before the end of the file: is the file truncated?',
    ]],
    ['a non-ASCII password', { 'npppd-users': 'alice:\\\n\t:password=caf\\303\\251latte:\n' }, [
      'macvpn: error: npppd-users:2: the password of "alice" contains a non-ASCII character at position 4 (printable ASCII only: MS-CHAPv2 on npppd)',
    ]],
    ['a 0x psk', { 'ipsec.conf': 'ike passive psk "0x00112233445566778899"\n' }, [
      'macvpn: error: ipsec.conf:1: the psk starts with "0x", so isakmpd uses it as a hex key (10 bytes) while a Mac sends the text itself: macvpn cannot carry it over (change the key on the router to plain text first)',
    ]],
  ];

  it.each(cases)('%s', async (_name, files, lines) => {
    const cwd = tempDir();
    const base: Record<string, string> = { 'ipsec.conf': 'ike passive psk "abcdefghijklmnopqr"\n', 'npppd-users': 'alice:password=abcdefgh:\n', ...files };
    for (const [f, text] of Object.entries(base)) fs.writeFileSync(path.join(cwd, f), text);
    const site = path.join(cwd, 'site');
    const r = await runBin(['--site', site, 'import', '--server', 'vpn.example.com', '--ipsec-conf', 'ipsec.conf', '--npppd-users', 'npppd-users'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('macvpn: error'))).toEqual(lines);
    expect(r.stderr).not.toContain('abcdefgh');
    expect(fs.existsSync(site)).toBe(false);
  });

  it('refuses an existing site without --force, replaces it with --force', async () => {
    const cwd = tempDir();
    const site = path.join(cwd, 'site');
    expect((await runBin(['--site', site, ...importArgs('seed')], { cwd })).code).toBe(0);
    const before = snapshot(site);
    const again = await runBin(['--site', site, ...importArgs('modern')], { cwd });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already holds a macvpn site');
    expect(snapshot(site)).toEqual(before);
    const forced = await runBin(['--site', site, ...importArgs('modern'), '--force'], { cwd });
    expect(forced.code).toBe(0);
    expect(loadSite(site).users.map((u) => u.name)).toEqual(['dave', 'erin']);
  });

  it('a missing file names the option', async () => {
    const cwd = tempDir();
    const r = await runBin(['import', '--server', 'vpn.example.com', '--ipsec-conf', 'nope.conf', '--npppd-users', 'x'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('macvpn: error: --ipsec-conf nope.conf: cannot read it (no such file)\n');
  });
});
