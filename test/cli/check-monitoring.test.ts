/**
 * Issue 10, "check for monitoring": a signer that expires within 30 days and every other finding
 * that needs action exit 1; --json gives the findings to scripts; passwords of users removed from
 * macvpn.yaml by hand are reported and removed by build (restoring the line must not bring the old
 * password back); orphaned profiles are compared ignoring case, as build does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, tempDir } from '../helpers/cli.js';
import { openssl, PKI } from '../signing/pki.js';

async function builtSite() {
  const site = tempDir();
  const run = (args: string[], input?: string) => runBin(args, { cwd: site, ...(input !== undefined && { input }) });
  for (const args of [['init', '--server', 'vpn.example.com'], ['user', 'add', 'alice'], ['user', 'add', 'bob'], ['build']]) expect((await run(args)).code).toBe(0);
  return { site, run };
}

describe('check for monitoring', () => {
  it('a signer that expires within 30 days is a finding: exit 1, with the way out', async () => {
    const { site, run } = await builtSite();
    const dir = tempDir('macvpn-soon-');
    const key = path.join(dir, 'soon.key');
    const csr = path.join(dir, 'soon.csr');
    const cert = path.join(dir, 'soon.pem');
    expect(openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', '/CN=soon', '-out', csr]).status).toBe(0);
    fs.chmodSync(key, 0o600);
    expect(openssl(['x509', '-req', '-in', csr, '-CA', path.join(PKI, 'root.pem'), '-CAkey', path.join(PKI, 'root.key'), '-days', '10', '-set_serial', '77', '-out', cert]).status).toBe(0);
    expect((await run(['signer', 'import', '--cert', cert, '--key', key])).code).toBe(0);
    expect((await run(['build'])).code).toBe(0);
    const r = await run(['check']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^macvpn: error: the signer certificate expires in \d days \(\d{4}-\d\d-\d\d\): import a renewed one with "macvpn signer import", then macvpn build$/m);
    const json = await run(['check', '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.ok).toBe(false);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatch(/^the signer certificate expires in/);
    expect(json.stderr).toBe('macvpn: error: 1 finding needs action (see the JSON on standard output)\n');
  });
  it('--json on a healthy site: ok, no findings, exit 0', async () => {
    const { run } = await builtSite();
    const r = await run(['check', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, findings: [] });
  });
  it('reports the password of a user removed by hand, and build removes it', async () => {
    const { site, run } = await builtSite();
    const file = path.join(site, 'macvpn.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^ {2}- \{ name: "?bob"? \}\n/m, ''));
    expect(fs.readFileSync(file, 'utf8')).not.toContain('bob');
    const r = await run(['check']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('macvpn: error: secrets/passwords.json holds a password for "bob", who is not in macvpn.yaml: "macvpn build" removes it');
    const b = await run(['build']);
    expect(b.stdout).toContain('removed the passwords of 1 user no longer in macvpn.yaml: bob');
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(site, 'secrets/passwords.json'), 'utf8')))).toEqual(['alice']);
    expect((await run(['check'])).code).toBe(0);
  });
  it('compares orphaned profiles ignoring case, as build does', async () => {
    const { site, run } = await builtSite();
    fs.copyFileSync(path.join(site, 'profiles/alice.mobileconfig'), path.join(site, 'profiles/stray.mobileconfig'));
    expect((await run(['check'])).stderr).toContain('profiles/stray.mobileconfig belongs to no user');
    fs.rmSync(path.join(site, 'profiles/stray.mobileconfig'));
    fs.renameSync(path.join(site, 'profiles/alice.mobileconfig'), path.join(site, 'profiles/Alice.mobileconfig'));
    expect((await run(['check'])).stderr).not.toContain('belongs to no user');
  });
});
