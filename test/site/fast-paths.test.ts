/**
 * Fast paths added for 5,000-user sites (issue 12) must decide exactly as the rule-by-rule code
 * they short-cut: checkEmail against emailProblem, escapeGetcapValue's plain case against its
 * character loop. Random strings over an alphabet rich in the characters each rule is about.
 */
import { describe, expect, it } from 'vitest';
import { checkEmail, emailProblem } from '../../src/site/rules.js';
import { escapeGetcapValue } from '../../src/openbsd/quote.js';

/** A deterministic generator (xorshift32), so a failure repeats. */
function strings(alphabet: string, count: number, maxLength: number, seed = 12345): string[] {
  let x = seed;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 0x100000000);
  return Array.from({ length: count }, () => Array.from({ length: Math.floor(next() * maxLength) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
}

describe('checkEmail’s fast path', () => {
  it('accepts exactly what emailProblem accepts', () => {
    const cases = [
      ...strings('ab1.-@@_+Z9', 20000, 24),
      ...strings('a.b-c@1', 20000, 16),
      'alice@example.com', 'a@b.c', 'a@b.1', 'a@1.b', 'a.b@c.d', '.a@b.c', 'a.@b.c', 'a..b@c.d', 'a@-b.c', 'a@b-.c', 'a@b..c', 'a@b', '@b.c', 'a@',
      `${'a'.repeat(64)}@b.cd`, `${'a'.repeat(65)}@b.cd`, `a@${'b'.repeat(63)}.cd`, `a@${'b'.repeat(64)}.cd`, `a@${'b.'.repeat(126)}cd`, `a@${'bc.'.repeat(84)}de`,
      "o'neil+tag@mail.example.org", 'x{y}@z.io', 'Alice@Example.COM', 'a@b.c1', 'a@b.12',
    ];
    for (const c of cases) expect(checkEmail(c) === undefined, JSON.stringify(c)).toBe(emailProblem(c) === undefined);
  });
});

describe('escapeGetcapValue’s plain case', () => {
  it('gives the bytes the character loop gives', () => {
    const loop = (v: string) => [...v].map((ch) => (/^[!-~]$/.test(ch) && !':\\^#@|'.includes(ch) ? ch : `\\${ch.charCodeAt(0).toString(8).padStart(3, '0')}`)).join('');
    for (const v of strings('aZ9:\\^#@| \t~!=,', 20000, 20)) expect(escapeGetcapValue(v), JSON.stringify(v)).toBe(loop(v));
  });
});
