/**
 * Issue 11, "day two", through the real bin/macvpn.js: `set` of every setting (checked as init
 * and a hand edit are, comments kept, with what it makes out of date), `user disable/enable` in
 * npppd-users, iked.conf and the CRL, `user show`, the record of delivered profiles and
 * `mail --stale`, `server/build --diff` without secrets, and `init --force` keeping a copy.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { describe, expect, it } from 'vitest';
import { modeOf, ROOT, runBin, snapshot, tempDir } from '../helpers/cli.js';

const PKI = path.join(ROOT, 'test/fixtures/pki');

async function newSite(...init: string[]): Promise<{ dir: string; mac: (args: string[], input?: string) => ReturnType<typeof runBin> }> {
  const dir = tempDir();
  const mac = (args: string[], input?: string) => runBin(args, { cwd: dir, ...(input !== undefined && { input }) });
  const r = await mac(['init', '--server', 'vpn.example.com', '--dns', '192.168.1.1', ...init]);
  expect(r.stderr).toBe('');
  return { dir, mac };
}

const ok = (r: { code: number; stderr: string }) => {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
};
const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');
const list = async (mac: (a: string[]) => ReturnType<typeof runBin>) => JSON.parse((await mac(['user', 'list', '--json'])).stdout) as Array<{ name: string; disabled: boolean; profile: string }>;
const states = async (mac: (a: string[]) => ReturnType<typeof runBin>) => Object.fromEntries((await list(mac)).map((u) => [u.name, u.profile]));

describe('macvpn set', () => {
  it('changes every shared setting in place, keeps the comments, and refuses bad values with nothing written', async () => {
    const { dir, mac } = await newSite();
    ok(await mac(['user', 'add', 'alice']));
    ok(await mac(['user', 'add', 'bob', '--ip', '10.0.0.50']));
    // A hand-written comment next to a value and one above it.
    fs.writeFileSync(path.join(dir, 'macvpn.yaml'), read(dir, 'macvpn.yaml').replace('server: "vpn.example.com"', '# ask Kim first\nserver: "vpn.example.com" # public name'));
    const valid: Array<[string, string, string]> = [
      ['server', 'vpn2.example.com', 'vpn2.example.com'],
      ['listen', '192.168.1.254', '192.168.1.254'],
      ['openbsd', '7.5', '7.5'],
      ['pool', '10.0.0.0/16', '10.0.0.0/16'],
      ['dns', '192.168.1.2,192.168.1.3', '192.168.1.2,192.168.1.3'],
      ['organization', 'Example Corp', 'Example Corp'],
      ['identifier', 'com.example.other', 'com.example.other'],
      ['compat', 'legacy', 'legacy'],
    ];
    for (const [key, value, shown] of valid) {
      const r = await mac(['set', key, value, ...(key === 'identifier' ? ['--force'] : [])]);
      ok(r);
      expect((await mac(['set', key])).stdout).toBe(`${key}: ${shown}\n`);
    }
    const yaml = read(dir, 'macvpn.yaml');
    expect(yaml).toContain('# ask Kim first\nserver: "vpn2.example.com" # public name');
    expect(yaml).toContain('# DNS servers npppd hands to clients');
    expect(yaml).toContain('dns: [ "192.168.1.2", "192.168.1.3" ]');
    const invalid: Array<[string, string, string]> = [
      ['server', '127.0.0.1', 'macvpn: error: macvpn.yaml: server'],
      ['listen', 'eth0 ', 'macvpn: error: macvpn.yaml: listen'],
      ['openbsd', '4.0', 'macvpn: error: macvpn.yaml: openbsd'],
      ['pool', '8.8.8.0/24', 'macvpn: error: macvpn.yaml: pool'],
      ['dns', '1.2.3.4,1.2.3.5,1.2.3.6', 'macvpn: error: macvpn.yaml: dns lists 3 servers (npppd hands out at most 2)'],
      ['organization', 'Evil {{name}}', 'macvpn: error: macvpn.yaml: organization'],
      ['identifier', 'not an identifier', 'macvpn: error: macvpn.yaml: identifier'],
      ['compat', 'ancient', 'macvpn: error: macvpn.yaml: compat "ancient" is not "modern" or "legacy"'],
      ['vpn', 'pptp', 'macvpn: error: macvpn.yaml: vpn "pptp" is not "l2tp" or "ikev2"'],
    ];
    const before = snapshot(dir);
    for (const [key, value, says] of invalid) {
      const r = await mac(['set', key, value, '--force']);
      expect(r.code, `${key} ${value}`).toBe(1);
      expect(r.stderr.split('\n')[0]).toContain(says);
    }
    const unknown = await mac(['set', 'colour', 'blue']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe('macvpn: error: unknown setting "colour"');
    expect(snapshot(dir)).toEqual(before);
  });

  it('says what a change makes out of date, from the rendered files', async () => {
    const { mac } = await newSite();
    ok(await mac(['user', 'add', 'alice']));
    ok(await mac(['user', 'add', 'bob', '--ip', '10.0.0.50']));
    ok(await mac(['build']));
    const dns = await mac(['set', 'dns', '192.168.1.9']);
    ok(dns);
    expect(dns.stdout).toContain('server: out of date: server/etc/npppd/npppd.conf (');
    expect(dns.stdout).toContain("profiles: every user's profile changes (2)");
    const openbsd = await mac(['set', 'openbsd', '7.5']);
    expect(openbsd.stdout).toContain('server/install.sh');
    expect(openbsd.stdout).toContain('profiles: none changes, no user needs a new one');
    const server = await mac(['set', 'server', 'vpn2.example.com']);
    expect(server.stdout).toContain('server/etc/ipsec.conf');
    expect(server.stdout).toContain("profiles: every user's profile changes (2)");
    // The pool must still hold bob's fixed address.
    const pool = await mac(['set', 'pool', '10.9.0.0/24']);
    expect(pool.code).toBe(1);
    expect(pool.stderr).toBe(
      'macvpn: error: macvpn.yaml: users[1].ip 10.0.0.50 is outside the pool 10.9.0.0/24 (usable 10.9.0.2-10.9.0.254)\n' +
        'macvpn: hint: move those users first ("macvpn user set NAME --ip ADDR" or --no-ip), then change the pool\n',
    );
    const grown = await mac(['set', 'pool', '10.0.0.0/23']);
    expect(grown.stdout).toContain('server/etc/npppd/npppd.conf');
    expect(grown.stdout).toContain('profiles: none changes');
    // A new identifier makes every Mac add a second VPN: refused without --force.
    const id = await mac(['set', 'identifier', 'com.example.new']);
    expect(id.code).toBe(1);
    expect(id.stderr.split('\n')[0]).toBe('macvpn: error: changing identifier (com.example.vpn → com.example.new) makes every Mac add a second VPN next to the old one instead of replacing it');
    expect(id.stderr).toContain('macvpn: hint: pass --force');
    const forced = await mac(['set', 'identifier', 'com.example.new', '--force']);
    ok(forced);
    expect(forced.stdout).toContain('server: no file changes');
    expect(forced.stdout).toContain("profiles: every user's profile changes (2)");
    expect(forced.stdout).toContain('keeps the old VPN too');
  });

  it('sets the IKEv2 block, and a new server name gets a new VPN CA that verifies', async () => {
    const { dir, mac } = await newSite('--vpn', 'ikev2');
    ok(await mac(['user', 'add', 'alice']));
    for (const [key, value] of [['ikev2.suite', 'cbc'], ['ikev2.user_key', 'rsa'], ['ikev2.on_demand.enabled', 'true'], ['ikev2.on_demand.trusted_wifi', 'Office,Home'], ['ikev2.auth', 'eap']] as const) {
      ok(await mac(['set', key, value]));
      expect((await mac(['set', key])).stdout).toBe(`${key}: ${value}\n`);
    }
    expect(read(dir, 'macvpn.yaml')).toContain('# VPN On Demand: connect by itself');
    for (const [key, value, says] of [
      ['ikev2.auth', 'psk', 'macvpn: error: macvpn.yaml: ikev2.auth "psk" is not "certificate" or "eap"'],
      ['ikev2.suite', 'des', 'macvpn: error: macvpn.yaml: ikev2.suite "des" is not'],
      ['ikev2.user_key', 'dsa', 'macvpn: error: macvpn.yaml: ikev2.user_key "dsa" is not "ecdsa" or "rsa"'],
      ['ikev2.on_demand.enabled', 'yes', 'macvpn: error: macvpn.yaml: ikev2.on_demand.enabled must be true or false, not "yes"'],
      ['ikev2.on_demand.trusted_wifi', 'x'.repeat(33), 'macvpn: error: macvpn.yaml: ikev2.on_demand.trusted_wifi[0]'],
      ['server', '203.0.113.7', 'macvpn: error: macvpn.yaml: server "203.0.113.7" must be a DNS name for IKEv2'],
    ] as const) {
      const r = await mac(['set', key, value]);
      expect(r.code, key).toBe(1);
      expect(r.stderr.split('\n')[0]).toContain(says);
    }
    ok(await mac(['set', 'ikev2.auth', 'certificate']));
    ok(await mac(['server']));
    const moved = await mac(['set', 'server', 'vpn2.example.com']);
    ok(moved);
    expect(moved.stdout).toContain('making a new VPN CA, so every user needs the new profile');
    expect(moved.stdout).toContain('server/etc/iked/ca/ca.crt');
    ok(await mac(['server']));
    const s = path.join(dir, 'server/etc/iked');
    execFileSync('openssl', ['verify', '-CAfile', `${s}/ca/ca.crt`, '-crl_check', '-CRLfile', `${s}/crls/ca.crl`, '-purpose', 'sslserver', `${s}/certs/vpn2.example.com.crt`]);
    execFileSync('openssl', ['verify', '-CAfile', `${s}/ca/ca.crt`, '-crl_check', '-CRLfile', `${s}/crls/ca.crl`, path.join(dir, 'pki/users/alice.pem')]);
    // Profiles built under the new CA: the whole site checks out.
    ok(await mac(['build']));
    ok(await mac(['check']));
  });

  it('switches the VPN type and back', async () => {
    const { dir, mac } = await newSite();
    ok(await mac(['user', 'add', 'alice']));
    ok(await mac(['set', 'vpn', 'ikev2']));
    expect(fs.existsSync(path.join(dir, 'pki/users/alice.pem'))).toBe(true);
    ok(await mac(['build']));
    ok(await mac(['set', 'vpn', 'l2tp']));
    ok(await mac(['build']));
    ok(await mac(['check']));
  });
});

describe('macvpn user disable / enable', () => {
  it('L2TP: a disabled user has no npppd-users entry, keeps the password, and comes back on enable', async () => {
    const { dir, mac } = await newSite();
    ok(await mac(['user', 'add', 'alice']));
    ok(await mac(['user', 'add', 'bob']));
    const pw = JSON.parse(read(dir, 'secrets/passwords.json')).bob as string;
    ok(await mac(['user', 'disable', 'bob']));
    expect(read(dir, 'macvpn.yaml')).toMatch(/^ {2}- \{ name: "?bob"?, disabled: true \}$/m);
    ok(await mac(['server']));
    const users = read(dir, 'server/etc/npppd/npppd-users');
    expect(users).toContain('alice:\\');
    expect(users).not.toContain('bob');
    expect(JSON.parse(read(dir, 'secrets/passwords.json')).bob).toBe(pw);
    expect((await list(mac)).map((u) => [u.name, u.disabled])).toEqual([['alice', false], ['bob', true]]);
    expect((await mac(['user', 'list'])).stdout).toMatch(/^bob +- +- +disabled/m);
    ok(await mac(['user', 'enable', 'bob']));
    ok(await mac(['server']));
    expect(read(dir, 'server/etc/npppd/npppd-users')).toContain(`bob:\\\n\t:password=${pw}:`);
    expect(read(dir, 'macvpn.yaml')).toMatch(/^ {2}- \{ name: "?bob"? \}$/m);
  });

  it('IKEv2 EAP: a disabled user has no iked.conf user line', async () => {
    // A literal local address: Linux's iked cannot resolve `egress` (test/vpn/ikev2/iked-parser.test.ts).
    const { dir, mac } = await newSite('--vpn', 'ikev2', '--auth', 'eap', '--listen', '192.0.2.1');
    ok(await mac(['user', 'add', 'alice']));
    ok(await mac(['user', 'add', 'bob']));
    ok(await mac(['user', 'disable', 'bob']));
    ok(await mac(['server']));
    const conf = read(dir, 'server/etc/iked.conf');
    expect(conf).toContain('user "alice" "');
    expect(conf).not.toContain('user "bob"');
    execFileSync('iked', ['-n', '-f', path.join(dir, 'server/etc/iked.conf')], { stdio: 'pipe' });
    ok(await mac(['user', 'enable', 'bob']));
    ok(await mac(['server']));
    expect(read(dir, 'server/etc/iked.conf')).toContain('user "bob" "');
  });

  it('IKEv2 certificates: disable puts the certificate on hold in the CRL, enable takes it off', async () => {
    const { dir, mac } = await newSite('--vpn', 'ikev2');
    ok(await mac(['user', 'add', 'alice']));
    ok(await mac(['user', 'add', 'bob']));
    const crl = path.join(dir, 'server/etc/iked/crls/ca.crl');
    const ca = path.join(dir, 'server/etc/iked/ca/ca.crt');
    const bob = path.join(dir, 'pki/users/bob.pem');
    const serial = execFileSync('openssl', ['x509', '-in', bob, '-noout', '-serial']).toString().trim().split('=')[1]!;
    const verify = () => spawnSync('openssl', ['verify', '-CAfile', ca, '-crl_check', '-CRLfile', crl, bob], { encoding: 'utf8' });
    ok(await mac(['server']));
    expect(verify().status).toBe(0);
    const off = await mac(['user', 'disable', 'bob']);
    ok(off);
    expect(off.stdout).toContain(`put the certificate of bob on hold in the CRL (serial ${serial.toLowerCase()})`);
    ok(await mac(['server']));
    const text = execFileSync('openssl', ['crl', '-in', crl, '-noout', '-text']).toString();
    expect(text).toMatch(new RegExp(`Serial Number: ${serial}\\s+Revocation Date: [^\\n]+\\s+CRL entry extensions:\\s+X509v3 CRL Reason Code: *\\s+Certificate Hold`));
    const refused = verify();
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain('certificate revoked');
    // The certificate and identity are kept: the same serial comes off hold.
    ok(await mac(['user', 'enable', 'bob']));
    ok(await mac(['server']));
    expect(execFileSync('openssl', ['crl', '-in', crl, '-noout', '-text']).toString()).not.toContain(serial);
    expect(verify().status).toBe(0);
    expect(execFileSync('openssl', ['x509', '-in', bob, '-noout', '-serial']).toString().trim()).toBe(`serial=${serial}`);
  });
});

describe('macvpn user show', () => {
  it("shows one user's settings; --show-secrets prints that user's password and no other secret", async () => {
    const { dir, mac } = await newSite();
    ok(await mac(['user', 'add', 'alice', '--email', 'alice@example.com']));
    ok(await mac(['user', 'add', 'bob']));
    const pw = JSON.parse(read(dir, 'secrets/passwords.json')) as Record<string, string>;
    const psk = read(dir, 'secrets/psk').trim();
    const plain = await mac(['user', 'show', 'alice']);
    ok(plain);
    expect(plain.stdout).toContain('email:    alice@example.com');
    expect(plain.stdout).toContain('profile:  not delivered');
    for (const secret of [pw.alice!, pw.bob!, psk]) expect(plain.stdout).not.toContain(secret);
    const shown = await mac(['user', 'show', 'alice', '--show-secrets']);
    ok(shown);
    expect(shown.stdout.split(pw.alice!).length - 1).toBe(1);
    expect(shown.stdout).toContain(`password: ${pw.alice}\n`);
    expect(shown.stdout).not.toContain(pw.bob!);
    expect(shown.stdout).not.toContain(psk);
    const none = await mac(['user', 'show', 'carol']);
    expect(none.code).toBe(1);
    expect(none.stderr.split('\n')[0]).toBe('macvpn: error: no user "carol" in macvpn.yaml');
  });
});

describe('the record of delivered profiles', () => {
  it('a record a crash left empty (profile writes it without an fsync) only forgets deliveries', async () => {
    const { dir, mac } = await newSite();
    ok(await mac(['user', 'add', 'alice']));
    ok(await mac(['profile', 'alice']));
    expect(await states(mac)).toEqual({ alice: 'current' });
    fs.writeFileSync(path.join(dir, 'delivered.json'), Buffer.alloc(300));
    expect(await states(mac)).toEqual({ alice: 'not delivered' });
    ok(await mac(['profile', 'alice']));
    expect(await states(mac)).toEqual({ alice: 'current' });
    // Anything else that is not a record is still an error that names the file.
    fs.writeFileSync(path.join(dir, 'delivered.json'), '{"alice": ');
    const broken = await mac(['check']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('delivered.json');
  });
  it('a build that signs every profile writes the record anew without reading it; one that signs some reads it first', async () => {
    const { dir, mac } = await newSite();
    ok(await mac(['user', 'add', 'alice']));
    ok(await mac(['user', 'add', 'bob']));
    ok(await mac(['build']));
    const record = read(dir, 'delivered.json');
    fs.writeFileSync(path.join(dir, 'delivered.json'), '{"alice": ');
    // Nothing to sign: the record is read to carry its entries over, and a broken one stops the build.
    const incremental = await mac(['build']);
    expect(incremental.code).toBe(1);
    expect(incremental.stderr.split('\n')[0]).toBe('macvpn: error: delivered.json is not valid JSON');
    expect(read(dir, 'delivered.json')).toBe('{"alice": ');
    // Every profile signed: every entry is written anew, as it would have been over a sound record.
    ok(await mac(['build', '--all']));
    expect(Object.keys(JSON.parse(read(dir, 'delivered.json')) as object)).toEqual(Object.keys(JSON.parse(record) as object));
    expect(await states(mac)).toEqual({ alice: 'current', bob: 'current' });
  });
  it('marks exactly the users a change leaves with an old profile, in user list and check', async () => {
    const { dir, mac } = await newSite();
    ok(await mac(['user', 'add', 'alice']));
    ok(await mac(['user', 'add', 'bob']));
    ok(await mac(['user', 'add', 'carol']));
    expect(await states(mac)).toEqual({ alice: 'not delivered', bob: 'not delivered', carol: 'not delivered' });
    ok(await mac(['build']));
    expect(await states(mac)).toEqual({ alice: 'current', bob: 'current', carol: 'current' });
    ok(await mac(['check']));
    // The record holds no secret.
    const record = read(dir, 'delivered.json');
    for (const secret of [...Object.values(JSON.parse(read(dir, 'secrets/passwords.json')) as Record<string, string>), read(dir, 'secrets/psk').trim()]) expect(record).not.toContain(secret);
    expect(modeOf(path.join(dir, 'delivered.json'))).toBe('0644');
    expect(modeOf(path.join(dir, 'secrets/delivery-key'))).toBe('0600');

    // A user's rotation: only theirs.
    ok(await mac(['user', 'rotate', 'bob']));
    expect(await states(mac)).toEqual({ alice: 'current', bob: 'out of date', carol: 'current' });
    const check = await mac(['check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('macvpn: error: 1 user holds an out-of-date profile (bob): run "macvpn build", then "macvpn mail --stale"');
    expect(check.stdout).toContain('delivered: 2 current, 1 out of date, 0 never delivered');
    ok(await mac(['profile', 'bob']));
    expect(await states(mac)).toEqual({ alice: 'current', bob: 'current', carol: 'current' });

    // The shared secret: everyone's.
    ok(await mac(['psk', 'rotate']));
    expect(await states(mac)).toEqual({ alice: 'out of date', bob: 'out of date', carol: 'out of date' });
    ok(await mac(['build']));

    // DNS: everyone's; openbsd: nobody's.
    ok(await mac(['set', 'openbsd', '7.5']));
    expect(await states(mac)).toEqual({ alice: 'current', bob: 'current', carol: 'current' });
    ok(await mac(['set', 'dns', '192.168.1.7']));
    expect(await states(mac)).toEqual({ alice: 'out of date', bob: 'out of date', carol: 'out of date' });
    ok(await mac(['build']));

    // A new signer: everyone's signed profile; an MDM export (unsigned) is not tied to a signer.
    ok(await mac(['mdm', 'export', 'carol', '--out', path.join(dir, 'mdm')]));
    expect((await mac(['signer', 'import', '--cert', path.join(PKI, 'rsa.pem'), '--key', path.join(PKI, 'rsa.key'), '--chain', path.join(PKI, 'root.pem')])).code).toBe(0);
    expect(await states(mac)).toEqual({ alice: 'out of date', bob: 'out of date', carol: 'current' });
    expect((await mac(['user', 'show', 'alice'])).stdout).toContain('profile:  out of date (signer changed)');
  });

  it('mail --stale sends exactly the out-of-date profiles (loopback SMTP)', async () => {
    const { mac } = await newSite();
    for (const n of ['alice', 'bob', 'carol']) ok(await mac(['user', 'add', n, '--email', `${n}@example.com`]));
    ok(await mac(['user', 'add', 'dave'])); // no email
    const smtp = await startSmtp();
    try {
      const url = `smtp://127.0.0.1:${smtp.port}`;
      const nothing = await mac(['mail', '--stale', '--smtp', url]);
      ok(nothing);
      expect(nothing.stdout).toBe('no delivered profile is out of date: nothing to send\n');
      ok(await mac(['mail', 'alice', 'bob', '--smtp', url]));
      ok(await mac(['profile', 'dave']));
      expect(await states(mac)).toEqual({ alice: 'current', bob: 'current', carol: 'not delivered', dave: 'current' });
      ok(await mac(['user', 'rotate', 'bob']));
      ok(await mac(['user', 'rotate', 'dave']));
      smtp.recipients.length = 0;
      const r = await mac(['mail', '--stale', '--smtp', url]);
      ok(r);
      // bob only: alice is current, carol never got one, dave has no email (skipped, and said).
      expect(smtp.recipients).toEqual([['bob@example.com']]);
      expect(r.stdout).toContain('sent bob.mobileconfig to bob@example.com');
      expect(r.stdout).toContain('skipped 1 without an email (dave)');
      expect(await states(mac)).toEqual({ alice: 'current', bob: 'current', carol: 'not delivered', dave: 'out of date' });
    } finally {
      await smtp.close();
    }
  });
});

describe('server --diff and build --diff', () => {
  it('prints a masked unified diff, exits 1 when something would change and 0 when not, and writes nothing', async () => {
    const { dir, mac } = await newSite();
    ok(await mac(['user', 'add', 'alice']));
    ok(await mac(['build']));
    const same = await mac(['server', '--diff']);
    ok(same);
    expect(same.stdout).toBe('server/ is up to date: nothing would change\n');
    expect((await mac(['build', '--diff'])).code).toBe(0);
    const oldPsk = read(dir, 'secrets/psk').trim();
    const oldPw = JSON.parse(read(dir, 'secrets/passwords.json')).alice as string;
    ok(await mac(['psk', 'rotate']));
    ok(await mac(['user', 'rotate', 'alice']));
    ok(await mac(['user', 'add', 'bob']));
    ok(await mac(['set', 'dns', '192.168.1.5']));
    const secrets = [oldPsk, oldPw, read(dir, 'secrets/psk').trim(), ...Object.values(JSON.parse(read(dir, 'secrets/passwords.json')) as Record<string, string>)];
    const before = snapshot(dir);
    const d = await mac(['server', '--diff']);
    expect(d.code).toBe(1);
    expect(d.stderr).toBe('');
    for (const s of secrets) expect(d.stdout).not.toContain(s);
    expect(d.stdout).toContain('--- server/etc/ipsec.conf\n+++ server/etc/ipsec.conf\n');
    expect(d.stdout).toContain('-\tpsk "********"\n+\tpsk "********"\n');
    expect(d.stdout).toContain('-\tdns-servers 192.168.1.1\n+\tdns-servers 192.168.1.5\n');
    expect(d.stdout).toContain('-\t:password=********:\n+\t:password=********:\n');
    expect(d.stdout).toContain('+bob:\\\n+\t:password=********:\n');
    const b = await mac(['build', '--diff']);
    expect(b.code).toBe(1);
    for (const s of secrets) expect(b.stdout).not.toContain(s);
    expect(b.stdout).toContain('profiles/alice.mobileconfig would change (its settings or secrets)\n');
    expect(b.stdout).toContain('profiles/bob.mobileconfig would be created\n');
    expect(snapshot(dir)).toEqual(before);
  });

  it('IKEv2: the private key and EAP passwords never show', async () => {
    const { dir, mac } = await newSite('--vpn', 'ikev2', '--auth', 'eap');
    ok(await mac(['user', 'add', 'alice']));
    const d = await mac(['server', '--diff']);
    expect(d.code).toBe(1);
    const key = read(dir, 'secrets/iked-key.pem');
    for (const line of key.split('\n').filter((l) => l && !l.startsWith('-----'))) expect(d.stdout).not.toContain(line);
    expect(d.stdout).not.toContain(JSON.parse(read(dir, 'secrets/passwords.json')).alice);
    expect(d.stdout).toContain('+user "alice" "********"\n');
    expect(d.stdout).toContain('server/etc/iked/private/local.key would be created (mode 0600)');
    expect(fs.existsSync(path.join(dir, 'server'))).toBe(false);
  });
});

describe('init --force', () => {
  it('keeps a dated copy of what it replaces inside the site, and says where', async () => {
    const { dir, mac } = await newSite();
    ok(await mac(['user', 'add', 'alice']));
    const yaml = read(dir, 'macvpn.yaml');
    const psk = read(dir, 'secrets/psk');
    const r = await mac(['init', '--server', 'vpn.example.com', '--force']);
    ok(r);
    const m = /kept a copy of the site it replaced in (backups\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ)\/ \(0700\)/.exec(r.stdout);
    expect(m).not.toBeNull();
    const backup = path.join(dir, m![1]!);
    expect(modeOf(path.join(dir, 'backups'))).toBe('0700');
    expect(modeOf(backup)).toBe('0700');
    expect(read(backup, 'macvpn.yaml')).toBe(yaml);
    expect(read(backup, 'secrets/psk')).toBe(psk);
    expect(modeOf(path.join(backup, 'secrets/psk'))).toBe('0600');
    expect(read(dir, 'secrets/psk')).not.toBe(psk);
    expect(read(dir, 'macvpn.yaml')).not.toContain('alice');
  });
});

interface Smtp {
  port: number;
  recipients: string[][];
  close(): Promise<void>;
}

function startSmtp(): Promise<Smtp> {
  const recipients: string[][] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, cb) {
      stream.on('data', () => {});
      stream.on('end', () => {
        recipients.push(session.envelope.rcptTo.map((r) => r.address));
        cb();
      });
    },
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.server.address() as net.AddressInfo).port;
      resolve({ port, recipients, close: () => new Promise<void>((r) => server.close(() => r())) });
    });
  });
}
