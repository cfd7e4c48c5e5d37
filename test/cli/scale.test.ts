/**
 * Issue 12, speed and scale: a 5,000-user build whose profiles verify (a random sample of 50 with
 * `openssl cms -verify`, each carrying its own user's password); incremental builds that leave
 * untouched profiles byte-identical and rewrite a changed one; `build --all` rewriting every one;
 * `user add --from FILE` reporting every bad line by number in one run and changing nothing.
 * No timings here: speed is measured by `npm run bench` (DESIGN.md §6).
 */
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin, snapshot, tempDir } from '../helpers/cli.js';
import { openssl } from '../signing/pki.js';
import { parseSite } from '../../src/site/parse-site.js';
import { renderSiteYaml } from '../../src/site/render-site-yaml.js';
import { renderPasswords } from '../../src/site/secrets.js';

const USERS = 5000;
let site: string;
const profile = (name: string) => path.join(site, 'profiles', `${name}.mobileconfig`);
const inode = (name: string) => fs.statSync(profile(name)).ino;

beforeAll(async () => {
  site = tempDir('macvpn-scale-');
  expect((await runBin(['init', '--server', 'vpn.example.com', '--pool', '10.8.0.0/16'], { cwd: site })).code).toBe(0);
  const parsed = parseSite(fs.readFileSync(path.join(site, 'macvpn.yaml'), 'utf8'));
  if (!parsed.ok) throw new Error('fixture site');
  const users = Array.from({ length: USERS }, (_, i) => ({ name: `user${i}`, ...(i % 7 === 0 && { email: `user${i}@example.com` }) }));
  fs.writeFileSync(path.join(site, 'macvpn.yaml'), renderSiteYaml({ ...parsed.settings, users }));
  fs.writeFileSync(path.join(site, 'secrets/passwords.json'), renderPasswords(new Map(users.map((u, i) => [u.name, `password-${i}-x`]))), { mode: 0o600 });
}, 60_000);
afterAll(() => fs.rmSync(site, { recursive: true, force: true }));

describe('a 5,000-user site', () => {
  it('builds every profile; a random 50 verify with openssl cms -verify, each with its own password', async () => {
    const r = await runBin(['build'], { cwd: site });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${USERS} signed profiles`);
    expect(fs.readdirSync(path.join(site, 'profiles')).filter((f) => f.endsWith('.mobileconfig'))).toHaveLength(USERS);
    const sample = new Set<number>();
    while (sample.size < 50) sample.add(randomInt(USERS));
    for (const i of sample) {
      const v = openssl(['cms', '-verify', '-inform', 'DER', '-in', profile(`user${i}`), '-CAfile', path.join(site, 'ca.pem'), '-binary']);
      expect(v.status, `user${i}: ${v.stderr}`).toBe(0);
      expect(v.stdout.toString()).toContain(`<string>password-${i}-x</string>`);
    }
  }, 120_000);

  it('an incremental build signs only the new and the changed profile; the rest stay byte-identical', async () => {
    const before = new Map(Array.from({ length: USERS }, (_, i) => [`user${i}`, fs.readFileSync(profile(`user${i}`))]));
    const inodes = new Map([...before.keys()].map((n) => [n, inode(n)]));
    expect((await runBin(['user', 'add', 'newcomer'], { cwd: site })).code).toBe(0);
    expect((await runBin(['user', 'rotate', 'user42'], { cwd: site })).code).toBe(0);
    const r = await runBin(['build'], { cwd: site });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote 2 signed profiles in profiles/ (0600; `);
    expect(r.stdout).toContain(`${USERS - 1} unchanged since the last build`);
    for (const [name, bytes] of before) {
      if (name === 'user42') continue;
      expect(fs.readFileSync(profile(name)).equals(bytes), name).toBe(true);
      expect(inode(name), name).toBe(inodes.get(name));
    }
    expect(fs.readFileSync(profile('user42')).equals(before.get('user42')!)).toBe(false);
    expect(inode('user42')).not.toBe(inodes.get('user42'));
    expect(fs.existsSync(profile('newcomer'))).toBe(true);
  }, 120_000);

  it('re-signs a profile whose file was changed behind its back, and build --all re-signs every one', async () => {
    fs.appendFileSync(profile('user7'), 'x');
    const r = await runBin(['build'], { cwd: site });
    expect(r.stdout).toContain('wrote 1 signed profile in profiles/');
    expect(openssl(['cms', '-verify', '-inform', 'DER', '-in', profile('user7'), '-CAfile', path.join(site, 'ca.pem'), '-binary']).status).toBe(0);
    const inodes = [0, 1, 4999].map((i) => inode(`user${i}`));
    const all = await runBin(['build', '--all'], { cwd: site });
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain(`wrote ${USERS + 1} signed profiles`);
    expect([0, 1, 4999].map((i) => inode(`user${i}`)).some((n, k) => n === inodes[k])).toBe(false);
  }, 120_000);
});

describe('user add --from FILE', () => {
  it('reports every bad line with its number, exits 1 and changes nothing', async () => {
    const list = path.join(site, '..', `${path.basename(site)}-users.csv`);
    fs.writeFileSync(list, ['name,email,ip', 'fresh1,f1@example.com,10.8.1.1', 'bad name', 'USER3', 'fresh2,,10.8.1.1', 'fresh3,,10.9.0.1', 'fresh1', 'fresh4,nope', '', 'fresh5,a,b,c', 'fresh6'].join('\n') + '\n');
    const before = snapshot(site);
    const r = await runBin(['user', 'add', '--from', list], { cwd: site });
    fs.rmSync(list);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('macvpn: error: ')).map((l) => l.replace(list, 'FILE'))).toEqual([
      'macvpn: error: FILE:3: user name "bad name" contains a space (allowed: letters, digits, . _ - @)',
      'macvpn: error: FILE:4: user "USER3" already exists as "user3"',
      'macvpn: error: FILE:5: ip 10.8.1.1 is already given to the user on line 2',
      'macvpn: error: FILE:6: ip 10.9.0.1 is outside the pool 10.8.0.0/16 (usable 10.8.0.2-10.8.255.254)',
      'macvpn: error: FILE:7: user "fresh1" is also on line 2 (names are compared ignoring case)',
      'macvpn: error: FILE:8: email "nope" is not an email address like alice@example.com',
      'macvpn: error: FILE:10: has 4 fields (expected name,email,ip)',
    ]);
    expect(snapshot(site)).toEqual(before);
  }, 60_000);

  it('adds every user of a good file, each with a generated password', async () => {
    const list = path.join(site, '..', `${path.basename(site)}-ok.txt`);
    fs.writeFileSync(list, 'bulk1\nbulk2,bulk2@example.com\nbulk3,,10.8.2.3\n');
    const r = await runBin(['user', 'add', '--from', list], { cwd: site });
    fs.rmSync(list);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('added 3 users');
    const text = fs.readFileSync(path.join(site, 'macvpn.yaml'), 'utf8');
    expect(text).toContain('- { name: bulk3, ip: 10.8.2.3 }');
    const pw = JSON.parse(fs.readFileSync(path.join(site, 'secrets/passwords.json'), 'utf8'));
    expect(JSON.stringify(pw)).toMatch(/bulk2/);
  }, 60_000);
});
