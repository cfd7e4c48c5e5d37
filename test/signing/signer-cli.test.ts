/**
 * `macvpn signer import` and `signer show`: in process through each command's run(), and through
 * the real bin/macvpn.js (npm test builds it first). Every failure leaves the site byte-identical.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runBin, snapshot, tempDir, type RunResult } from '../helpers/cli.js';
import { makeCtx, type CliIo } from '../../src/cli/context.js';
import { formatError, MacvpnError } from '../../src/errors.js';
import { run as runInit } from '../../src/cli/commands/init.js';
import { run as runImport } from '../../src/cli/commands/signer-import.js';
import { run as runShow } from '../../src/cli/commands/signer-show.js';
import { siteSignerFiles } from '../../src/cli/signer-files.js';
import { writeFiles } from '../../src/io/write-files.js';
import { loadSettings } from '../../src/io/read-site.js';
import { PASSPHRASE, PKI, pki } from './pki.js';

type Run = typeof runImport;

/** Runs one command's run() the way main() does: errors through the one formatter. */
async function inProcess(cmd: Run, site: string, opts: Record<string, unknown>, input = ''): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (c) => (stdout += String(c)) },
    stderr: { write: (c) => (stderr += String(c)) },
    env: {},
    cwd: PKI, // relative --cert/--key paths are the fixture names
    readStdin: async () => input,
  };
  try {
    await cmd(makeCtx(io, site), [], opts);
    return { code: 0, stdout, stderr };
  } catch (e) {
    stderr += formatError(e, false);
    return { code: e instanceof MacvpnError ? e.exitCode : 1, stdout, stderr };
  }
}

async function newSite(): Promise<string> {
  const site = tempDir();
  const r = await inProcess(runInit, site, { server: 'vpn.example.com', org: 'Example' });
  expect(r.code).toBe(0);
  return site;
}

/** Key bodies and the passphrase must never reach the terminal. */
function expectNoSecrets(r: RunResult, site?: string): void {
  const all = r.stdout + r.stderr;
  const keys = ['rsa.key', 'rsa-int.key', 'p256.key', 'other.key', 'expired.key'].map(pki);
  if (site) keys.push(fs.readFileSync(path.join(site, 'secrets/signer-key.pem'), 'utf8'));
  for (const k of keys) for (const line of k.split('\n').slice(1, -2)) expect(all).not.toContain(line);
  expect(all).not.toContain(PASSPHRASE);
}

describe('signer import (in process)', () => {
  it('imports a PEM RSA signer with an intermediate and says who signs and that Macs show Unverified', async () => {
    const site = await newSite();
    const r = await inProcess(runImport, site, { cert: 'rsa-int.pem', key: 'rsa-int.key', chain: 'int.pem' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 6)).toEqual([
      'profiles are now signed by CN=TEST ONLY RSA signer under intermediate, O=macvpn TEST ONLY',
      '  signer:      CN=TEST ONLY RSA signer under intermediate, O=macvpn TEST ONLY',
      '  issued by:   CN=macvpn TEST ONLY Intermediate CA, O=macvpn TEST ONLY',
      '  key:         RSA-2048, SHA-256',
      expect.stringMatching(/^  valid until: 2099-12-31 \(\d+ days\)$/),
      '  trust:       Unverified: the chain ends at CN=macvpn TEST ONLY Root CA, O=macvpn TEST ONLY, which Macs do not trust by default: profiles show "Unverified" unless that CA (ca.pem for the site\'s own CA) is installed and trusted on the Mac',
    ]);
    expect(r.stdout).toContain("note: the site's own CA (secrets/ca-key.pem, ca.pem) is kept");
    expect(fs.readFileSync(path.join(site, 'secrets/signer-cert.pem'), 'utf8')).toBe(pki('rsa-int.pem'));
    expect(fs.readFileSync(path.join(site, 'secrets/signer-chain.pem'), 'utf8')).toBe(pki('int.pem'));
    for (const f of ['signer-cert.pem', 'signer-key.pem', 'signer-chain.pem']) expect(fs.statSync(path.join(site, 'secrets', f)).mode & 0o777).toBe(0o600);
    expectNoSecrets(r, site);
    const show = await inProcess(runShow, site, {});
    expect(show.code).toBe(0);
    expect(show.stdout.split('\n').slice(0, 5)).toEqual(r.stdout.split('\n').slice(1, 6));
    expectNoSecrets(show, site);
  });

  it('imports an ECDSA P-256 PKCS#12 with the passphrase on stdin; show --json reports it', async () => {
    const site = await newSite();
    const r = await inProcess(runImport, site, { p12: 'p256.p12', passphraseStdin: true }, `${PASSPHRASE}\n`);
    expect(r.code).toBe(0);
    expectNoSecrets(r, site);
    const show = await inProcess(runShow, site, { json: true });
    const j = JSON.parse(show.stdout);
    expect(j).toMatchObject({ subject: 'CN=TEST ONLY P-256 signer, O=macvpn TEST ONLY', keyType: 'ECDSA P-256', digest: 'sha256', trust: 'unverified', notAfter: '2099-12-31T23:59:59.000Z' });
    expect(j.chain).toHaveLength(1);
  });

  const failures: Array<[string, Record<string, unknown>, string, number, string?]> = [
    ['a key that does not match', { cert: 'rsa.pem', key: 'other.key' }, 'macvpn: error: other.key does not match the certificate in rsa.pem\n', 1],
    ['an expired certificate', { cert: 'expired.pem', key: 'expired.key' }, 'macvpn: error: expired.pem: certificate (CN=TEST ONLY expired signer, O=macvpn TEST ONLY) expired on 2021-01-01T00:00:00.000Z\n', 1],
    ['a key usage that forbids signing', { cert: 'certsign.pem', key: 'certsign.key' }, 'macvpn: error: certsign.pem: key usage (keyCertSign) does not allow digitalSignature\n', 1],
    ['a chain that does not link', { cert: 'rsa-int.pem', key: 'rsa-int.key', chain: 'root.pem' }, 'macvpn: error: root.pem: certificate 1 (CN=macvpn TEST ONLY Root CA, O=macvpn TEST ONLY) did not issue CN=TEST ONLY RSA signer under intermediate, O=macvpn TEST ONLY\n', 1],
    ['a wrong passphrase', { p12: 'rsa-int.p12', passphraseStdin: true }, 'macvpn: error: rsa-int.p12: wrong passphrase\n', 1, 'not-the-passphrase\n'],
    ['a missing file', { cert: 'nope.pem', key: 'rsa.key' }, 'macvpn: error: cannot read certificate nope.pem: ENOENT\n', 1],
    ['--p12 with --cert', { p12: 'p256.p12', cert: 'rsa.pem' }, 'macvpn: error: give either --p12 or --cert and --key, not both\n', 2],
    ['--cert without --key', { cert: 'rsa.pem' }, 'macvpn: error: give --cert and --key (PEM), or --p12\nmacvpn: hint: macvpn signer import --help\n', 2],
  ];
  for (const [what, opts, stderr, code, input] of failures) {
    it(`refuses ${what} and changes nothing`, async () => {
      const site = await newSite();
      const before = snapshot(site);
      const r = await inProcess(runImport, site, opts, input);
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout: '' });
      expect(r.stderr.replace(/\nmacvpn: hint: import one.*$/s, '\n').replace(/macvpn: hint: pass it on standard input.*\n/, '')).toBe(stderr);
      expect(snapshot(site)).toEqual(before);
      expectNoSecrets(r, site);
      if (input) expect(r.stderr).not.toContain(input.trim());
    });
  }

  it('refuses a folder that is not a site', async () => {
    const dir = tempDir();
    const r = await inProcess(runImport, dir, { cert: 'rsa.pem', key: 'rsa.key' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^macvpn: error: .*macvpn\.yaml not found/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('signer show (in process)', () => {
  it('warns on stderr when the certificate expires within 30 days', async () => {
    const site = await newSite();
    const settings = loadSettings(site);
    // a site signer issued 1 085 days ago: its 1 095-day certificate has about 10 days left
    writeFiles(site, siteSignerFiles(settings, new Date(Date.now() - 1085 * 86_400_000)));
    const r = await inProcess(runShow, site, {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trust: {7}Unverified: the chain ends at O=Example, CN=Example macvpn CA/);
    expect(r.stderr).toMatch(/^macvpn: warning: the signer certificate expires on \d{4}-\d\d-\d\d \(in (9|10) days\); import a new one with "macvpn signer import"\n$/);
  });

  it('shows an expired signer and exits 1', async () => {
    const site = await newSite();
    writeFiles(site, siteSignerFiles(loadSettings(site), new Date(Date.now() - 1200 * 86_400_000)));
    const r = await inProcess(runShow, site, {});
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('(EXPIRED)');
    expect(r.stderr).toMatch(/^macvpn: error: the signer certificate expired on .*\nmacvpn: hint: import a new one with "macvpn signer import"\n$/);
  });

  it('names a missing signer file', async () => {
    const site = await newSite();
    fs.rmSync(path.join(site, 'secrets/signer-chain.pem'));
    const r = await inProcess(runShow, site, {});
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe('macvpn: error: secrets/signer-chain.pem not found');
  });
});

// Through the real binary: a missing build or an unwired command fails here, it is never skipped.
describe('signer import/show through bin/macvpn.js', () => {
  it('is built and wired', async () => {
    expect(fs.existsSync(path.join(path.dirname(BIN), '../dist/macvpn.cjs'))).toBe(true);
    const probe = await runBin(['signer', 'show'], { cwd: tempDir() });
    expect(probe.stderr).not.toContain('not implemented in this build');
  });

  it('imports, shows, and leaves the site untouched after a failure', async () => {
    const site = tempDir();
    expect((await runBin(['init', '--server', 'vpn.example.com'], { cwd: site })).code).toBe(0);
    const ok = await runBin(['--site', site, 'signer', 'import', '--p12', path.join(PKI, 'rsa-int.p12'), '--passphrase-stdin'], { cwd: PKI, input: `${PASSPHRASE}\n` });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expectNoSecrets(ok, site);
    const show = await runBin(['signer', 'show', '--json'], { cwd: site });
    expect(JSON.parse(show.stdout)).toMatchObject({ keyType: 'RSA-2048', trust: 'unverified' });
    const before = snapshot(site);
    const bad = await runBin(['--site', site, 'signer', 'import', '--cert', 'rsa.pem', '--key', 'other.key'], { cwd: PKI });
    expect(bad).toEqual({ code: 1, stdout: '', stderr: 'macvpn: error: other.key does not match the certificate in rsa.pem\n' });
    expect(snapshot(site)).toEqual(before);
    const usage = await runBin(['--site', site, 'signer', 'import', '--p12', 'x.p12', '--cert', 'rsa.pem'], { cwd: PKI });
    expect(usage.code).toBe(2);
  });
});
