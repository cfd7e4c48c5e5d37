/**
 * Issue 10, item 10: hostile and careless input, through the real bin/macvpn.js. Every case must
 * end in exactly one `macvpn: error:` line (hint lines allowed, nothing else on stderr), exit 1
 * (the work failed) or 2 (the command line is wrong), and leave the site byte-identical.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBin, snapshot, tempDir } from '../helpers/cli.js';

interface Case {
  /** Command line (run in the site folder, or in an empty folder for `init`). */
  args: string[];
  /** A fragment the error line must contain. */
  says: string;
  code?: 1 | 2;
  input?: string;
  /** A hand edit or a planted file, made before the "before" snapshot. */
  setup?: (site: string) => void;
}

const yaml = (from: string | RegExp, to: string) => (site: string) => {
  const file = path.join(site, 'macvpn.yaml');
  const text = fs.readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`the test edit found no ${String(from)} in macvpn.yaml`);
  fs.writeFileSync(file, next);
};
const long = (n: number) => 'a'.repeat(n);
const mkfifo = (p: string) => expect(spawnSync('mkfifo', [p]).status).toBe(0);

const INIT: [string, Case][] = [
  ['empty --server', { args: ['--server', ''], says: '--server is empty' }],
  ['a space in --server', { args: ['--server', 'vpn example.com'], says: '--server "vpn example.com" is not a DNS name' }],
  ['--server ::', { args: ['--server', '::'], says: 'is an unspecified address' }],
  ['--server ::1', { args: ['--server', '::1'], says: 'is a loopback address' }],
  ['--server 0.0.0.0', { args: ['--server', '0.0.0.0'], says: 'is an unspecified address' }],
  ['--server 127.0.0.1', { args: ['--server', '127.0.0.1'], says: 'is a loopback address' }],
  ['--server 255.255.255.255', { args: ['--server', '255.255.255.255'], says: 'is a broadcast address' }],
  ['--server 224.0.0.1', { args: ['--server', '224.0.0.1'], says: 'is a multicast address' }],
  ['--server inside the pool', { args: ['--server', '10.0.0.9'], says: '--server 10.0.0.9 is inside the VPN pool' }],
  ['IPv6 --server with an IPv4 listener', { args: ['--server', '2001:db8::1'], says: 'npppd listens for L2TP on 0.0.0.0' }],
  ['a 64-character label in --server', { args: ['--server', `${long(64)}.example.com`], says: '--server "' }],
  ['a 254-character --server', { args: ['--server', `${long(63)}.${long(63)}.${long(63)}.${long(62)}`], says: '--server "' }],
  ['a 253-character --server and no --org', { args: ['--server', `${long(63)}.${long(63)}.${long(63)}.${long(61)}`], says: '--server is 253 characters long' }],
  ['--dns 127.0.0.1', { args: ['--server', 'vpn.example.com', '--dns', '127.0.0.1'], says: '--dns 127.0.0.1 is a loopback address' }],
  ['--dns 0.0.0.0', { args: ['--server', 'vpn.example.com', '--dns', '0.0.0.0'], says: '--dns 0.0.0.0 is an unspecified address' }],
  ['a duplicate --dns', { args: ['--server', 'vpn.example.com', '--dns', '9.9.9.9,9.9.9.9'], says: '--dns 9.9.9.9 is listed twice' }],
  ['--dns the pool broadcast', { args: ['--server', 'vpn.example.com', '--dns', '10.0.0.255'], says: 'broadcast address of the pool' }],
  ['--dns the pool network', { args: ['--server', 'vpn.example.com', '--dns', '10.0.0.0'], says: 'network address of the pool' }],
  ['--dns a leased address', { args: ['--server', 'vpn.example.com', '--dns', '10.0.0.5'], says: 'an address the VPN leases' }],
  ['--dns IPv6', { args: ['--server', 'vpn.example.com', '--dns', '2001:db8::53'], says: 'is not an IPv4 address' }],
  ['three --dns servers', { args: ['--server', 'vpn.example.com', '--dns', '1.1.1.1,8.8.8.8,9.9.9.9'], says: '--dns lists 3 servers' }],
  ['--pool /8', { args: ['--server', 'vpn.example.com', '--pool', '10.0.0.0/8'], says: 'has prefix /8' }],
  ['--pool public', { args: ['--server', 'vpn.example.com', '--pool', '8.8.8.0/24'], says: 'not in private address space' }],
  ['--pool host bits', { args: ['--server', 'vpn.example.com', '--pool', '10.0.0.5/24'], says: 'has host bits set' }],
  ['--listen an interface name', { args: ['--server', 'vpn.example.com', '--listen', 'em0'], says: 'is neither "egress" nor an IP address' }],
  ['--listen loopback', { args: ['--server', 'vpn.example.com', '--listen', '127.0.0.1'], says: 'is not an address clients can reach' }],
  ['--listen inside the pool', { args: ['--server', 'vpn.example.com', '--listen', '10.0.0.1'], says: '--listen 10.0.0.1 is inside the VPN pool' }],
  ['--org with U+202E', { args: ['--server', 'vpn.example.com', '--org', 'Evil\u202Egnp.exe'], says: 'bidirectional-text control (U+202E)' }],
  ['--org with U+0085', { args: ['--server', 'vpn.example.com', '--org', 'A\u0085B'], says: 'control character (U+0085)' }],
  ['--org with U+200F', { args: ['--server', 'vpn.example.com', '--org', 'A\u200FB'], says: 'bidirectional-text control (U+200F)' }],
  ['--org with U+2066', { args: ['--server', 'vpn.example.com', '--org', 'A\u2066B'], says: 'bidirectional-text control (U+2066)' }],
  ['--org with ESC', { args: ['--server', 'vpn.example.com', '--org', 'A\u001b[31mB'], says: 'control character (U+001B)' }],
  ['--org with {{…}}', { args: ['--server', 'vpn.example.com', '--org', 'Ops {{serialnumber}}'], says: 'Intune expand' }],
  ['--org with $VAR', { args: ['--server', 'vpn.example.com', '--org', 'Ops $USERNAME'], says: 'Jamf expand' }],
  ['--openbsd 8.0', { args: ['--server', 'vpn.example.com', '--openbsd', '8.0'], says: 'is not a known OpenBSD release' }],
  ['--identifier one label', { args: ['--server', 'vpn.example.com', '--identifier', 'example'], says: 'is not a reverse-DNS identifier' }],
  ['--compat other', { args: ['--server', 'vpn.example.com', '--compat', 'ancient'], says: "argument 'ancient' is invalid", code: 2 }],
  ['a short --psk-stdin', { args: ['--server', 'vpn.example.com', '--psk-stdin'], input: 'short\n', says: 'shared secret from standard input is too short' }],
  ['a 0x --psk-stdin', { args: ['--server', 'vpn.example.com', '--psk-stdin'], input: '0xabcdef0123456789abcdef\n', says: 'starts with "0x"' }],
  ['an unknown init option', { args: ['--server', 'vpn.example.com', '--bogus'], says: "unknown option '--bogus'", code: 2 }],
  ['init without --server', { args: [], says: "required option '--server <host>' not specified", code: 2 }],
];

const SITE: [string, Case][] = [
  // user add
  ['a space in a user name', { args: ['user', 'add', 'bob smith'], says: 'contains a space' }],
  ['a user name starting with #', { args: ['user', 'add', '#bob'], says: 'contains "#"' }],
  ['a colon in a user name', { args: ['user', 'add', 'a:b'], says: 'contains ":"' }],
  ['a non-ASCII user name', { args: ['user', 'add', 'émile'], says: 'contains "é"' }],
  ['a 65-character user name', { args: ['user', 'add', long(65)], says: 'is 65 characters long' }],
  ['a user that exists', { args: ['user', 'add', 'ALICE'], says: 'user "alice" already exists' }],
  ['--email with a comment', { args: ['user', 'add', 'carol', '--email', 'a(b)@example.com'], says: 'contains "("' }],
  ['--email with a display name', { args: ['user', 'add', 'carol', '--email', 'Carol <c@example.com>'], says: 'contains a space' }],
  ['--email quoted', { args: ['user', 'add', 'carol', '--email', '"c"@example.com'], says: 'contains "\\""' }],
  ['--email leading dot', { args: ['user', 'add', 'carol', '--email', '.c@example.com'], says: 'has a dot at the start or end' }],
  ['--email two dots', { args: ['user', 'add', 'carol', '--email', 'c..d@example.com'], says: 'two dots in a row' }],
  ['--email empty domain label', { args: ['user', 'add', 'carol', '--email', 'c@example..com'], says: 'has an empty label' }],
  ['--email label starting with -', { args: ['user', 'add', 'carol', '--email', 'c@-example.com'], says: 'the label "-example"' }],
  ['--email local part of 65', { args: ['user', 'add', 'carol', '--email', `${long(65)}@example.com`], says: 'has 65 characters before the @' }],
  ['--email label of 64', { args: ['user', 'add', 'carol', '--email', `c@${long(64)}.com`], says: 'a label of 64 characters' }],
  ['--email domain of 254', { args: ['user', 'add', 'carol', '--email', `c@${long(63)}.${long(63)}.${long(63)}.${long(62)}`], says: 'a domain of 254 characters' }],
  ['--ip the router address', { args: ['user', 'add', 'carol', '--ip', '10.0.0.1'], says: "the server's own address" }],
  ['--ip outside the pool', { args: ['user', 'add', 'carol', '--ip', '10.0.1.5'], says: 'is outside the pool' }],
  ['--ip taken', { args: ['user', 'add', 'carol', '--ip', '10.0.0.50'], says: 'is already given to user "bob"' }],
  ['a non-ASCII --password-stdin', { args: ['user', 'add', 'carol', '--password-stdin'], input: 'pässwordpässword\n', says: 'a non-ASCII character' }],
  ['an empty --password-stdin', { args: ['user', 'add', 'carol', '--password-stdin'], input: '\n', says: 'no password on standard input' }],
  ['user add without a name', { args: ['user', 'add'], says: "missing required argument 'name'", code: 2 }],
  // user set
  ['user set --ip X --no-ip', { args: ['user', 'set', 'bob', '--ip', '10.0.0.60', '--no-ip'], says: '--ip and --no-ip contradict each other', code: 2 }],
  ['user set --no-ip --ip X', { args: ['user', 'set', 'bob', '--no-ip', '--ip', '10.0.0.60'], says: '--ip and --no-ip contradict each other', code: 2 }],
  ['user set --email X --no-email', { args: ['user', 'set', 'bob', '--email', 'b@example.com', '--no-email'], says: '--email and --no-email contradict each other', code: 2 }],
  ['user set with nothing to change', { args: ['user', 'set', 'bob'], says: 'nothing to change', code: 2 }],
  ['user set on nobody', { args: ['user', 'set', 'nobody', '--ip', '10.0.0.60'], says: 'no user "nobody"' }],
  ['user set a bad --email', { args: ['user', 'set', 'bob', '--email', 'bob@'], says: 'is not an email address' }],
  ['user set --ip broadcast', { args: ['user', 'set', 'bob', '--ip', '10.0.0.255'], says: 'is outside the pool' }],
  // user remove, rotate
  ['user remove nobody', { args: ['user', 'remove', 'nobody'], says: 'no user "nobody"' }],
  ['user remove in the wrong case', { args: ['user', 'remove', 'Alice'], says: '(did you mean "alice"?)' }],
  ['user rotate nobody', { args: ['user', 'rotate', 'nobody'], says: 'no user "nobody"' }],
  ['user rotate a tab in the password', { args: ['user', 'rotate', 'alice', '--password-stdin'], input: 'tab\there-and-long\n', says: 'a control character at position 4' }],
  ['a misspelt user command', { args: ['user', 'ad', 'carol'], says: "unknown command 'ad'", code: 2 }],
  // macvpn.yaml hand edits
  ['a tab-indented macvpn.yaml', { args: ['user', 'list'], setup: yaml('dns: []', 'dns:\n\t- 9.9.9.9'), says: 'Tabs are not allowed as indentation' }],
  ['an unknown key in macvpn.yaml', { args: ['server'], setup: yaml('dns: []', 'dns: []\nserver_name: x'), says: 'unknown key "server_name"' }],
  ['server: 127.0.0.1 in macvpn.yaml', { args: ['server'], setup: yaml('server: "vpn.example.com"', 'server: 127.0.0.1'), says: 'server "127.0.0.1" is a loopback address' }],
  ['server in the pool in macvpn.yaml', { args: ['build'], setup: yaml('server: "vpn.example.com"', 'server: 10.0.0.20'), says: 'is inside the VPN pool' }],
  ['IPv6 server in macvpn.yaml', { args: ['server'], setup: yaml('server: "vpn.example.com"', 'server: "2001:db8::1"'), says: 'npppd listens for L2TP on 0.0.0.0' }],
  ['dns loopback in macvpn.yaml', { args: ['server'], setup: yaml('dns: []', 'dns: ["127.0.0.1"]'), says: 'dns[0] 127.0.0.1 is a loopback address' }],
  ['dns twice in macvpn.yaml', { args: ['profile', 'alice'], setup: yaml('dns: []', 'dns: ["9.9.9.9", "9.9.9.9"]'), says: 'dns[1] 9.9.9.9 is listed twice' }],
  ['dns a leased address in macvpn.yaml', { args: ['server'], setup: yaml('dns: []', 'dns: ["10.0.0.99"]'), says: 'an address the VPN leases' }],
  ['organization with U+202E in macvpn.yaml', { args: ['profile', 'alice'], setup: yaml(/organization: .*/, 'organization: "Evil\\u202Egnp"'), says: 'organization contains a bidirectional-text control (U+202E)' }],
  ['organization with {{…}} in macvpn.yaml', { args: ['build'], setup: yaml(/organization: .*/, 'organization: "Ops {{udid}}"'), says: 'Intune expand' }],
  ['organization with $VAR in macvpn.yaml', { args: ['build'], setup: yaml(/organization: .*/, 'organization: "Ops $SERIAL"'), says: 'Jamf expand' }],
  ['a bad email in macvpn.yaml', { args: ['mail', 'alice', '--eml', 'a.eml'], setup: yaml('alice@example.com', 'a(b)@example.com'), says: 'users[0].email "a(b)@example.com" contains "("' }],
  ['duplicate user names in macvpn.yaml', { args: ['user', 'list'], setup: yaml('name: bob', 'name: Alice'), says: 'duplicates users[0]' }],
  ['users not a list in macvpn.yaml', { args: ['user', 'list'], setup: (s) => fs.writeFileSync(path.join(s, 'macvpn.yaml'), 'server: vpn.example.com\nusers: everyone\n'), says: 'users must be a list' }],
  ['pool /8 in macvpn.yaml', { args: ['server'], setup: yaml(/pool: .*/, 'pool: 10.0.0.0/8'), says: 'has prefix /8' }],
  ['a world-writable macvpn.yaml', { args: ['user', 'list'], setup: (s) => fs.chmodSync(path.join(s, 'macvpn.yaml'), 0o666), says: 'macvpn.yaml is writable by group or others' }],
  ['a FIFO in secrets/', { args: ['profile', 'alice'], setup: (s) => mkfifo(path.join(s, 'secrets/trap')), says: 'is a FIFO (named pipe), not a regular file' }],
  ['a group-readable secrets/psk', { args: ['server'], setup: (s) => fs.chmodSync(path.join(s, 'secrets/psk'), 0o640), says: 'is accessible by group or others (mode 0640)' }],
  // verify
  ['verify random bytes', { args: ['verify', 'garbage.bin'], setup: (s) => fs.writeFileSync(path.join(s, 'garbage.bin'), Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) % 256))), says: 'garbage.bin: not a profile' }],
  ['verify text', { args: ['verify', 'notes.txt'], setup: (s) => fs.writeFileSync(path.join(s, 'notes.txt'), 'hello\n'), says: 'notes.txt: not a profile' }],
  ['verify an empty file', { args: ['verify', 'empty'], setup: (s) => fs.writeFileSync(path.join(s, 'empty'), ''), says: 'empty: not a profile' }],
  ['verify a folder', { args: ['verify', 'profiles'], says: 'cannot read profiles: it is a folder, not a file' }],
  ['verify a FIFO', { args: ['verify', 'pipe'], setup: (s) => mkfifo(path.join(s, 'pipe')), says: 'cannot read pipe: it is a FIFO (named pipe), not a file' }],
  ['verify a missing file', { args: ['verify', 'nothing.mobileconfig'], says: 'cannot read nothing.mobileconfig: no such file or folder (ENOENT)' }],
  // mail
  ['mail --to with a comment', { args: ['mail', 'alice', '--to', 'a(b)@example.com', '--eml', 'a.eml'], says: '--to "a(b)@example.com" contains "("' }],
  ['mail --to with a display name', { args: ['mail', 'alice', '--to', 'Alice <a@example.com>', '--eml', 'a.eml'], says: '--to "Alice <a@example.com>" contains a space' }],
  ['mail --to two addresses', { args: ['mail', 'alice', '--to', 'a@example.com,b@example.com', '--eml', 'a.eml'], says: 'has more than one "@"' }],
  ['mail --from with a space', { args: ['mail', 'alice', '--from', 'x y@example.com', '--eml', 'a.eml'], says: '--from "x y@example.com" contains a space' }],
  ['mail nobody', { args: ['mail', 'nobody', '--eml', 'a.eml'], says: 'no user "nobody"' }],
  ['mail --all --to', { args: ['mail', '--all', '--to', 'x@example.com'], says: '--to cannot be used with --all', code: 2 }],
  ['mail --eml into a symlinked folder', { args: ['mail', 'alice', '--eml', 'linked/a.eml'], setup: (s) => plantForeignLink(path.join(s, 'profiles'), path.join(s, 'linked')), says: 'is a symbolic link, and macvpn never writes through one' }],
  // profile -o
  ['profile -o into a symlinked folder', { args: ['profile', 'alice', '-o', 'linked/alice.mobileconfig'], setup: (s) => plantForeignLink(path.join(s, 'server'), path.join(s, 'linked')), says: 'is a symbolic link, and macvpn never writes through one' }],
  ['profile -o onto a folder', { args: ['profile', 'alice', '-o', 'server'], says: 'a folder is in the way' }],
  ['profile -o into a world-writable folder', { args: ['profile', 'alice', '-o', 'drop/alice.mobileconfig'], setup: (s) => { fs.mkdirSync(path.join(s, 'drop')); fs.chmodSync(path.join(s, 'drop'), 0o777); }, says: 'drop is writable by group or others (mode 0777)' }],
  ['profile -o and --stdout', { args: ['profile', 'alice', '-o', 'x.mobileconfig', '--stdout'], says: 'cannot be used together', code: 2 }],
  ['profile for nobody', { args: ['profile', 'nobody', '-o', 'x.mobileconfig'], says: 'no user "nobody"' }],
  ['profile --scope other', { args: ['profile', 'alice', '--scope', 'device'], says: "argument 'device' is invalid", code: 2 }],
  // the command line itself
  ['a misspelt command', { args: ['biuld'], says: "unknown command 'biuld'", code: 2 }],
  ['server --out into a symlinked folder', { args: ['server', '--out', 'linked'], setup: (s) => plantForeignLink(path.join(s, 'profiles'), path.join(s, 'linked')), says: 'is a symbolic link, and macvpn never writes through one' }],
  ['server --openbsd 4.9', { args: ['server', '--openbsd', '4.9'], says: 'is not a known OpenBSD release' }],
];

/** A symlink another local user planted (uid 12345): macvpn never follows one of those. */
function plantForeignLink(target: string, link: string): void {
  fs.symlinkSync(target, link);
  fs.lchownSync(link, 12345, 12345);
}

let template: string;
beforeAll(async () => {
  template = tempDir();
  for (const args of [
    ['init', '--server', 'vpn.example.com', '--org', 'Example'],
    ['user', 'add', 'alice', '--email', 'alice@example.com'],
    ['user', 'add', 'bob', '--ip', '10.0.0.50'],
    ['build'],
  ]) {
    const r = await runBin(args, { cwd: template });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }
});

async function expectRefused(dir: string, c: Case): Promise<void> {
  c.setup?.(dir);
  const before = snapshot(dir);
  const r = await runBin(c.args, { cwd: dir, ...(c.input !== undefined && { input: c.input }) });
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines.filter((l) => l.startsWith('macvpn: error: ')), r.stderr).toHaveLength(1);
  expect(lines[0], r.stderr).toMatch(/^macvpn: error: /);
  expect(lines.slice(1).every((l) => l.startsWith('macvpn: hint: ')), r.stderr).toBe(true);
  expect(lines[0]).toContain(c.says);
  expect(r.code, r.stderr).toBe(c.code ?? 1);
  expect(snapshot(dir)).toEqual(before);
}

describe('hostile input: one error line, exit 1 or 2, nothing changed', () => {
  it('has at least 60 distinct cases', () => {
    const all = [...INIT, ...SITE];
    expect(all.length).toBeGreaterThanOrEqual(60);
    expect(new Set(all.map(([name]) => name)).size).toBe(all.length);
    expect(new Set(all.map(([, c]) => JSON.stringify([c.args, c.input, c.says]))).size).toBe(all.length);
  });

  it.each(INIT)('init: %s', async (_name, c) => {
    await expectRefused(tempDir(), { ...c, args: ['init', ...c.args] });
  });

  it.each(SITE)('%s', async (_name, c) => {
    const site = path.join(tempDir(), 'site');
    fs.cpSync(template, site, { recursive: true });
    await expectRefused(site, c);
  });
});
