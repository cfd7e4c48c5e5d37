/**
 * Property tests for the npppd-users writer (issue 4 "Done when"): for any printable-ASCII
 * password, a getcap decoder written from getcap(3)'s rules gives the password back exactly, and
 * user names the site accepts never break an entry. Seeded PRNG, so failures reproduce.
 */
import { describe, expect, it } from 'vitest';
import { renderNpppdUsers } from '../../src/vpn/l2tp/render-npppd-users.js';
import { escapeGetcapValue } from '../../src/openbsd/quote.js';
import { openbsdRelease } from '../../src/openbsd/versions.js';
import { checkPassword, checkUserName } from '../../src/site/rules.js';
import { fixtureSite, FIXTURE_PASSWORDS } from './fixture.js';
import { cgetstr, lookupUser, readRecords } from './getcap.js';

/** mulberry32: tiny deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-';
const pick = (rnd: () => number, s: string) => s[Math.floor(rnd() * s.length)]!;
const word = (rnd: () => number, s: string, min: number, max: number) =>
  Array.from({ length: min + Math.floor(rnd() * (max - min + 1)) }, () => pick(rnd, s)).join('');

const release = openbsdRelease('7.9')!;
const RUNS = 3000;

describe('npppd-users getcap encoding', () => {
  it('decodes the fixture users back to their passwords and addresses', () => {
    const text = renderNpppdUsers(fixtureSite(), release);
    for (const [name, password] of FIXTURE_PASSWORDS) expect(lookupUser(text, name)?.password).toBe(password);
    expect(lookupUser(text, 'bob')?.ip).toBe('10.0.0.50');
    expect(lookupUser(text, 'alice')?.ip).toBeUndefined();
    expect(readRecords(text).map((r) => r.names[0])).toEqual(['alice', 'bob', 'carol@example.com']);
  });

  it('escapes the getcap specials : \\ ^ # @ | and blanks as 3-digit octal (openbsd.md §3)', () => {
    expect(escapeGetcapValue(':\\^#@| \t')).toBe('\\072\\134\\136\\043\\100\\174\\040\\011');
    expect(escapeGetcapValue('abc=XYZ,09!~')).toBe('abc=XYZ,09!~');
    // 3 digits always, so a digit after an escape is not swallowed (getcap reads up to 3).
    expect(cgetstr(`x:v=${escapeGetcapValue(':7')}:`, 'v')).toBe(':7');
  });

  it(`round-trips ${RUNS} random printable-ASCII passwords (seeded)`, () => {
    const rnd = prng(0x5eed);
    for (let i = 0; i < RUNS; i++) {
      // Bias toward the special characters so every one is hit often.
      const password = rnd() < 0.5 ? word(rnd, PRINTABLE, 1, 64) : word(rnd, ':\\^#@| a0', 1, 12);
      expect(checkPassword(password)).toBeUndefined();
      const site = fixtureSite({ users: [{ name: 'u1' }, { name: 'u2', ip: '10.0.0.9' }] });
      const passwords = new Map([['u1', password], ['u2', 'after']]);
      const text = renderNpppdUsers({ ...site, secrets: { ...site.secrets, passwords } }, release);
      const u1 = lookupUser(text, 'u1');
      if (u1?.password !== password) throw new Error(`seed run ${i}: ${JSON.stringify(password)} decoded as ${JSON.stringify(u1?.password)}`);
      // The next record is intact too: nothing leaked across the entry.
      expect(lookupUser(text, 'u2')).toEqual({ password: 'after', ip: '10.0.0.9' });
      expect(text).not.toMatch(/[^\x09\x0a\x20-\x7e]/);
    }
  });

  it(`keeps ${RUNS} random accepted user names intact (seeded)`, () => {
    const rnd = prng(0xabc);
    let accepted = 0;
    for (let i = 0; i < RUNS; i++) {
      const name = word(rnd, NAME_CHARS, 1, 20);
      if (checkUserName(name) !== undefined) continue;
      accepted++;
      const site = fixtureSite({ users: [{ name }, { name: 'zz-last' }] });
      const passwords = new Map([[name, 'pw:1'], ['zz-last', 'pw2']]);
      const text = renderNpppdUsers({ ...site, secrets: { ...site.secrets, passwords } }, release);
      const names = readRecords(text).map((r) => r.names);
      expect(names, name).toEqual([[name], ['zz-last']]);
      expect(lookupUser(text, name)?.password).toBe('pw:1');
    }
    expect(accepted).toBeGreaterThan(RUNS / 2);
  });

  it('refuses names that would break an entry even if validation missed them', () => {
    for (const name of ['a:b', 'a|b', '#x', 'a b', '']) {
      const site = fixtureSite({ users: [{ name }] });
      const passwords = new Map([[name, 'pw']]);
      expect(() => renderNpppdUsers({ ...site, secrets: { ...site.secrets, passwords } }, release)).toThrow(/cannot be a npppd-users record name/);
    }
  });
});
