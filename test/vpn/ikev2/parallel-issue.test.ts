/**
 * Identities issued on worker threads (Tools.parallel, src/cli/worker-tasks.ts) are as good as
 * the serial ones: every certificate verifies against the VPN CA with openssl, serials and keys
 * are all distinct, each PKCS#12 opens with its own user's password and holds that certificate's
 * key, and the state files have their exact modes. Once through the task runner with real
 * threads, once end to end (`macvpn build` of a 300-user site, then `user add --from` of 250).
 */
import { createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runBin, tempDir } from '../../helpers/cli.js';
import { openssl } from '../../signing/pki.js';
import { TaskRunner } from '../../../src/cli/worker-tasks.js';
import { siteTools } from '../../../src/cli/site-edit.js';
import { ISSUE_TASK, issueIdentities, type IdentityBatch, type IssuedIdentity } from '../../../src/vpn/ikev2/issue-identity.js';
import { pem, readCert } from '../../../src/vpn/ikev2/pki/index.js';
import { makeCa, NOT_AFTER, NOT_BEFORE } from './pki/fixtures.js';
import { parseSite } from '../../../src/site/parse-site.js';
import { renderSiteYaml } from '../../../src/site/render-site-yaml.js';
import { renderPasswords } from '../../../src/site/secrets.js';
import type { Tools } from '../../../src/vpn/vpn-type.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const dir = () => {
  const d = tempDir('macvpn-par-');
  dirs.push(d);
  return d;
};

/** One openssl verify for many certificates (files) against a CA file, at `at` or now. */
function verifyAll(caFile: string, certFiles: string[], at?: Date): void {
  const r = openssl(['verify', ...(at ? ['-attime', String(Math.floor(at.getTime() / 1000))] : []), '-CAfile', caFile, ...certFiles]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout.toString().trim().split('\n').filter((l) => l.endsWith(': OK'))).toHaveLength(certFiles.length);
}

/** openssl opens the PKCS#12 with `password` (-legacy, as docs/iked.md §4 item 7) and its key is the certificate's. */
function opensWith(p12File: string, password: string, certDer: Uint8Array): void {
  const r = openssl(['pkcs12', '-legacy', '-in', p12File, '-passin', `pass:${password}`, '-nodes']);
  expect(r.status, r.stderr).toBe(0);
  const out = r.stdout.toString();
  const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(out)![0];
  const certKey = createPublicKey(pem('CERTIFICATE', certDer)).export({ type: 'spki', format: 'der' });
  expect(createPublicKey(keyPem).export({ type: 'spki', format: 'der' }).equals(certKey)).toBe(true);
  expect(openssl(['pkcs12', '-legacy', '-in', p12File, '-passin', 'pass:wrong', '-nokeys']).status).not.toBe(0);
}

describe('the task runner with real threads', () => {
  it('issues 300 identities, some on each thread, all sound and distinct', async () => {
    const work = dir();
    // A worker as build-worker.ts serves tasks, from the compiled modules.
    const script = path.join(work, 'worker.mjs');
    fs.writeFileSync(script, [
      `import { parentPort } from 'node:worker_threads';`,
      `const { serveTasks } = await import(${JSON.stringify(path.join(ROOT, 'dist/cli/worker-tasks.js'))});`,
      `const { siteTools } = await import(${JSON.stringify(path.join(ROOT, 'dist/cli/site-edit.js'))});`,
      `parentPort.on('message', (m) => m.kind === 'tasks' && serveTasks(m.channel, siteTools));`,
      `parentPort.postMessage('ready');`,
    ].join('\n'));
    const workers = [new Worker(script), new Worker(script)];
    try {
      await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
      const ca = makeCa('ECDSA');
      const batch: IdentityBatch = { caCertDer: ca.der, caKeyPkcs8: ca.key.privateKey.export({ type: 'pkcs8', format: 'der' }), userKey: 'ecdsa', notBefore: NOT_BEFORE, notAfter: NOT_AFTER };
      const requests = Array.from({ length: 300 }, (_, i) => ({ identity: `user${i}.vpn.example.com`, password: `Password-${i}-abcdefgh` }));
      // This thread's own share is counted through its Tools: the rest was done on the workers.
      let mine = 0;
      const base = siteTools(new Date('2026-06-01T00:00:00Z'));
      const tools: Tools = { ...base, newKey: (kind) => (mine++, base.newKey(kind)) };
      const progress: number[] = [];
      tools.progress = (done) => progress.push(done);
      const runner = new TaskRunner(workers, (w, channel, port) => w.postMessage({ kind: 'tasks', channel }, [port]));
      const out = runner.run('ikev2', ISSUE_TASK, batch, requests, tools) as IssuedIdentity[];
      runner.close();
      expect(mine).toBeLessThan(requests.length);
      expect(progress.at(-1)).toBe(300);
      expect(out).toHaveLength(300);

      const infos = out.map((o) => readCert(o.certDer));
      expect(infos.map((c) => c.dnsNames[0])).toEqual(requests.map((r) => r.identity));
      expect(new Set(out.map((o) => o.serial)).size).toBe(300);
      expect(infos.map((c) => c.serial)).toEqual(out.map((o) => o.serial));
      const spkis = out.map((o) => createPublicKey(pem('CERTIFICATE', o.certDer)).export({ type: 'spki', format: 'der' }).toString('hex'));
      expect(new Set(spkis).size).toBe(300);
      const caFile = path.join(work, 'ca.pem');
      fs.writeFileSync(caFile, pem('CERTIFICATE', ca.der));
      const files = out.map((o, i) => {
        const f = path.join(work, `u${i}.pem`);
        fs.writeFileSync(f, pem('CERTIFICATE', o.certDer));
        return f;
      });
      verifyAll(caFile, files, new Date('2026-06-01T00:00:00Z'));
      for (const i of [0, 49, 50, 151, 299]) {
        const f = path.join(work, `u${i}.p12`);
        fs.writeFileSync(f, out[i]!.p12);
        opensWith(f, requests[i]!.password, out[i]!.certDer);
      }
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }, 60_000);

  it('an error in a task reaches the caller', async () => {
    const ca = makeCa('ECDSA');
    const batch = { caCertDer: ca.der, caKeyPkcs8: ca.key.privateKey.export({ type: 'pkcs8', format: 'der' }), userKey: 'ecdsa', notBefore: NOT_BEFORE, notAfter: NOT_AFTER };
    expect(() => issueIdentities(batch, [{ identity: 'not a name', password: 'x' }], siteTools())).toThrow('is not a DNS name');
  });
});

/** An IKEv2 site of `n` users, not built yet (as bench/lib.mjs makes one). */
async function ikev2Site(n: number): Promise<{ site: string; passwords: Map<string, string> }> {
  const site = dir();
  const init = await runBin(['init', '--vpn', 'ikev2', '--server', 'vpn.example.com', '--pool', '10.8.0.0/16'], { cwd: site });
  expect(init.code, init.stderr).toBe(0);
  const parsed = parseSite(fs.readFileSync(path.join(site, 'macvpn.yaml'), 'utf8'));
  if (!parsed.ok) throw new Error('fixture site');
  const users = Array.from({ length: n }, (_, i) => ({ name: `user${i}` }));
  fs.writeFileSync(path.join(site, 'macvpn.yaml'), renderSiteYaml({ ...parsed.settings, users }));
  const passwords = new Map(users.map((u, i) => [u.name, `Password-${i}-abcdefghij`]));
  fs.writeFileSync(path.join(site, 'secrets/passwords.json'), renderPasswords(passwords), { mode: 0o600 });
  return { site, passwords };
}

const mode = (f: string) => (fs.statSync(f).mode & 0o7777).toString(8);

/** The site's identities for `names`: modes exact, certificates verify, serials distinct, a sample opens. */
function checkIdentities(site: string, names: string[], password: (name: string) => string): void {
  const certs = names.map((n) => path.join(site, 'pki/users', `${n}.pem`));
  const p12s = names.map((n) => path.join(site, 'secrets/users', `${n}.p12`));
  for (const f of certs) expect(mode(f)).toBe('644');
  for (const f of p12s) expect(mode(f)).toBe('600');
  verifyAll(path.join(site, 'pki/vpn-ca.pem'), certs);
  const infos = certs.map((f) => readCert(Buffer.from(fs.readFileSync(f, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64')));
  expect(new Set(infos.map((c) => c.serial)).size).toBe(names.length);
  expect(infos.map((c) => c.dnsNames[0])).toEqual(names.map((n) => `${n}.vpn.example.com`));
  for (const i of [0, Math.floor(names.length / 2), names.length - 1]) {
    const der = Buffer.from(fs.readFileSync(certs[i]!, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    opensWith(p12s[i]!, password(names[i]!), der);
  }
  // No temp file is left behind in the folders written.
  for (const d of ['pki/users', 'secrets/users']) expect(fs.readdirSync(path.join(site, d)).filter((f) => f.startsWith('.'))).toEqual([]);
}

describe('end to end', () => {
  it('macvpn build of a 300-user site issues every identity (on the build threads) and check passes; user add --from 250 more', async () => {
    const { site, passwords } = await ikev2Site(300);
    const r = await runBin(['build', '--quiet'], { cwd: site });
    expect(r.code, r.stderr).toBe(0);
    // Issue 12: a line for each of the first three identities, then one summary, not 300 lines.
    const issuedLines = (out: string) => out.split('\n').filter((l) => l.startsWith('issued a certificate'));
    const summary = (n: number) => new RegExp(`^issued certificates to ${n - 3} more users \\(${n} in all\\), each valid until \\d{4}-\\d{2}-\\d{2}; their serials are in pki/users/NAME\\.pem$`, 'm');
    expect(issuedLines(r.stdout)).toHaveLength(3);
    expect(r.stdout).toMatch(summary(300));
    const names = [...passwords.keys()];
    expect(fs.readdirSync(path.join(site, 'secrets/users'))).toHaveLength(300);
    checkIdentities(site, names, (n) => passwords.get(n)!);
    const check = await runBin(['check'], { cwd: site });
    expect(check.code, check.stdout + check.stderr).toBe(0);

    const list = path.join(site, 'more.txt');
    const more = Array.from({ length: 250 }, (_, i) => `extra${i}`);
    fs.writeFileSync(list, more.join('\n') + '\n');
    const add = await runBin(['user', 'add', '--from', list], { cwd: site });
    expect(add.code, add.stderr).toBe(0);
    expect(issuedLines(add.stdout)).toHaveLength(3);
    expect(add.stdout).toMatch(summary(250));
    const stored = JSON.parse(fs.readFileSync(path.join(site, 'secrets/passwords.json'), 'utf8')) as Record<string, string>;
    checkIdentities(site, more, (n) => stored[n]!);
    expect(fs.readdirSync(path.join(site, 'secrets/users'))).toHaveLength(550);
  }, 120_000);

  it('issue 12: the state files are written while the threads sign; one that cannot be written fails the build with nothing of it left', async () => {
    const { site } = await ikev2Site(120);
    // pki/users/ a symlink: the certificates cannot be written (macvpn never writes through one).
    const elsewhere = dir();
    fs.rmSync(path.join(site, 'pki/users'), { recursive: true, force: true });
    fs.symlinkSync(elsewhere, path.join(site, 'pki/users'));
    const r = await runBin(['build', '--quiet'], { cwd: site });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `macvpn: error: cannot write into ${path.join(site, 'pki/users')}: it is a symbolic link, and macvpn never writes through one\n` +
        'macvpn: hint: replace it with a real folder, or name the folder it points to\n',
    );
    // No identity, no profile (the threads may have signed some meanwhile), no temp file anywhere.
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    expect(fs.existsSync(path.join(site, 'secrets/users'))).toBe(false);
    expect(fs.existsSync(path.join(site, 'profiles'))).toBe(false);
    const left = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? left(path.join(d, e.name)) : e.name.startsWith('.') ? [path.join(d, e.name)] : []));
    expect(left(site).filter((f) => !f.endsWith('.macvpn.lock'))).toEqual([]);
    // With a real folder again, the build issues and signs every one.
    fs.rmSync(path.join(site, 'pki/users'));
    const again = await runBin(['build', '--quiet'], { cwd: site });
    expect(again.code, again.stderr).toBe(0);
    expect(fs.readdirSync(path.join(site, 'profiles')).filter((f) => f.endsWith('.mobileconfig'))).toHaveLength(120);
    expect(fs.readdirSync(path.join(site, 'secrets/users'))).toHaveLength(120);
  }, 120_000);
});
