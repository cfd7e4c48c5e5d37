/** Issue 2: the site folder, secrets, users and the CLI contract, through the real bin/macvpn.js. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { modeOf, runBin, snapshot, tempDir } from '../helpers/cli.js';

let site: string;
let psk: string;
let alicePw: string;

const run = (args: string[], input?: string) => runBin(args, { cwd: site, ...(input !== undefined && { input }) });

beforeAll(async () => {
  site = tempDir();
  const init = await run(['init', '--server', 'vpn.example.com']);
  expect(init.stderr).toBe('');
  expect(init.code).toBe(0);
  const add = await run(['user', 'add', 'alice']);
  expect(add.code).toBe(0);
  psk = fs.readFileSync(path.join(site, 'secrets/psk'), 'utf8').trim();
  alicePw = JSON.parse(fs.readFileSync(path.join(site, 'secrets/passwords.json'), 'utf8')).alice;
});

describe('a new site', () => {
  it('has the documented layout and modes', () => {
    expect(modeOf(path.join(site, 'macvpn.yaml'))).toBe('0644');
    expect(modeOf(path.join(site, 'secrets'))).toBe('0700');
    for (const f of fs.readdirSync(path.join(site, 'secrets'))) expect(modeOf(path.join(site, 'secrets', f))).toBe('0600');
    expect(psk).toMatch(/^[A-HJ-NP-Za-km-z2-9]{32}$/);
    expect(alicePw).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/);
    expect(fs.readFileSync(path.join(site, 'macvpn.yaml'), 'utf8')).not.toContain(psk);
  });
  it('lists alice as JSON without secrets', async () => {
    const r = await run(['user', 'list', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ name: 'alice', ip: null, email: null, disabled: false, profile: 'not delivered' }]);
  });
  it('prints passwords only with --show-secrets', async () => {
    const r = await run(['user', 'list', '--json', '--show-secrets']);
    expect(JSON.parse(r.stdout)).toEqual([{ name: 'alice', ip: null, email: null, disabled: false, profile: 'not delivered', password: alicePw }]);
  });
  it('accepts --site after the command and MACVPN_SITE', async () => {
    const elsewhere = tempDir();
    const a = await runBin(['user', 'list', '--json', '--site', site], { cwd: elsewhere });
    expect(JSON.parse(a.stdout)[0].name).toBe('alice');
    const b = await runBin(['user', 'list', '--json'], { cwd: elsewhere, env: { MACVPN_SITE: site } });
    expect(JSON.parse(b.stdout)[0].name).toBe('alice');
  });
  it('refuses to init over an existing site without --force', async () => {
    const before = snapshot(site);
    const r = await run(['init', '--server', 'other.example.com']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`macvpn: error: ${site} already holds a macvpn site\nmacvpn: hint: pass --force to replace it (a new secret and signer, and no users)\n`);
    expect(snapshot(site)).toEqual(before);
  });
});

describe('failures: exit code, one error line, no stack, nothing changed', () => {
  const cases: Array<[string, string[], string | undefined, number, RegExp]> = [
    ['name a:b', ['user', 'add', 'a:b'], undefined, 1, /^user name "a:b" contains ":"/],
    ['name a|b', ['user', 'add', 'a|b'], undefined, 1, /^user name "a\|b" contains "\|"/],
    ['name #a', ['user', 'add', '#a'], undefined, 1, /^user name "#a" contains "#"/],
    ['name -a', ['user', 'add', '--', '-a'], undefined, 1, /^user name "-a" starts with "-"/],
    ['name a b', ['user', 'add', 'a b'], undefined, 1, /^user name "a b" contains a space/],
    ['empty name', ['user', 'add', ''], undefined, 1, /^user name "" is empty$/],
    ['65 characters', ['user', 'add', 'x'.repeat(65)], undefined, 1, /is 65 characters long \(at most 64\)$/],
    ['émile', ['user', 'add', 'émile'], undefined, 1, /^user name "émile" contains "é"/],
    ['non-ASCII password', ['user', 'add', 'bob', '--password-stdin'], 'pässwörd-long\n', 1, /^password from standard input contains a non-ASCII character at position 2/],
    ['control char password', ['user', 'add', 'bob', '--password-stdin'], 'pass\u0001word\n', 1, /^password from standard input contains a control character at position 5/],
    ['PSK with a space', ['psk', 'rotate', '--psk-stdin'], 'abcdefgh ijklmnopq\n', 1, /^shared secret from standard input contains a space at position 9/],
    ['PSK with a quote', ['psk', 'rotate', '--psk-stdin'], 'abcdefgh"ijklmnopq\n', 1, /contains a "\\"" at position 9/],
    ['PSK with a backslash', ['psk', 'rotate', '--psk-stdin'], 'abcdefgh\\ijklmnopq\n', 1, /contains a "\\\\" at position 9/],
    ['PSK with 0x', ['psk', 'rotate', '--psk-stdin'], '0x0123456789abcdef\n', 1, /starts with "0x"/],
    ['PSK too short', ['psk', 'rotate', '--psk-stdin'], 'shortsecret\n', 1, /is too short \(11 characters, need at least 16\)$/],
    ['duplicate user', ['user', 'add', 'alice'], undefined, 1, /^user "alice" already exists$/],
    ['duplicate user, other case', ['user', 'add', 'ALICE'], undefined, 1, /^user "alice" already exists$/],
    ['remove unknown user', ['user', 'remove', 'zed'], undefined, 1, /^no user "zed" in macvpn\.yaml$/],
    ['rotate unknown user', ['user', 'rotate', 'zed'], undefined, 1, /^no user "zed" in macvpn\.yaml$/],
    ['ip outside the pool', ['user', 'add', 'bob', '--ip', '192.168.1.5'], undefined, 1, /^--ip 192\.168\.1\.5 is outside the pool 10\.0\.0\.0\/24 \(usable 10\.0\.0\.2-10\.0\.0\.254\)$/],
    ['unknown command', ['frobnicate'], undefined, 2, /^unknown command 'frobnicate'$/],
    ['unknown option', ['user', 'list', '--colour'], undefined, 2, /^unknown option '--colour'$/],
    ['missing argument', ['user', 'add'], undefined, 2, /^missing required argument 'name'$/],
  ];
  it.each(cases)('%s', async (_label, args, input, code, pattern) => {
    const before = snapshot(site);
    const r = await run(args, input);
    expect(r.code).toBe(code);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('macvpn: error: '));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.slice('macvpn: error: '.length)).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout + r.stderr).not.toContain(psk);
    expect(r.stdout + r.stderr).not.toContain(alicePw);
    expect(snapshot(site)).toEqual(before);
  });
});

describe('broken site files', () => {
  const withYaml = async (yaml: string) => {
    const dir = tempDir();
    await runBin(['init', '--server', 'vpn.example.com'], { cwd: dir });
    fs.writeFileSync(path.join(dir, 'macvpn.yaml'), yaml);
    const before = snapshot(dir);
    const r = await runBin(['user', 'add', 'bob'], { cwd: dir });
    expect(snapshot(dir)).toEqual(before);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    return r.stderr.trimEnd().split('\n');
  };
  it('a syntax error names the file and line', async () => {
    const lines = await withYaml('server: vpn.example.com\nusers: [\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^macvpn: error: macvpn\.yaml:\d+: syntax error: /);
  });
  it('an unknown key', async () => {
    expect(await withYaml('server: vpn.example.com\nserver_name: x\n')).toEqual([
      'macvpn: error: macvpn.yaml:2: server_name unknown key "server_name" (known: server, listen, openbsd, pool, dns, organization, identifier, compat, vpn, users, ikev2)',
    ]);
  });
  it('server: [1, 2]', async () => {
    expect(await withYaml('server: [1, 2]\n')).toEqual(['macvpn: error: macvpn.yaml:1: server must be a single value']);
  });
  it('a secrets file at mode 0644', async () => {
    const dir = tempDir();
    await runBin(['init', '--server', 'vpn.example.com'], { cwd: dir });
    fs.chmodSync(path.join(dir, 'secrets/psk'), 0o644);
    const before = snapshot(dir);
    const r = await runBin(['user', 'add', 'bob'], { cwd: dir });
    expect(r.code).toBe(1);
    const p = path.join(dir, 'secrets/psk');
    expect(r.stderr).toBe(`macvpn: error: ${p} is accessible by group or others (mode 0644); refusing to use it\nmacvpn: hint: chmod 600 ${p}\n`);
    expect(snapshot(dir)).toEqual(before);
    const list = await runBin(['user', 'list'], { cwd: dir });
    expect(list.code).toBe(1);
  });
  it('a hand edit that adds a user works', async () => {
    const dir = tempDir();
    await runBin(['init', '--server', 'vpn.example.com'], { cwd: dir });
    const file = path.join(dir, 'macvpn.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('users: []', 'users:\n  - name: carol\n    email: carol@example.com'));
    const r = await runBin(['user', 'add', 'dave'], { cwd: dir });
    // carol was added by hand without a password: the site says so instead of inventing one.
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'macvpn: error: secrets/passwords.json: user "carol" has no password\n' +
        'macvpn: hint: set a new value with "macvpn psk rotate" or "macvpn user rotate NAME"\n',
    );
    // ... and the command the hint names repairs it.
    expect((await runBin(['user', 'rotate', 'carol'], { cwd: dir })).code).toBe(0);
    expect((await runBin(['user', 'add', 'dave'], { cwd: dir })).code).toBe(0);
  });
  it('a broken shared secret is repaired by psk rotate', async () => {
    const dir = tempDir();
    await runBin(['init', '--server', 'vpn.example.com'], { cwd: dir });
    fs.writeFileSync(path.join(dir, 'secrets/psk'), 'short\n', { mode: 0o600 });
    const r = await runBin(['user', 'list', '--show-secrets'], { cwd: dir });
    expect(r.stderr.split('\n')[0]).toBe('macvpn: error: secrets/psk: the shared secret is too short (5 characters, need at least 16)');
    expect((await runBin(['psk', 'rotate'], { cwd: dir })).code).toBe(0);
    expect((await runBin(['user', 'list', '--show-secrets'], { cwd: dir })).code).toBe(0);
  });
});

describe('hand-edited macvpn.yaml', () => {
  it('keeps its comments through user add, user remove and psk rotate', async () => {
    const dir = tempDir();
    await runBin(['init', '--server', 'vpn.example.com'], { cwd: dir });
    const file = path.join(dir, 'macvpn.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('users: []', '# Kim owns this list\nusers: []'));
    expect((await runBin(['user', 'add', 'alice'], { cwd: dir })).code).toBe(0);
    expect((await runBin(['user', 'add', 'bob'], { cwd: dir })).code).toBe(0);
    const removed = await runBin(['user', 'remove', 'alice'], { cwd: dir });
    expect(removed.code).toBe(0);
    // Issue 10: removal says what else must happen, and that alice still knows the PSK.
    expect(removed.stdout).toBe([
      'removed user alice and profiles/alice.mobileconfig',
      'next: macvpn server, then install server/ on the router: npppd refuses alice from the next login',
      "  end alice's live session on the router with: npppctl clear username alice",
      '  alice still knows the shared secret: "macvpn psk rotate", then macvpn build, install, and send every other user the new profile',
      '',
    ].join('\n'));
    const before = fs.readFileSync(file, 'utf8');
    expect((await runBin(['psk', 'rotate'], { cwd: dir })).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(before).toContain('# Kim owns this list\nusers:\n  - { name: bob }\n');
    expect(before).toContain('# Host name or IP address the Macs dial');
  });
});

describe('weak chosen passwords', () => {
  it('are accepted with a warning that gives the length, never the password', async () => {
    const dir = tempDir();
    await runBin(['init', '--server', 'vpn.example.com'], { cwd: dir });
    const r = await runBin(['user', 'add', 'bob', '--password-stdin'], { cwd: dir, input: 'abc123\n' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('macvpn: warning: the password is only 6 characters long; use 12 or more (or let macvpn generate one)\n');
  });
});

describe('secrets from stdin', () => {
  it('strip one trailing CRLF and are stored exactly', async () => {
    const dir = tempDir();
    const r = await runBin(['init', '--server', 'vpn.example.com', '--psk-stdin'], { cwd: dir, input: 'Chosen-PSK:with#odd^chars@1\r\n' });
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'secrets/psk'), 'utf8')).toBe('Chosen-PSK:with#odd^chars@1\n');
    const a = await runBin(['user', 'add', 'bob', '--password-stdin'], { cwd: dir, input: 'p<a&s>s"w\'d :\\^#@\n' });
    expect(a.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'secrets/passwords.json'), 'utf8')).bob).toBe('p<a&s>s"w\'d :\\^#@');
    expect(a.stdout).not.toContain('p<a&s>');
  });
});

describe('concurrency', () => {
  it('twenty user adds at once leave twenty users and an intact site', async () => {
    const dir = tempDir();
    await runBin(['init', '--server', 'vpn.example.com'], { cwd: dir });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => runBin(['user', 'add', `u${i}`], { cwd: dir })));
    expect(results.map((r) => r.code)).toEqual(Array(20).fill(0));
    const list = JSON.parse((await runBin(['user', 'list', '--json'], { cwd: dir })).stdout) as Array<{ name: string }>;
    expect(list.map((u) => u.name).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `u${i}`).sort());
    const pw = JSON.parse(fs.readFileSync(path.join(dir, 'secrets/passwords.json'), 'utf8'));
    expect(Object.keys(pw).sort()).toEqual(list.map((u) => u.name).sort());
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp') || f.includes('lock'))).toEqual([]);
  });
});

describe('a stale lock', () => {
  it('left by a dead process is taken over by exactly one of many waiting commands at a time', async () => {
    const dir = tempDir();
    await runBin(['init', '--server', 'vpn.example.com'], { cwd: dir });
    fs.writeFileSync(path.join(dir, '.macvpn.lock'), '999999\n');
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => runBin(['user', 'add', `s${i}`], { cwd: dir })));
    expect(results.map((r) => r.code)).toEqual(Array(12).fill(0));
    const list = JSON.parse((await runBin(['user', 'list', '--json'], { cwd: dir })).stdout) as Array<{ name: string }>;
    expect(list).toHaveLength(12);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.macvpn.lock'))).toEqual([]);
  });
});

describe('user lifecycle', () => {
  it('rotate changes only that password; remove drops the user and password', async () => {
    const dir = tempDir();
    await runBin(['init', '--server', 'vpn.example.com'], { cwd: dir });
    await runBin(['user', 'add', 'a'], { cwd: dir });
    await runBin(['user', 'add', 'b', '--ip', '10.0.0.20', '--email', 'b@example.com'], { cwd: dir });
    const read = () => JSON.parse(fs.readFileSync(path.join(dir, 'secrets/passwords.json'), 'utf8'));
    const before = read();
    const r = await runBin(['user', 'rotate', 'a'], { cwd: dir });
    expect(r.code).toBe(0);
    const after = read();
    expect(after.a).not.toBe(before.a);
    expect(after.b).toBe(before.b);
    expect((await runBin(['user', 'remove', 'a'], { cwd: dir })).code).toBe(0);
    expect(Object.keys(read())).toEqual(['b']);
    const list = JSON.parse((await runBin(['user', 'list', '--json'], { cwd: dir })).stdout);
    expect(list).toEqual([{ name: 'b', ip: '10.0.0.20', email: 'b@example.com', disabled: false, profile: 'not delivered' }]);
  });
  it('user set changes the address and email, checked like user add', async () => {
    const dir = tempDir();
    await runBin(['init', '--server', 'vpn.example.com'], { cwd: dir });
    await runBin(['user', 'add', 'a', '--ip', '10.0.0.20'], { cwd: dir });
    await runBin(['user', 'add', 'b', '--ip', '10.0.0.30', '--email', 'b@example.com'], { cwd: dir });
    const list = async () => JSON.parse((await runBin(['user', 'list', '--json'], { cwd: dir })).stdout);
    expect((await runBin(['user', 'set', 'b', '--no-ip', '--email', 'b@example.org'], { cwd: dir })).code).toBe(0);
    expect(await list()).toEqual([{ name: 'a', ip: '10.0.0.20', email: null, disabled: false, profile: 'not delivered' }, { name: 'b', ip: null, email: 'b@example.org', disabled: false, profile: 'not delivered' }]);
    const before = snapshot(dir);
    const taken = await runBin(['user', 'set', 'b', '--ip', '10.0.0.20'], { cwd: dir });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe('macvpn: error: --ip 10.0.0.20 is already given to user "a"\n');
    const none = await runBin(['user', 'set', 'b'], { cwd: dir });
    expect(none.code).toBe(2);
    const unknown = await runBin(['user', 'set', 'B', '--no-email'], { cwd: dir });
    expect(unknown.stderr.split('\n')[0]).toBe('macvpn: error: no user "B" in macvpn.yaml (did you mean "b"?)');
    expect(snapshot(dir)).toEqual(before);
  });
  it('psk rotate replaces the shared secret', async () => {
    const dir = tempDir();
    await runBin(['init', '--server', 'vpn.example.com'], { cwd: dir });
    const old = fs.readFileSync(path.join(dir, 'secrets/psk'), 'utf8');
    const r = await runBin(['psk', 'rotate'], { cwd: dir });
    expect(r.code).toBe(0);
    const now = fs.readFileSync(path.join(dir, 'secrets/psk'), 'utf8');
    expect(now).not.toBe(old);
    expect(r.stdout).not.toContain(now.trim());
  });
  it('no command prints the help on stderr and exits 2', async () => {
    const r = await runBin([], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: macvpn \[options\] \[command\]/);
    expect(r.stderr).not.toContain('error');
  });
  it('--help exits 0 with examples', async () => {
    const r = await runBin(['user', 'add', '--help'], { cwd: tempDir() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
  });
});
