/** `macvpn check`: everything generated matches the site, or each difference is named. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, snapshot, tempDir } from '../helpers/cli.js';

describe('macvpn check', () => {
  it('passes after build and names what a rotation left out of date, without printing secrets', async () => {
    const site = tempDir();
    const run = (args: string[]) => runBin(args, { cwd: site });
    await run(['init', '--server', 'vpn.example.com']);
    await run(['user', 'add', 'alice']);
    await run(['user', 'add', 'bob']);
    const first = await run(['check']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('server/: not generated yet (macvpn server)');
    expect(first.stdout).toContain('profiles/: 0 current, 0 out of date, 2 not generated');
    expect((await run(['build'])).code).toBe(0);
    const ok = await run(['check']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('server/: up to date');
    expect(ok.stdout).toContain('profiles/: 2 current, 0 out of date, 0 not generated');

    await run(['user', 'rotate', 'alice']);
    const before = snapshot(site);
    const stale = await run(['check']);
    expect(stale.code).toBe(1);
    expect(stale.stderr.trimEnd().split('\n')).toEqual([
      'macvpn: error: server/etc/npppd/npppd-users is out of date: run "macvpn server" and install it on the router',
      'macvpn: error: profiles/alice.mobileconfig is out of date (password changed): run "macvpn profile alice" or "macvpn build"',
      // Issue 11: the profile alice was given (by build) is out of date too.
      'macvpn: error: 1 user holds an out-of-date profile (alice): run "macvpn build", then "macvpn mail --stale"',
    ]);
    expect(snapshot(site)).toEqual(before);
    const pw = JSON.parse(fs.readFileSync(path.join(site, 'secrets/passwords.json'), 'utf8'));
    expect(stale.stdout + stale.stderr).not.toContain(pw.alice);

    fs.writeFileSync(path.join(site, 'profiles/old.mobileconfig'), 'x');
    fs.chmodSync(path.join(site, 'server/install.sh'), 0o755);
    const more = await run(['check']);
    expect(more.stderr).toContain('profiles/old.mobileconfig belongs to no user of the site');
    expect(more.stderr).toContain('server/install.sh has mode 0755, expected 0700');
  });

  it('notices a change of DNS or signer, which leaves the secrets as they were', async () => {
    const site = tempDir();
    const run = (args: string[]) => runBin(args, { cwd: site });
    await run(['init', '--server', 'vpn.example.com']);
    await run(['user', 'add', 'alice']);
    await run(['build']);
    const file = path.join(site, 'macvpn.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('dns: []', 'dns: ["10.0.0.1"]'));
    const dns = await run(['check']);
    expect(dns.stderr).toContain('profiles/alice.mobileconfig is out of date (site settings changed)');
    await run(['build']);
    expect((await run(['check'])).code).toBe(0);
    const { PKI: pki } = await import('../signing/pki.js');
    await run(['signer', 'import', '--cert', path.join(pki, 'p256.pem'), '--key', path.join(pki, 'p256.key')]);
    const signer = await run(['check']);
    expect(signer.stderr).toContain('profiles/alice.mobileconfig is out of date (signer changed)');
  });
});
