/** Issue 3: `macvpn profile` and `macvpn verify` through the real binary, checked with openssl. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'plist';
import { modeOf, runBin, snapshot, tempDir } from '../helpers/cli.js';
import { openssl, PKI } from '../signing/pki.js';
import { schemaProblems } from '../helpers/apple-schema.js';
import { main } from '../../src/cli/main.js';

let site: string;
const run = (args: string[], input?: string) => runBin(args, { cwd: site, ...(input !== undefined && { input }) });
const read = (rel: string) => fs.readFileSync(path.join(site, rel));
const cmsVerify = (file: string, ca: string, extra: string[] = []) => {
  const r = openssl(['cms', '-verify', '-inform', 'DER', '-in', file, '-CAfile', ca, ...extra]);
  return { ok: r.status === 0, content: r.stdout };
};
const contentOf = (der: Buffer, ca: string) => {
  const f = path.join(tempDir(), 'p.mobileconfig');
  fs.writeFileSync(f, der);
  return cmsVerify(f, ca).content;
};

beforeAll(async () => {
  site = tempDir();
  expect((await run(['init', '--server', 'vpn.example.com', '--dns', '10.0.0.1', '--org', 'A&B <Ops> "x"'])).code).toBe(0);
  expect((await run(['user', 'add', 'alice', '--password-stdin'], 'p<a&s>s"w\'d\n')).code).toBe(0);
  expect((await run(['user', 'add', 'bob@example.com'])).code).toBe(0);
});

describe('macvpn profile', () => {
  it('writes a signed 0600 profile that openssl verifies against the site CA and whose content is the plist', async () => {
    const r = await run(['profile', 'alice']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("wrote profiles/alice.mobileconfig (0600, signed; holds the shared secret and alice's password)\n");
    const file = path.join(site, 'profiles/alice.mobileconfig');
    expect(modeOf(file)).toBe('0600');
    expect(modeOf(path.join(site, 'profiles'))).toBe('0700');
    const v = cmsVerify(file, path.join(site, 'ca.pem'));
    expect(v.ok).toBe(true);
    const unsigned = await runBin(['profile', 'alice', '--unsigned', '--stdout'], { cwd: site });
    expect(v.content.toString('utf8')).toBe(unsigned.stdout);
    expect(cmsVerify(file, path.join(site, 'ca.pem'), ['-purpose', 'any']).ok).toBe(true);
    expect(schemaProblems(v.content)).toEqual([]);
    const obj = parse(v.content.toString('utf8')) as any;
    expect(obj.PayloadOrganization).toBe('A&B <Ops> "x"');
    expect(obj.PayloadContent[0].PPP.AuthPassword).toBe('p<a&s>s"w\'d');
    expect(Buffer.from(obj.PayloadContent[0].IPSec.SharedSecret).toString()).toBe(read('secrets/psk').toString().trim());
  });

  it('a flipped content byte fails openssl and macvpn verify', async () => {
    const good = read('profiles/alice.mobileconfig');
    const bad = Buffer.from(good);
    const at = bad.indexOf('<string>alice</string>');
    bad[at + 9] ^= 1;
    const file = path.join(tempDir(), 'bad.mobileconfig');
    fs.writeFileSync(file, bad);
    expect(cmsVerify(file, path.join(site, 'ca.pem')).ok).toBe(false);
    const r = await run(['verify', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('macvpn: error: ');
    expect(r.stderr).toContain('changed after signing');
    const ok = await run(['verify', 'profiles/alice.mobileconfig']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('  ok\n');
    expect(ok.stdout + ok.stderr).not.toContain('p<a&s>');
  });

  it('re-issuing keeps every identifier and UUID', async () => {
    const ca = path.join(site, 'ca.pem');
    const first = parse(contentOf(read('profiles/alice.mobileconfig'), ca).toString()) as any;
    await run(['user', 'rotate', 'alice']);
    await run(['psk', 'rotate']);
    expect((await run(['profile', 'alice'])).code).toBe(0);
    const second = parse(contentOf(read('profiles/alice.mobileconfig'), ca).toString()) as any;
    const ids = (o: any) => [o.PayloadIdentifier, o.PayloadUUID, o.PayloadContent[0].PayloadIdentifier, o.PayloadContent[0].PayloadUUID];
    expect(ids(second)).toEqual(ids(first));
    expect(second.PayloadContent[0].PPP.AuthPassword).not.toBe(first.PayloadContent[0].PPP.AuthPassword);
  });

  it('--no-password, -o and --scope user', async () => {
    const out = path.join(tempDir(), 'sub dir');
    fs.mkdirSync(out);
    const r = await run(['profile', 'bob@example.com', '--no-password', '--scope', 'user', '-o', path.join(out, 'b.mobileconfig')]);
    expect(r.code).toBe(0);
    expect(modeOf(path.join(out, 'b.mobileconfig'))).toBe('0600');
    const obj = parse(contentOf(fs.readFileSync(path.join(out, 'b.mobileconfig')), path.join(site, 'ca.pem')).toString()) as any;
    expect(obj.PayloadScope).toBe('User');
    expect(obj.PayloadContent[0].PPP).toEqual({ CommRemoteAddress: 'vpn.example.com', AuthName: 'bob@example.com' });
    expect(obj.PayloadIdentifier).toBe('com.example.vpn.macvpn.bob_40example_2ecom');
  });

  it('an unknown user fails without writing anything', async () => {
    const before = snapshot(site);
    const r = await run(['profile', 'zed']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('macvpn: error: no user "zed" in macvpn.yaml\nmacvpn: hint: see "macvpn user list", or add one with "macvpn user add NAME"\n');
    expect(snapshot(site)).toEqual(before);
  });

  it('--stdout refuses to write a signed profile to a terminal', async () => {
    let out = '';
    let err = '';
    const code = await main(['--site', site, 'profile', 'alice', '--stdout'], {
      stdout: { write: (s: string | Uint8Array) => (out += String(s)), isTTY: true },
      stderr: { write: (s: string | Uint8Array) => (err += String(s)) },
      env: {},
      cwd: site,
      readStdin: async () => '',
    });
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe('macvpn: error: refusing to write a signed (binary) profile to the terminal\nmacvpn: hint: use -o FILE, redirect stdout, or add --unsigned\n');
  });
});

describe('imported signers', () => {
  const importAndProfile = async (args: string[]) => {
    const dir = tempDir();
    await runBin(['init', '--server', 'vpn.example.com'], { cwd: dir });
    await runBin(['user', 'add', 'alice'], { cwd: dir });
    const imp = await runBin(['signer', 'import', ...args], { cwd: dir });
    expect(imp.stderr).not.toContain('error');
    expect(imp.code).toBe(0);
    expect((await runBin(['profile', 'alice'], { cwd: dir })).code).toBe(0);
    return path.join(dir, 'profiles/alice.mobileconfig');
  };
  it('ECDSA P-256', async () => {
    const file = await importAndProfile(['--cert', path.join(PKI, 'p256.pem'), '--key', path.join(PKI, 'p256.key')]);
    const v = cmsVerify(file, path.join(PKI, 'root.pem'));
    expect(v.ok).toBe(true);
    expect(schemaProblems(v.content)).toEqual([]);
  });
  it('RSA under an intermediate, verified against the root alone', async () => {
    const file = await importAndProfile(['--cert', path.join(PKI, 'rsa-int.pem'), '--key', path.join(PKI, 'rsa-int.key'), '--chain', path.join(PKI, 'int.pem')]);
    expect(cmsVerify(file, path.join(PKI, 'root.pem')).ok).toBe(true);
    const bad = Buffer.from(fs.readFileSync(file));
    bad[bad.indexOf('<string>alice</string>') + 9] ^= 1;
    const badFile = path.join(tempDir(), 'x.mobileconfig');
    fs.writeFileSync(badFile, bad);
    expect(cmsVerify(badFile, path.join(PKI, 'root.pem')).ok).toBe(false);
  });

  it('warns when the imported private key is readable by others', async () => {
    const dir = tempDir();
    await runBin(['init', '--server', 'vpn.example.com'], { cwd: dir });
    const key = path.join(dir, 'signer.key');
    fs.copyFileSync(path.join(PKI, 'rsa.key'), key);
    fs.chmodSync(key, 0o644);
    const r = await runBin(['signer', 'import', '--cert', path.join(PKI, 'rsa.pem'), '--key', key, '--chain', path.join(PKI, 'root.pem')], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`macvpn: warning: ${key} is readable by group or others (mode 0644): chmod 600 ${key}, and consider the key exposed`);
  });
});
