/**
 * Issue 10, items 6 and 7: contradicting options are one usage error; commander's suggestions,
 * a tab-indented macvpn.yaml and garbage given to verify each give exactly one error line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBin, snapshot, tempDir } from '../helpers/cli.js';

let site: string;
beforeAll(async () => {
  site = tempDir();
  expect((await runBin(['init', '--server', 'vpn.example.com'], { cwd: site })).code).toBe(0);
  expect((await runBin(['user', 'add', 'bob', '--ip', '10.0.0.50', '--email', 'bob@example.com'], { cwd: site })).code).toBe(0);
});

describe('contradicting options (item 6)', () => {
  it.each([
    [['--ip', '10.0.0.60', '--no-ip'], '--ip and --no-ip'],
    [['--no-ip', '--ip', '10.0.0.60'], '--ip and --no-ip'],
    [['--email', 'b@example.org', '--no-email'], '--email and --no-email'],
    [['--no-email', '--email', 'b@example.org'], '--email and --no-email'],
  ])('user set bob %j exits 2 with one error line', async (args, pair) => {
    const before = snapshot(site);
    const r = await runBin(['user', 'set', 'bob', ...args], { cwd: site });
    expect(r).toEqual({ code: 2, stdout: '', stderr: `macvpn: error: ${pair} contradict each other: give one of them\n` });
    expect(snapshot(site)).toEqual(before);
  });
});

describe('one error line (item 7)', () => {
  it('a "did you mean" suggestion becomes a hint', async () => {
    const r = await runBin(['biuld'], { cwd: site });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`macvpn: error: unknown command 'biuld'\nmacvpn: hint: did you mean build?\nmacvpn: hint: see "macvpn --help" or "macvpn COMMAND --help"\n`);
    const opt = await runBin(['user', 'add', 'carol', '--pasword-stdin'], { cwd: site });
    expect(opt.stderr.split('\n')[0]).toBe("macvpn: error: unknown option '--pasword-stdin'");
    expect(opt.stderr.split('\n')[1]).toBe('macvpn: hint: did you mean --password-stdin?');
  });

  it('a tab-indented macvpn.yaml is one syntax error', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'macvpn.yaml'), 'server: vpn.example.com\nusers:\n\t- name: a\n\t  ip: 10.0.0.9\n\tdns: []\n');
    const r = await runBin(['user', 'list'], { cwd: dir });
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'macvpn: error: macvpn.yaml:3: syntax error: Tabs are not allowed as indentation\n' });
  });

  it.each([
    ['random bytes', Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 131 + 7) % 256))],
    ['text', Buffer.from('hello\n')],
    ['nothing', Buffer.alloc(0)],
  ])('verify on %s is one error and no summary', async (_name, bytes) => {
    const file = path.join(site, 'junk');
    fs.writeFileSync(file, bytes);
    const r = await runBin(['verify', 'junk'], { cwd: site });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/^macvpn: error: junk: not a profile \(neither a CMS signed profile nor an XML property list: .*\)\n$/);
    fs.rmSync(file);
  });

  it('verify on a folder says so in words, not EISDIR', async () => {
    const r = await runBin(['verify', 'secrets'], { cwd: site });
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'macvpn: error: cannot read secrets: it is a folder, not a file\n' });
  });

  it('a newline or a bidi override in a value never reaches the terminal raw', async () => {
    const r = await runBin(['user', 'remove', 'x\u202Ey\nmacvpn: error: forged'], { cwd: site });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('macvpn: error:'))).toHaveLength(1);
    expect(r.stderr).not.toContain('\u202E');
  });
});
