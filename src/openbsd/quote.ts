/**
 * Quoting for each OpenBSD file format, one function per format. Values reach these functions only
 * after src/site/rules.ts accepted them; the functions still refuse what their format cannot hold,
 * so a gap in validation fails loudly instead of writing a broken or injectable file.
 */
import { MacvpnError } from '../errors.js';

/**
 * A double-quoted string for ipsec.conf (ipsecctl parse.y) and npppd.conf (npppd parse.y).
 * Inside quotes a backslash escapes only the quote character on 5.6-era lexers (openbsd.md
 * "Additions" 3), raw newlines are dropped and `#`/`$` are literal (§1): so `"`, `\`, CR/LF and
 * other control characters are refused rather than escaped. Blanks are refused too: isakmpd reads
 * the PSK with sscanf("%200s"), which stops at whitespace (§1).
 */
export function quoteConfString(value: string, what: string): string {
  if (value.length === 0) throw new MacvpnError(`${what} is empty`);
  const at = unquotable(value, false);
  if (at !== undefined) throw new MacvpnError(`${what} contains a character ipsec.conf/npppd.conf cannot quote at position ${at}`);
  return `"${value}"`;
}

/**
 * The 1-based position of the first character the OpenBSD parse.y lexers (ipsecctl, npppd, iked)
 * cannot hold in a double-quoted string as written: `"`, `\`, control and non-ASCII characters,
 * and blanks unless the format keeps them (iked.conf does; isakmpd's PSK reader does not).
 */
export function unquotable(value: string, blanksAllowed: boolean): number | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c || (c === 0x20 && !blanksAllowed)) return i + 1;
  }
  return undefined;
}

/**
 * Characters written as-is in a getcap(3) string value: printable ASCII except the ones getcap
 * treats specially. `:` ends the value (`\:` does not escape it), `\` and `^` start escapes, `#`
 * starts a comment record, `@` at the start cancels the capability, `|` separates names
 * (openbsd.md §3). `@` and `|` are escaped everywhere: simpler, and decodes the same.
 */
const GETCAP_SAFE = /^[!-~]$/;
const GETCAP_SPECIAL = new Set([':', '\\', '^', '#', '@', '|']);

/** A getcap string value with every byte outside the safe set as a 3-digit octal `\ooo`. */
/** A value of printable ASCII without getcap's special characters, written as it is. */
const GETCAP_PLAIN = /^[!-~]*$/;
const GETCAP_ANY_SPECIAL = /[:\\^#@|]/;

export function escapeGetcapValue(value: string): string {
  // The common case (a generated password) in two scans; the loop below gives the same result.
  if (GETCAP_PLAIN.test(value) && !GETCAP_ANY_SPECIAL.test(value)) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    const code = value.charCodeAt(i);
    if (code > 0x7f) throw new MacvpnError(`value contains a non-ASCII character at position ${i + 1}`);
    // Always three digits, so a following digit is never read as part of the escape (getcap.c
    // reads up to 3 octal digits).
    out += GETCAP_SAFE.test(ch) && !GETCAP_SPECIAL.has(ch) ? ch : `\\${code.toString(8).padStart(3, '0')}`;
  }
  return out;
}

/**
 * A getcap record name (the npppd user name): ends at `:` or `|`, has no escapes, and a leading
 * `#` makes the record a comment (openbsd.md §3). rules.ts allows only [A-Za-z0-9._@-].
 */
export function checkGetcapName(name: string): string {
  if (!/^[A-Za-z0-9_@][A-Za-z0-9._@-]*$/.test(name)) throw new MacvpnError(`user name ${JSON.stringify(name)} cannot be a npppd-users record name`);
  return name;
}

/**
 * Text embedded in a generated shell script: STYLE.md §2.3 says reject what is outside a safe set
 * instead of escaping it. Host names, IP addresses and version numbers pass.
 */
export function shellSafe(value: string, what: string): string {
  if (!/^[A-Za-z0-9.:_-]+$/.test(value)) throw new MacvpnError(`${what} ${JSON.stringify(value)} cannot go into a shell script`);
  return value;
}
