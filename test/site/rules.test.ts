import { describe, expect, it } from 'vitest';
import {
  checkDnsServer, checkEmail, checkIdentifier, checkLabel, checkListen, checkOpenbsd, checkPassword, checkPsk,
  checkServer, checkUserName, defaultIdentifier, parsePool,
} from '../../src/site/rules.js';
import { generateSecret, SECRET_ALPHABET, stripOneNewline } from '../../src/site/secrets.js';
import { checkUserIp } from '../../src/site/parse-site.js';
import { randomBytes } from 'node:crypto';

describe('user names (openbsd.md §3: `:` `|` end the record name, leading `#` is a comment)', () => {
  it.each([
    ['alice', undefined],
    ['a.b_c-d@example.com', undefined],
    ['x'.repeat(64), undefined],
    ['a:b', 'contains ":" (allowed: letters, digits, . _ - @)'],
    ['a|b', 'contains "|" (allowed: letters, digits, . _ - @)'],
    ['#a', 'contains "#" (allowed: letters, digits, . _ - @)'],
    ['-a', 'starts with "-"'],
    ['.a', 'starts with "."'],
    ['a b', 'contains a space (allowed: letters, digits, . _ - @)'],
    ['', 'is empty'],
    ['x'.repeat(65), 'is 65 characters long (at most 64)'],
    ['émile', 'contains "é" (allowed: letters, digits, . _ - @)'],
    ['a\tb', 'contains a control character (0x09) (allowed: letters, digits, . _ - @)'],
  ])('%j → %s', (name, msg) => expect(checkUserName(name)).toBe(msg));
});

describe('passwords (ASCII only for MS-CHAPv2 on npppd)', () => {
  it('accepts every printable ASCII character, including : \\ ^ # @', () => {
    let all = '';
    for (let c = 0x20; c <= 0x7e; c++) all += String.fromCharCode(c);
    expect(checkPassword(all)).toBeUndefined();
    expect(checkPassword('@leading')).toBeUndefined();
  });
  it.each([
    ['pässword', 'contains a non-ASCII character at position 2 (printable ASCII only: MS-CHAPv2 on npppd)'],
    ['pass\u0007word', 'contains a control character at position 5 (printable ASCII only: MS-CHAPv2 on npppd)'],
    ['tab\there', 'contains a control character at position 4 (printable ASCII only: MS-CHAPv2 on npppd)'],
    ['', 'is empty'],
    ['x'.repeat(256), 'is 256 characters long (at most 255)'],
  ])('%j → %s', (pw, msg) => expect(checkPassword(pw)).toBe(msg));
});

describe('PSK (openbsd.md §1)', () => {
  it.each([
    ['abcdefghijklmnop', undefined],
    ['x'.repeat(64), undefined],
    ['short', 'is too short (5 characters, need at least 16)'],
    ['x'.repeat(65), 'is too long (65 characters, at most 64)'],
    ['abcdefgh ijklmnop', 'contains a space at position 9 (no whitespace, quotes or backslash)'],
    ['abcdefgh"ijklmnop', 'contains a "\\"" at position 9 (no whitespace, quotes or backslash)'],
    ["abcdefgh'ijklmnop", 'contains a "\'" at position 9 (no whitespace, quotes or backslash)'],
    ['abcdefgh\\ijklmnop', 'contains a "\\\\" at position 9 (no whitespace, quotes or backslash)'],
    ['0xabcdefghijklmnop', 'starts with "0x" (isakmpd would read it as hex)'],
    ['0Xabcdefghijklmnop', 'starts with "0x" (isakmpd would read it as hex)'],
    ['abcdefgh\tijklmnop', 'contains a character outside printable ASCII at position 9'],
    ['abcdefghijklmnöp', 'contains a character outside printable ASCII at position 15'],
  ])('%j → %s', (psk, msg) => expect(checkPsk(psk)).toBe(msg));
  it('never echoes the value', () => {
    const secret = 'SECRETsecret "quoted" value';
    expect(checkPsk(secret)).not.toContain('SECRET');
  });
});

describe('server, listen, pool, dns, email, identifier, openbsd', () => {
  it.each(['vpn.example.com', '203.0.113.7', '2001:db8::1', 'router', 'a-b.example.org.'])('server %s is fine', (s) =>
    expect(checkServer(s)).toBeUndefined());
  it.each(['', 'vpn example.com', '-bad.example.com', 'a..b', '1.2.3.999', 'exa_mple.com'])('server %j is rejected', (s) =>
    expect(checkServer(s)).toBeDefined());
  it('listen is egress or an address', () => {
    expect(checkListen('egress')).toBeUndefined();
    expect(checkListen('192.0.2.1')).toBeUndefined();
    expect(checkListen('em0')).toBe('"em0" is neither "egress" nor an IP address');
    expect(checkListen('2001:db8::1')).toBeUndefined();
    for (const bad of ['0.0.0.0', '127.0.0.1', '224.0.0.1', '255.255.255.255', '::', '::1', 'ff02::1']) {
      expect(checkListen(bad)).toBe(`${JSON.stringify(bad)} is not an address clients can reach (unspecified, loopback or multicast)`);
    }
  });
  it('pool: private, /16 to /29, host bits clear', () => {
    expect(parsePool('10.0.0.0/24')).toMatchObject({ cidr: '10.0.0.0/24', prefix: 24 });
    expect(parsePool('192.168.77.0/29')).toMatchObject({ prefix: 29 });
    expect(parsePool('172.16.0.0/16')).toMatchObject({ prefix: 16 });
    expect(parsePool('10.0.0.0/8')).toBe('"10.0.0.0/8" has prefix /8 (need /16 to /29)');
    expect(parsePool('10.0.0.0/30')).toBe('"10.0.0.0/30" has prefix /30 (need /16 to /29)');
    expect(parsePool('8.8.8.0/24')).toBe('"8.8.8.0/24" is not in private address space (10/8, 172.16/12, 192.168/16)');
    expect(parsePool('172.32.0.0/24')).toContain('not in private address space');
    expect(parsePool('10.0.0.5/24')).toBe('"10.0.0.5/24" has host bits set (did you mean 10.0.0.0/24?)');
    expect(parsePool('10.0.0/24')).toBe('"10.0.0/24" is not an IPv4 CIDR like 10.0.0.0/24');
    expect(parsePool('010.0.0.0/24')).toBe('"010.0.0.0/24" is not an IPv4 CIDR like 10.0.0.0/24');
  });
  it('user ip: inside the pool, not network, broadcast or the server address', () => {
    const pool = parsePool('10.0.0.0/24') as Exclude<ReturnType<typeof parsePool>, string>;
    expect(checkUserIp('10.0.0.2', pool)).toBeUndefined();
    expect(checkUserIp('10.0.0.254', pool)).toBeUndefined();
    expect(checkUserIp('10.0.0.1', pool)).toBe("10.0.0.1 is the server's own address in the pool 10.0.0.0/24");
    expect(checkUserIp('10.0.0.0', pool)).toBe('10.0.0.0 is outside the pool 10.0.0.0/24 (usable 10.0.0.2-10.0.0.254)');
    expect(checkUserIp('10.0.0.255', pool)).toContain('is outside the pool');
    expect(checkUserIp('10.0.1.5', pool)).toContain('is outside the pool');
    expect(checkUserIp('nope', pool)).toBe('"nope" is not an IPv4 address');
  });
  it('dns is IPv4 (IPCP)', () => {
    expect(checkDnsServer('9.9.9.9')).toBeUndefined();
    expect(checkDnsServer('2001:db8::53')).toBe('"2001:db8::53" is not an IPv4 address (npppd hands out IPv4 DNS servers only)');
  });
  // Issue 10, item 8: text shown to users.
  it.each([
    ['Evil\u202Egnp.exe', 'contains a bidirectional-text control (U+202E), which can make it display as different text'],
    ['A\u200EB', 'contains a bidirectional-text control (U+200E), which can make it display as different text'],
    ['A\u200FB', 'contains a bidirectional-text control (U+200F), which can make it display as different text'],
    ...['\u2066', '\u2067', '\u2068', '\u2069'].map((c) => [`A${c}B`, `contains a bidirectional-text control (U+${c.charCodeAt(0).toString(16).toUpperCase()}), which can make it display as different text`]),
    ['A\u0085B', 'contains a control character (U+0085)'],
    ['A\u009bB', 'contains a control character (U+009B)'],
    ['A\u0000B', 'contains a control character (U+0000)'],
    ['A\u001bB', 'contains a control character (U+001B)'],
    ['A\tB', 'contains a control character (U+0009)'],
    ['A\u2028B', 'contains a control character (U+2028)'],
    ['Ops {{serialnumber}}', 'contains "{{" or "}}", which MDMs such as Intune expand as a {{variable}}'],
    ['Ops $USERNAME', 'contains "$U", which MDMs such as Jamf expand as a $VARIABLE'],
    ['Ops ${HOME}', 'contains "${", which MDMs such as Jamf expand as a $VARIABLE'],
  ])('label %j is refused', (bad, message) => expect(checkLabel(bad)).toBe(message));
  it.each(['Example Corp', 'Ops $5 budget', 'A&B <Ops> "x" #1: {y}', 'Société Générale', 'שלום', 'Price: 5$'])('label %j is fine', (ok) =>
    expect(checkLabel(ok)).toBeUndefined());
  it('email', () => {
    expect(checkEmail('bob@example.com')).toBeUndefined();
    expect(checkEmail('bob@localhost')).toBeDefined();
    expect(checkEmail('bob\r\n@example.com')).toBeDefined();
  });
  // Issue 10, item 4: plain RFC 5321 mailboxes only.
  it.each([
    'bob@example.com', "o'brien+tag@mail.example.co.uk", 'a!#$%&*/=?^_`{|}~b@example.com', 'A.B-c_d@Example.COM',
    `${'a'.repeat(64)}@example.com`, `a@${'b'.repeat(63)}.com`, `a@${Array(3).fill('b'.repeat(63)).join('.')}.${'c'.repeat(61)}`,
  ])('email %s is accepted', (ok) => expect(checkEmail(ok)).toBeUndefined());
  it.each([
    ['a(b)@example.com', '"a(b)@example.com" contains "(" before the @ (a plain address only: letters, digits and !#$%&\'*+-/=?^_`{|}~ between dots; no display name, comment or quotes)'],
    ['Alice <a@example.com>', '"Alice <a@example.com>" contains a space before the @ (a plain address only: letters, digits and !#$%&\'*+-/=?^_`{|}~ between dots; no display name, comment or quotes)'],
    ['"a b"@example.com', '"\\"a b\\"@example.com" contains "\\"" before the @ (a plain address only: letters, digits and !#$%&\'*+-/=?^_`{|}~ between dots; no display name, comment or quotes)'],
    ['a@-example.com', '"a@-example.com" has the label "-example" (letters, digits and "-" only, not at either end) in its domain'],
    ['a@example-.com', '"a@example-.com" has the label "example-" (letters, digits and "-" only, not at either end) in its domain'],
    ['.a@example.com', '".a@example.com" has a dot at the start or end of the part before the @, or two dots in a row'],
    ['a.@example.com', '"a.@example.com" has a dot at the start or end of the part before the @, or two dots in a row'],
    ['a..b@example.com', '"a..b@example.com" has a dot at the start or end of the part before the @, or two dots in a row'],
    ['a@example..com', '"a@example..com" has an empty label (two dots in a row, or a dot at the start or end) in its domain'],
    ['a@example.com.', '"a@example.com." has an empty label (two dots in a row, or a dot at the start or end) in its domain'],
    [`${'a'.repeat(65)}@example.com`, `"${'a'.repeat(65)}@example.com" has 65 characters before the @ (at most 64, RFC 5321)`],
    [`a@${'b'.repeat(64)}.com`, `"a@${'b'.repeat(64)}.com" has a label of 64 characters (at most 63) in its domain`],
    [`a@${Array(3).fill('b'.repeat(63)).join('.')}.${'c'.repeat(62)}`, undefined],
    ['a@[192.0.2.1]', '"a@[192.0.2.1]" has the label "[192" (letters, digits and "-" only, not at either end) in its domain'],
    ['a@b@example.com', '"a@b@example.com" has more than one "@" (one plain address only, no quotes)'],
    ['a@192.0.2.1', '"a@192.0.2.1" does not end in a DNS domain like example.com'],
    ['bob@localhost', '"bob@localhost" does not end in a DNS domain like example.com'],
    ['bøb@example.com', '"bøb@example.com" contains "ø" before the @ (a plain address only: letters, digits and !#$%&\'*+-/=?^_`{|}~ between dots; no display name, comment or quotes)'],
    ['@example.com', '"@example.com" is not an email address like alice@example.com'],
    ['bob@', '"bob@" is not an email address like alice@example.com'],
  ])('email %s is refused', (bad, message) => {
    if (message === undefined) expect(checkEmail(bad)).toMatch(/has a domain of 254 characters \(at most 253\)$/);
    else expect(checkEmail(bad)).toBe(message);
  });
  it('identifier and its default', () => {
    expect(checkIdentifier('com.example.vpn')).toBeUndefined();
    expect(checkIdentifier('example')).toBeDefined();
    expect(checkIdentifier('com.exa mple')).toBeDefined();
    expect(defaultIdentifier('vpn.example.com')).toBe('com.example.vpn');
    expect(defaultIdentifier('203.0.113.7')).toBe('local.macvpn.203-0-113-7');
    expect(checkIdentifier(defaultIdentifier('203.0.113.7'))).toBeUndefined();
  });
  it('labels are one line', () => {
    expect(checkLabel('A&B <Ops> "x"')).toBeUndefined();
    expect(checkLabel('a\nb')).toBe('contains a control character (U+000A)');
    expect(checkLabel('  ')).toBe('is empty');
  });
  it('openbsd versions come from the version table', () => {
    expect(checkOpenbsd('7.9')).toBeUndefined();
    expect(checkOpenbsd('5.6')).toBeUndefined();
    expect(checkOpenbsd('8.0')).toMatch(/^"8.0" is not a known OpenBSD release \(known: 5.6 to 7.9: 5.6, 5.7, /);
  });
});

describe('generated secrets', () => {
  it('use only the look-alike-free alphabet and pass their own rules', () => {
    for (let i = 0; i < 200; i++) {
      const psk = generateSecret(32, randomBytes);
      expect(psk).toHaveLength(32);
      expect([...psk].every((c) => SECRET_ALPHABET.includes(c))).toBe(true);
      expect(checkPsk(psk)).toBeUndefined();
      expect(checkPassword(generateSecret(20, randomBytes))).toBeUndefined();
    }
    expect(SECRET_ALPHABET).not.toMatch(/[0O1lI]/);
  });
  it('are uniform: no byte value is favoured (rejection sampling)', () => {
    const counts = new Map<string, number>();
    const text = generateSecret(55 * 2000, randomBytes);
    for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(SECRET_ALPHABET.length);
    for (const n of counts.values()) expect(Math.abs(n - 2000)).toBeLessThan(300);
  });
  it('stdin values lose exactly one trailing newline', () => {
    expect(stripOneNewline('abc\n')).toBe('abc');
    expect(stripOneNewline('abc\r\n')).toBe('abc');
    expect(stripOneNewline('abc\n\n')).toBe('abc\n');
    expect(stripOneNewline('abc')).toBe('abc');
  });
});
