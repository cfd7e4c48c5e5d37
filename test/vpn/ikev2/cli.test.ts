/**
 * Issue 8 through the real bin/macvpn.js: an IKEv2 site from init to a revoked user, checked with
 * openssl (verify -crl_check before and after `user remove`), bad input refused with one error
 * line and nothing changed, and an L2TP site switched to ikev2 by editing macvpn.yaml.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'plist';
import { modeOf, runBin, snapshot, tempDir } from '../../helpers/cli.js';
import { openssl } from '../../signing/pki.js';
import { buildProfileXml } from '../../../src/apple/build-profile.js';
import { ikev2Site } from './fixture.js';

let site: string;
const run = (args: string[], input?: string, cwd = site) => runBin(args, { cwd, ...(input !== undefined && { input }) });

/** openssl verify of a certificate file against the site's VPN CA and the CRL in server/. */
const verifyCert = (cert: string) =>
  openssl(['verify', '-CAfile', path.join(site, 'server/etc/iked/ca/ca.crt'), '-crl_check', '-CRLfile', path.join(site, 'server/etc/iked/crls/ca.crl'), cert]);

beforeAll(async () => {
  site = tempDir('macvpn-ikev2-');
  for (const args of [['init', '--server', 'vpn.example.com', '--vpn', 'ikev2', '--dns', '192.168.1.1'], ['user', 'add', 'alice'], ['user', 'add', 'bob'], ['build']]) {
    const r = await run(args);
    expect(r.stderr, args.join(' ')).toBe('');
    expect(r.code, args.join(' ')).toBe(0);
  }
});

describe('an IKEv2 site', () => {
  it('keeps its PKI in secrets/ (0600) and pki/ (public), every setting in a commented macvpn.yaml', () => {
    for (const f of ['secrets/vpn-ca-key.pem', 'secrets/iked-key.pem', 'secrets/users/alice.p12']) expect(modeOf(path.join(site, f)), f).toBe('0600');
    for (const f of ['pki/vpn-ca.pem', 'pki/server.pem', 'pki/crl.pem', 'pki/users/alice.pem']) expect(modeOf(path.join(site, f)), f).toBe('0644');
    const yaml = fs.readFileSync(path.join(site, 'macvpn.yaml'), 'utf8');
    expect(yaml).toMatch(/^vpn: "ikev2"$/m);
    for (const k of ['auth: "certificate"', 'suite: "gcm"', 'user_key: "ecdsa"', 'enabled: false']) expect(yaml).toContain(k);
  });
  it('writes the iked tree with exact modes', () => {
    expect(modeOf(path.join(site, 'server/etc/iked.conf'))).toBe('0600');
    expect(modeOf(path.join(site, 'server/etc/iked/private/local.key'))).toBe('0600');
    expect(modeOf(path.join(site, 'server/etc/iked/certs/vpn.example.com.crt'))).toBe('0644');
  });
  it('issues certificates that chain to the VPN CA, the server one for serverAuth', () => {
    expect(verifyCert(path.join(site, 'pki/users/alice.pem')).status).toBe(0);
    const server = openssl(['verify', '-CAfile', path.join(site, 'pki/vpn-ca.pem'), '-purpose', 'sslserver', path.join(site, 'server/etc/iked/certs/vpn.example.com.crt')]);
    expect(server.status).toBe(0);
    const text = openssl(['x509', '-in', path.join(site, 'pki/vpn-ca.pem'), '-noout', '-text']).stdout.toString();
    expect(text).toMatch(/X509v3 Name Constraints: critical\s+Permitted:\s+DNS:vpn\.example\.com/);
    expect(text).toContain('IP:0.0.0.0/0.0.0.0');
  });
  it('verify shows the identity, the server identity and the proposals', async () => {
    const r = await run(['verify', 'profiles/alice.mobileconfig']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('IKEv2 to vpn.example.com as alice.vpn.example.com, server identity vpn.example.com, IKE AES-256-GCM/SHA2-512/DH20, Child AES-256-GCM/SHA2-512/DH20, identity CN=alice.vpn.example.com (valid until ');
    const json = JSON.parse((await run(['verify', '--json', 'profiles/alice.mobileconfig'])).stdout);
    expect(json.profile).toMatchObject({ vpnType: 'IKEv2', localIdentifier: 'alice.vpn.example.com', remoteIdentifier: 'vpn.example.com', authentication: 'Certificate' });
  });
  it('user list shows when each certificate ends', async () => {
    const r = await run(['user', 'list', '--json']);
    expect(r.code).toBe(0);
    for (const u of JSON.parse(r.stdout)) expect(u.certificate).toMatch(/^until \d{4}-\d\d-\d\d$/);
    expect((await run(['user', 'list'])).stdout.split('\n')[0]).toMatch(/ CERTIFICATE$/);
  });
  it('mdm export keeps the identity payload (with its Password) and mail --eml says what the profile holds', async () => {
    const out = tempDir('macvpn-mdm-');
    expect((await run(['mdm', 'export', 'alice', '--out', out])).code).toBe(0);
    const p = parse(fs.readFileSync(path.join(out, 'alice.mobileconfig'), 'utf8')) as any;
    const p12 = p.PayloadContent.find((x: any) => x.PayloadType === 'com.apple.security.pkcs12');
    expect(p12.Password).toMatch(/^\S{12,}$/);
    expect(p.PayloadContent.find((x: any) => x.PayloadType === 'com.apple.vpn.managed').IKEv2.PayloadCertificateUUID).toBe(p12.PayloadUUID);
    const eml = path.join(tempDir('macvpn-eml-'), 'alice.eml');
    const mail = await run(['mail', 'alice', '--to', 'alice@example.com', '--eml', eml]);
    expect(mail.code).toBe(0);
    const text = fs.readFileSync(eml, 'utf8');
    expect(text).toContain('your own VPN certificate and its key');
    expect(text).not.toContain('shared secret');
  });
  it('check passes after build', async () => {
    const r = await run(['check']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('server/: up to date');
    expect(r.stdout).toMatch(/ok\n$/);
  });
  it('refuses psk rotate: there is no shared secret', async () => {
    const before = snapshot(site);
    const r = await run(['psk', 'rotate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^macvpn: error: this IKEv2 site has no shared secret\n/);
    expect(snapshot(site)).toEqual(before);
  });
});

describe('revocation', () => {
  it('user remove revokes: the CRL refuses bob, alice still verifies', async () => {
    const bobCert = path.join(tempDir('macvpn-bob-'), 'bob.pem');
    fs.copyFileSync(path.join(site, 'pki/users/bob.pem'), bobCert);
    expect(verifyCert(bobCert).status).toBe(0);
    const rm = await run(['user', 'remove', 'bob']);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toMatch(/^revoked the certificate of bob \(serial [0-9a-f]+\)$/m);
    expect(rm.stdout).toContain("the CRL there refuses bob's certificate (install.sh makes iked reload it)");
    expect(rm.stdout).toContain("  end bob's live tunnel on the router with: ikectl reset id bob.vpn.example.com\n");
    expect(rm.stdout).not.toContain('shared secret');
    expect((await run(['build'])).code).toBe(0);
    const refused = verifyCert(bobCert);
    expect(refused.status).not.toBe(0);
    expect(refused.stdout.toString() + refused.stderr).toContain('certificate revoked');
    expect(verifyCert(path.join(site, 'pki/users/alice.pem')).status).toBe(0);
    expect(fs.existsSync(path.join(site, 'secrets/users/bob.p12'))).toBe(false);
  });
  it('user rotate issues a new certificate and revokes the old one as superseded', async () => {
    const old = path.join(tempDir('macvpn-alice-'), 'alice-old.pem');
    fs.copyFileSync(path.join(site, 'pki/users/alice.pem'), old);
    expect((await run(['user', 'rotate', 'alice'])).code).toBe(0);
    expect((await run(['build'])).code).toBe(0);
    expect(verifyCert(old).status).not.toBe(0);
    expect(verifyCert(path.join(site, 'pki/users/alice.pem')).status).toBe(0);
    const crl = openssl(['crl', '-in', path.join(site, 'pki/crl.pem'), '-noout', '-text']).stdout.toString();
    expect(crl).toContain('Superseded');
    expect(crl).toContain('Cessation Of Operation');
  });
});

describe('bad input: one error line, exit code, nothing written', () => {
  const cases: Array<[string, string[], number, RegExp]> = [
    ['an IP address as server', ['init', '--server', '203.0.113.7', '--vpn', 'ikev2'], 1, /^macvpn: error: --server "203\.0\.113\.7" must be a DNS name for IKEv2/],
    ['an invalid server', ['init', '--server', 'bad_name!', '--vpn', 'ikev2'], 1, /^macvpn: error: --server "bad_name!" is not a DNS name or an IP address/],
    ['an unknown --auth', ['init', '--server', 'vpn.example.com', '--vpn', 'ikev2', '--auth', 'psk'], 1, /^macvpn: error: --auth "psk" is not "certificate" or "eap"/],
    ['an unknown --suite', ['init', '--server', 'vpn.example.com', '--vpn', 'ikev2', '--suite', 'chacha'], 1, /^macvpn: error: --suite "chacha" is not "gcm" or "cbc"/],
    ['an unknown --vpn', ['init', '--server', 'vpn.example.com', '--vpn', 'wireguard'], 1, /^macvpn: error: --vpn "wireguard" is not "l2tp" or "ikev2"/],
    ['--openbsd too old', ['init', '--server', 'vpn.example.com', '--vpn', 'ikev2', '--openbsd', '6.8'], 1, /^macvpn: error: --openbsd 6\.8 is too old for IKEv2: it needs OpenBSD 6\.9 or later/],
    ['--suite on an L2TP site', ['init', '--server', 'vpn.example.com', '--suite', 'gcm'], 1, /^macvpn: error: --suite applies to IKEv2 sites only \(--vpn ikev2\)/],
  ];
  it.each(cases)('init with %s', async (_what, args, code, message) => {
    const dir = tempDir('macvpn-bad-');
    const r = await run(args, undefined, dir);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('macvpn: error:'))).toHaveLength(1);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
  it.each([
    ['a name that cannot be a certificate identity', ['user', 'add', 'a.b'], /^macvpn: error: user name "a\.b" cannot be a certificate identity/],
    ['revoking an unknown user', ['user', 'remove', 'ghost'], /^macvpn: error: no user "ghost" in macvpn\.yaml/],
    ['rotating an unknown user', ['user', 'rotate', 'ghost'], /^macvpn: error: no user "ghost" in macvpn\.yaml/],
  ])('%s', async (_what, args, message) => {
    const before = snapshot(site);
    const r = await run(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(snapshot(site)).toEqual(before);
  });
});

describe('an L2TP site switched to ikev2 by editing macvpn.yaml', () => {
  it('issues certificates on the next build and keeps the profile identifiers', async () => {
    const dir = tempDir('macvpn-switch-');
    for (const args of [['init', '--server', 'vpn.example.com'], ['user', 'add', 'alice'], ['build']]) expect((await run(args, undefined, dir)).code).toBe(0);
    const before = (await run(['profile', 'alice', '--unsigned', '--stdout'], undefined, dir)).stdout;
    const yaml = fs.readFileSync(path.join(dir, 'macvpn.yaml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'macvpn.yaml'), yaml.replace('vpn: "l2tp"', 'vpn: "ikev2"'));
    const build = await run(['build'], undefined, dir);
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    expect(build.stdout).toContain('issued a certificate to alice as alice.vpn.example.com');
    const after = (await run(['profile', 'alice', '--unsigned', '--stdout'], undefined, dir)).stdout;
    const [a, b] = [parse(before) as any, parse(after) as any];
    expect(b.PayloadIdentifier).toBe(a.PayloadIdentifier);
    expect(b.PayloadUUID).toBe(a.PayloadUUID);
    expect(b.PayloadContent.at(-1).VPNType).toBe('IKEv2');
    expect(fs.existsSync(path.join(dir, 'server/etc/iked.conf'))).toBe(true);
    // The L2TP files (the PSK in ipsec.conf) are gone from the generated tree.
    expect(build.stdout).toContain('removed what this site no longer generates: server/etc/ipsec.conf, server/etc/npppd/npppd-users, server/etc/npppd/npppd.conf');
    expect(fs.existsSync(path.join(dir, 'server/etc/ipsec.conf'))).toBe(false);
    const check = await run(['check'], undefined, dir);
    expect(check.stdout).toContain('server/: up to date');
    expect(check.code).toBe(0);
  });
});

describe('verify', () => {
  it('fails a profile whose identity certificate has ended', async () => {
    const old = ikev2Site({}, [{ name: 'alice' }], new Date('2020-01-01T00:00:00Z'));
    const dir = tempDir('macvpn-expired-');
    const file = path.join(dir, 'alice.mobileconfig');
    fs.writeFileSync(file, buildProfileXml(old, old.users[0]!, { includePassword: true, scope: 'System' }));
    const r = await run(['verify', file], undefined, dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the identity certificate in the profile expired on 2022-04-\d\d: issue a new profile/);
  });
});

describe('a hand-edited macvpn.yaml', () => {
  it('naming a release older than IKEv2 needs is one error with the line', async () => {
    const dir = tempDir('macvpn-old-');
    expect((await run(['init', '--server', 'vpn.example.com', '--vpn', 'ikev2'], undefined, dir)).code).toBe(0);
    const file = path.join(dir, 'macvpn.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('openbsd: "7.9"', 'openbsd: "6.8"'));
    const before = snapshot(dir);
    const r = await run(['server'], undefined, dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^macvpn: error: macvpn\.yaml:\d+: openbsd 6\.8 is too old for IKEv2: it needs OpenBSD 6\.9 or later/);
    expect(snapshot(dir)).toEqual(before);
  });
  it('an unknown key in the ikev2 block is one error naming it', async () => {
    const dir = tempDir('macvpn-key-');
    expect((await run(['init', '--server', 'vpn.example.com', '--vpn', 'ikev2'], undefined, dir)).code).toBe(0);
    const file = path.join(dir, 'macvpn.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('  suite: "gcm"', '  suite: "gcm"\n  colour: "blue"'));
    const r = await run(['server'], undefined, dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ikev2\.colour unknown key \(known: auth, suite, user_key, on_demand\)/);
  });
});
