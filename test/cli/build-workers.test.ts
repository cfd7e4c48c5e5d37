/** `macvpn build` on a site big enough for worker threads (src/cli/build-workers.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { modeOf, runBin, snapshot, tempDir } from '../helpers/cli.js';
import { openssl } from '../signing/pki.js';
import { parseSite } from '../../src/site/parse-site.js';
import { renderSiteYaml } from '../../src/site/render-site-yaml.js';
import { renderPasswords } from '../../src/site/secrets.js';

const USERS = 150;
let site: string;

beforeAll(async () => {
  site = tempDir();
  expect((await runBin(['init', '--server', 'vpn.example.com'], { cwd: site })).code).toBe(0);
  const parsed = parseSite(fs.readFileSync(path.join(site, 'macvpn.yaml'), 'utf8'));
  if (!parsed.ok) throw new Error('fixture site');
  const users = Array.from({ length: USERS }, (_, i) => ({ name: `user${i}` }));
  fs.writeFileSync(path.join(site, 'macvpn.yaml'), renderSiteYaml({ ...parsed.settings, users }));
  fs.writeFileSync(path.join(site, 'secrets/passwords.json'), renderPasswords(new Map(users.map((u, i) => [u.name, `password-${i}-x`]))), { mode: 0o600 });
});

describe('build with worker threads', () => {
  it('writes every profile, each verifying with its own password, and leaves no staging folder', async () => {
    const r = await runBin(['build'], { cwd: site });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const files = fs.readdirSync(path.join(site, 'profiles'));
    expect(files).toHaveLength(USERS);
    expect(files.every((f) => f.endsWith('.mobileconfig'))).toBe(true);
    for (const i of [0, 77, USERS - 1]) {
      const file = path.join(site, `profiles/user${i}.mobileconfig`);
      expect(modeOf(file)).toBe('0600');
      const v = openssl(['cms', '-verify', '-inform', 'DER', '-in', file, '-CAfile', path.join(site, 'ca.pem')]);
      expect(v.status).toBe(0);
      expect(v.stdout.toString()).toContain(`<string>password-${i}-x</string>`);
    }
    const check = await runBin(['check'], { cwd: site });
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(`profiles/: ${USERS} current`);
  });

  it('a failure changes nothing', async () => {
    const blocker = path.join(site, 'profiles/user42.mobileconfig');
    fs.rmSync(blocker);
    fs.mkdirSync(blocker);
    const before = snapshot(site);
    const r = await runBin(['build'], { cwd: site });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`macvpn: error: cannot write ${blocker}: a folder is in the way\n`);
    expect(snapshot(site)).toEqual(before);
    fs.rmdirSync(blocker);
  });

  it('Ctrl-C during a build leaves no temp file, staging folder or lock behind', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('../helpers/cli.js');
    for (const delay of [80, 160, 320]) {
      const child = spawn(process.execPath, [BIN, 'build'], { cwd: site, stdio: 'ignore' });
      const exited = new Promise<[number | null, string | null]>((r) => child.on('exit', (c, sig) => r([c, sig])));
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGINT');
      const [code, signal] = await exited;
      // 0: finished first; 130: interrupted and cleaned up; killed by the signal itself: it
      // arrived before the handler was installed, when nothing had been written yet.
      expect(code === 0 || code === 130 || signal === 'SIGINT').toBe(true);
      const left: string[] = [];
      const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          if (/\.tmp$|^\.macvpn-staging|^\.macvpn\.lock/.test(e.name)) left.push(path.join(d, e.name));
          if (e.isDirectory()) walk(path.join(d, e.name));
        }
      };
      walk(site);
      expect(left).toEqual([]);
    }
  });

  it('temp files of a killed run are reported by check and removed by the next command that locks', async () => {
    const stale = [path.join(site, 'server/etc/.ipsec.conf.999999.0123abcd.tmp'), path.join(site, 'profiles/.macvpn-staging.999999.89abcdef')];
    fs.writeFileSync(stale[0]!, 'psk "leftover"', { mode: 0o600 });
    fs.mkdirSync(stale[1]!);
    const check = await runBin(['check'], { cwd: site });
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('server/etc/.ipsec.conf.999999.0123abcd.tmp was left by an interrupted macvpn run');
    expect(check.stderr).toContain('profiles/.macvpn-staging.999999.89abcdef was left by an interrupted macvpn run');
    expect((await runBin(['server'], { cwd: site })).code).toBe(0);
    for (const p of stale) expect(fs.existsSync(p)).toBe(false);
  });
});
