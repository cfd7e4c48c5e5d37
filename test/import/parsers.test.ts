import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { choosePsk, parseIpsecConf } from '../../src/vpn/l2tp/import/ipsec-conf.js';
import { cgetstrDecode, parseNpppdUsers } from '../../src/vpn/l2tp/import/npppd-users.js';
import { parseNpppdConf, rangeToCidr } from '../../src/vpn/l2tp/import/npppd-conf.js';
import { readRouterFiles } from '../../src/vpn/l2tp/import/read-router.js';
import { parseIpv4 } from '../../src/site/ipv4.js';
import { ROOT } from '../helpers/cli.js';

const FIX = path.join(ROOT, 'test/fixtures/import');
const read = (dir: string, name: string) => fs.readFileSync(path.join(FIX, dir, name)).toString('latin1');
const psk = (text: string) => choosePsk(parseIpsecConf(text));

describe('ipsec.conf: the psk as ipsecctl reads it (parse.y yylex/lgetc)', () => {
  it.each([
    ['double quotes keep # $ = / ! , { }', 'ike passive psk "a#b$c=d/e!f,g{h}"\n', 'a#b$c=d/e!f,g{h}'],
    ['single quotes', "ike passive psk 'abc\"def'\n", 'abc"def'],
    ['backslash escapes the quote char', 'ike passive psk "ab\\"cd"\n', 'ab"cd'],
    ['backslash before another char is kept', 'ike passive psk "ab\\xcd"\n', 'ab\\xcd'],
    ['backslash-newline inside quotes joins', 'ike passive psk "abc\\\ndef"\n', 'abcdef'],
    ['raw newline inside quotes is dropped', 'ike passive psk "abc\ndef"\n', 'abcdef'],
    ['unquoted word', 'ike passive psk abc-def.ghi:jkl\n', 'abc-def.ghi:jkl'],
    ['unquoted word ends at #, the rest is a comment', 'ike passive psk abcdef#ghi\n', 'abcdef'],
    ['unquoted backslash-x is x', 'ike passive psk ab\\cd\n', 'abcd'],
    ['continuation lines', 'ike passive esp \\\n  from egress to any \\\n  psk "k"\n', 'k'],
    ['macro', 'k = "s3cret-value"\nike passive psk $k\n', 's3cret-value'],
    ['a macro of two words: psk takes the first, so the two rules differ', 'k = "ab" cd\nike passive psk "x"\nike passive psk $k\n', undefined],
    ['macro not expanded in quotes', 'k = "zz"\nike passive psk "$k"\n', '$k'],
    ['macro value is lexed again: # starts a comment', 'k = "abc#def"\nike passive psk $k\n', 'abc'],
    ['comment after the rule', 'ike passive psk "abc" # trailing comment\n', 'abc'],
  ])('%s', (_name, text, want) => {
    const r = psk(text);
    if (want === undefined) expect(r.problems.length).toBeGreaterThan(0);
    else {
      expect(r.problems.filter((p) => !p.message.startsWith('the psk'))).toEqual([]);
      expect(r.psk).toBe(want);
    }
  });

  it('reports the line of the psk and of the rule', () => {
    const r = psk('# c\n\nike passive esp \\\n from egress to any \\\n psk "abcdefghijklmnopq"\n');
    expect(r.line).toBe(5);
    expect(r.from).toBe('egress');
  });

  it('no ike rule', () => {
    expect(psk('# nothing\nflow esp from any to any\n').problems).toEqual([{ line: 0, message: expect.stringContaining('has no ike rule') }]);
  });

  it('two different psks for the default peer name both lines', () => {
    const r = psk('ike passive psk "aaaaaaaaaaaaaaaaaa"\nike passive psk "bbbbbbbbbbbbbbbbbb"\n');
    expect(r.problems).toEqual([{ line: 2, message: expect.stringContaining('differs from the one on line 1') }]);
    expect(JSON.stringify(r.problems)).not.toContain('aaaa');
  });

  it('the same psk twice is fine; a rule for one peer is skipped', () => {
    const r = psk('ike passive psk "aaaaaaaaaaaaaaaaaa"\nike passive psk "aaaaaaaaaaaaaaaaaa"\nike esp from 10.0.0.1 to 10.9.0.0/16 peer 198.51.100.1 psk "other-key-zzzzzzzz"\n');
    expect(r.problems).toEqual([]);
    expect(r.psk).toBe('aaaaaaaaaaaaaaaaaa');
    expect(r.notes[0]!.message).toContain('peer 198.51.100.1');
  });

  it('0x keys are hex to isakmpd: unsupported', () => {
    const r = psk('ike passive psk "0x0123456789abcdef0123"\n');
    expect(r.problems).toEqual([{ line: 1, message: expect.stringContaining('starts with "0x"') }]);
  });

  it('a blank inside the key is where isakmpd stops reading', () => {
    expect(psk('ike passive psk "abc\\ def"\n').problems[0]!.message).toContain('blank at position 4');
  });

  it.each([
    ['unterminated quote', 'ike passive psk "abcdef\n', 1, 'not closed'],
    ['continuation at end of file', 'ike passive psk "abcdef" \\\n', 1, 'backslash continuation'],
    ['no final newline', 'ike passive psk "abcdef"', 1, 'does not end with a newline'],
    ['CR line endings', 'ike passive psk "abcdef"\r\n', 1, 'carriage return'],
    ['undefined macro', 'ike passive psk $nope\n', 1, 'macro "nope" is not defined'],
    ['all-digit unquoted psk', 'ike passive psk 1234567890123456\n', 1, 'all digits'],
    ['psk without a value', 'ike passive psk\n', 1, 'not followed by a key'],
    ['rsa only', 'ike passive esp from any to any\n', 1, 'has no psk'],
    ['include', 'include "/etc/ipsec.l2tp"\n', 1, '"include" is not supported'],
  ])('%s is an error with its line', (_n, text, line, msg) => {
    const r = psk(text);
    expect(r.problems[0]).toEqual({ line, message: expect.stringContaining(msg) });
    expect(r.psk).toBeUndefined();
  });
});

describe('npppd-users: getcap decoding (getcap.c cgetent/cgetcap/cgetstr)', () => {
  const dec = (v: string) => cgetstrDecode(v + ':', 0).value;
  it.each([
    ['plain', 'abc', 'abc'],
    ['octal 1-3 digits', '\\100\\72x\\0101', '@:x\b1'],
    ['octal masks to a byte', '\\777', '\xff'],
    ['named escapes, any case', '\\b\\t\\n\\f\\r\\e\\c\\B\\C', '\b\t\n\f\r\x1b:\b:'],
    ['other escapes yield the char', '\\\\\\^\\#\\z', '\\^#z'],
    ['caret control', '^A^[^?', '\x01\x1b\x7f'],
    ['value ends at a raw colon', 'ab', 'ab'],
  ])('%s', (_n, raw, want) => expect(dec(raw)).toBe(want));

  it('\\: does not escape a colon: the value ends there', () => {
    const r = cgetstrDecode('ab\\:cd:', 0);
    expect(r.value).toBe('ab');
    expect(r.droppedEscape).toBe(true);
  });

  it('reads records, continuation, comments, aliases and fixed addresses', () => {
    const r = parseNpppdUsers(read('seed', 'npppd-users'));
    expect(r.problems).toEqual([]);
    expect(r.users.map((u) => [u.name, u.ip, u.line, u.passwordLine])).toEqual([
      ['alice', '10.0.0.50', 3, 4],
      ['bob', undefined, 7, 8],
      ['carol', undefined, 9, 10],
    ]);
  });

  it('first password field wins; password@ cancels', () => {
    expect(parseNpppdUsers('a:password=one:password=two:\n').users[0]!.password).toBe('one');
    expect(parseNpppdUsers('a:password@:password=two:\n').problems[0]!.message).toContain('cancelled');
    expect(parseNpppdUsers('a:password=@x:\n').problems[0]!.message).toContain('cancelled');
  });

  it.each([
    ['a user without a password', 'alice:\\\n    :framed-ip-address=10.0.0.5:\n', 1, 'has no password field'],
    ['a missing continuation backslash', 'alice:\n    :password=abc:\n', 1, 'has no password field'],
    ['a record without a trailing newline', 'alice:password=abc:', 1, 'does not end with a newline'],
    ['a continued last record', 'alice:password=abc:\\\n', 1, 'backslash continuation'],
    ['a bad fixed address', 'alice:password=abc:framed-ip-address=10.0.0.300:\n', 1, 'not an IPv4 address'],
    ['a duplicate user', 'alice:password=abc:\nalice:password=def:\n', 2, 'defined twice'],
    ['tc=', 'alice:password=abc:tc=base:\n', 1, 'tc='],
  ])('%s is an error with its line', (_n, text, line, msg) => {
    const r = parseNpppdUsers(text);
    expect(r.problems[0]).toEqual({ line, message: expect.stringContaining(msg) });
  });

  it('the missing-backslash case also reports the orphan line', () => {
    const r = parseNpppdUsers('alice:\n    :password=abc:\n');
    expect(r.problems[1]).toEqual({ line: 2, message: expect.stringContaining('is a "\\" missing at the end of line 1') });
  });
});

describe('npppd.conf: pool and dns of the L2TP ipcp section', () => {
  it('range form (the default file)', () => {
    const r = parseNpppdConf(read('seed', 'npppd.conf'));
    expect(r).toMatchObject({ pool: '10.0.0.0/24', dns: ['8.8.8.8'], problems: [] });
  });
  it('quoted CIDR form', () => {
    expect(parseNpppdConf(read('modern', 'npppd.conf'))).toMatchObject({ pool: '10.1.2.0/24', dns: ['10.1.2.1', '9.9.9.9'], problems: [] });
  });
  it('unquoted CIDR is npppd syntax error', () => {
    const r = parseNpppdConf('ipcp IPCP {\n pool-address 10.0.0.0/24\n}\n');
    expect(r.problems[0]).toEqual({ line: 2, message: expect.stringContaining('must be quoted') });
  });
  it('a range that is not a whole subnet is refused', () => {
    const r = parseNpppdConf('ipcp IPCP {\n pool-address 10.0.0.100-10.0.0.200\n}\n');
    expect(r.problems[0]).toEqual({ line: 2, message: expect.stringContaining('not the client range of one subnet') });
  });
  it('dns-servers resolver cannot be imported', () => {
    const r = parseNpppdConf('ipcp IPCP {\n pool-address 10.0.0.2-10.0.0.254\n dns-servers resolver\n}\n');
    expect(r.problems[0]).toEqual({ line: 3, message: expect.stringContaining('resolver') });
  });
  it('rangeToCidr', () => {
    const ip = (s: string) => parseIpv4(s)!;
    expect(rangeToCidr(ip('10.0.0.2'), ip('10.0.0.254'))).toBe('10.0.0.0/24');
    expect(rangeToCidr(ip('10.0.0.1'), ip('10.0.0.255'))).toBe('10.0.0.0/24');
    expect(rangeToCidr(ip('172.16.0.2'), ip('172.16.255.254'))).toBe('172.16.0.0/16');
    expect(rangeToCidr(ip('10.0.0.3'), ip('10.0.0.254'))).toBeUndefined();
  });
});

describe('readRouterFiles: the whole router', () => {
  for (const dir of ['seed', 'modern']) {
    it(`${dir}: secrets exactly as the router decodes them`, () => {
      const want = JSON.parse(fs.readFileSync(path.join(FIX, dir, 'expected.json'), 'utf8'));
      const r = readRouterFiles({
        ipsecConf: { name: 'ipsec.conf', text: read(dir, 'ipsec.conf') },
        npppdUsers: { name: 'npppd-users', text: read(dir, 'npppd-users') },
        npppdConf: { name: 'npppd.conf', text: read(dir, 'npppd.conf') },
      });
      if (!r.ok) throw new Error(r.problems.join('\n'));
      expect(r.site.psk).toBe(want.psk);
      expect(Object.fromEntries(r.site.passwords)).toEqual(want.passwords);
      expect(Object.fromEntries(r.site.users.filter((u) => u.ip).map((u) => [u.name, u.ip]))).toEqual(want.ips);
      expect(r.site.listen).toBe(want.listen);
      expect(r.site.pool?.cidr).toBe(want.pool);
      expect(r.site.dns).toEqual(want.dns);
    });
  }

  it('a non-ASCII password is an error naming file and line, without the password', () => {
    const r = readRouterFiles({
      ipsecConf: { name: 'ipsec.conf', text: 'ike passive psk "abcdefghijklmnopq"\n' },
      npppdUsers: { name: 'users', text: 'alice:\\\n  :password=caf\\351-latte:\n' },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems).toEqual(['users:2: the password of "alice" contains a non-ASCII character at position 4 (printable ASCII only: MS-CHAPv2 on npppd)']);
      expect(r.problems.join()).not.toContain('latte');
    }
  });

  it('a fixed address outside the imported pool names the line', () => {
    const r = readRouterFiles({
      ipsecConf: { name: 'ipsec.conf', text: 'ike passive psk "abcdefghijklmnopq"\n' },
      npppdUsers: { name: 'users', text: 'alice:password=abcdefgh:framed-ip-address=192.168.9.9:\n' },
      npppdConf: { name: 'npppd.conf', text: 'ipcp IPCP {\n pool-address 10.0.0.2-10.0.0.254\n}\n' },
    });
    expect(r.ok ? [] : r.problems).toEqual(['users:1: framed-ip-address of "alice": 192.168.9.9 is outside the pool 10.0.0.0/24 (usable 10.0.0.2-10.0.0.254)']);
  });

  it('a short psk is refused by the site rules', () => {
    const r = readRouterFiles({
      ipsecConf: { name: 'ipsec.conf', text: '\nike passive psk "short"\n' },
      npppdUsers: { name: 'users', text: 'alice:password=abcdefgh:\n' },
    });
    expect(r.ok ? [] : r.problems).toEqual(['ipsec.conf:2: the psk is too short (5 characters, need at least 16)']);
  });
});
