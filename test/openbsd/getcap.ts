/**
 * A getcap(3) reader written from the rules in docs/openbsd.md §3 and lib/libc/gen/getcap.c, used
 * only to check what npppd would read from the generated npppd-users:
 *  - backslash-newline joins lines; a record that starts with `#`, or is empty, is skipped;
 *  - the record name ends at the first `:` (`|` separates aliases);
 *  - cgetcap finds `:name=` by scanning raw `:` separators; a value starting with `@` cancels it;
 *  - cgetstr decodes up to the next raw `:`: `^X` is control-X (`^?` is DEL), `\b \t \n \f \r \e
 *    \c` (either case; `\c` is `:`), `\` plus 1–3 octal digits, `\` plus any other char is that char.
 */
export interface CapRecord {
  names: string[];
  raw: string;
}

export function readRecords(text: string): CapRecord[] {
  return text
    .replace(/\\\n/g, '')
    .split('\n')
    .filter((r) => r !== '' && !r.startsWith('#'))
    .map((raw) => ({ names: raw.slice(0, raw.indexOf(':') < 0 ? raw.length : raw.indexOf(':')).split('|'), raw }));
}

/** cgetstr(record, cap): the decoded value, or undefined when absent or cancelled. */
export function cgetstr(record: string, cap: string): string | undefined {
  let i = 0;
  for (;;) {
    const next = record.indexOf(':', i);
    if (next < 0) return undefined;
    i = next + 1;
    if (!record.startsWith(cap, i)) continue;
    const after = record[i + cap.length];
    if (after === '@') return undefined;
    if (after !== '=') continue;
    let p = i + cap.length + 1;
    if (record[p] === '@') return undefined;
    let out = '';
    while (p < record.length && record[p] !== ':') {
      const c = record[p]!;
      if (c === '^') {
        p++;
        if (p >= record.length || record[p] === ':') break;
        const x = record[p++]!;
        out += x === '?' ? '\x7f' : String.fromCharCode(x.charCodeAt(0) & 0o37);
      } else if (c === '\\') {
        p++;
        if (p >= record.length || record[p] === ':') break;
        if (/[0-7]/.test(record[p]!)) {
          let n = 0;
          let digits = 0;
          while (digits < 3 && p < record.length && /[0-7]/.test(record[p]!)) {
            n = n * 8 + Number(record[p]);
            p++;
            digits++;
          }
          out += String.fromCharCode(n);
        } else {
          const e = record[p++]!;
          const map: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', c: ':' };
          out += map[e.toLowerCase()] ?? e;
        }
      } else {
        out += c;
        p++;
      }
    }
    return out;
  }
}

/** What npppd would get for `user`: the first record with that name (cgetent). */
export function lookupUser(text: string, user: string): { password?: string; ip?: string } | undefined {
  const rec = readRecords(text).find((r) => r.names.includes(user));
  if (!rec) return undefined;
  return { password: cgetstr(rec.raw, 'password'), ip: cgetstr(rec.raw, 'framed-ip-address') };
}
