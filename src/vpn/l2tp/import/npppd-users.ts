/**
 * /etc/npppd/npppd-users → users, passwords and fixed addresses, decoded as npppd reads them:
 * cgetent(3) finds a record, cgetstr(3) decodes `password` and `framed-ip-address`
 * (lib/libc/gen/getcap.c getent, cgetcap, cgetstr; openbsd.md §3). Pure; no secret in messages.
 */
import { checkFraming, type LexProblem } from './lexer.js';
import { parseIpv4 } from '../../../site/ipv4.js';

export interface ImportedUser {
  name: string;
  password: string;
  ip?: string;
  /** Line where the record starts. */
  line: number;
  /** Line of the password field. */
  passwordLine: number;
}

export interface NpppdUsersResult {
  users: ImportedUser[];
  problems: LexProblem[];
  notes: LexProblem[];
}

interface RawRecord {
  text: string;
  /** Source line of each character of `text`. */
  lines: number[];
}

/** getent's record reader: `\` right before a newline joins lines; a record without a final newline is never read. */
function readRecords(text: string): { records: RawRecord[]; continuedAtEof?: number } {
  const records: RawRecord[] = [];
  let cur: RawRecord = { text: '', lines: [] };
  let line = 1;
  for (const c of text) {
    if (c === '\n') {
      line++;
      if (cur.text.endsWith('\\')) {
        cur.text = cur.text.slice(0, -1);
        cur.lines.pop();
        continue;
      }
      records.push(cur);
      cur = { text: '', lines: [] };
      continue;
    }
    cur.text += c;
    cur.lines.push(line);
  }
  // With a final newline (checkFraming), `cur` is empty unless the last line was continued.
  return { records, continuedAtEof: cur.lines.length > 0 || text.endsWith('\\\n') ? line - 1 : undefined };
}

/**
 * cgetcap(buf, cap, '='): offset of the value of the first field `cap=` (skipping the name field),
 * or undefined when it is missing or cancelled (`cap@`, or a value starting with `@`).
 */
function cgetcap(rec: string, cap: string): { at: number } | { cancelled: true } | undefined {
  let bp = 0;
  for (;;) {
    for (;;) {
      if (bp >= rec.length) return undefined;
      if (rec[bp++] === ':') break;
    }
    if (!rec.startsWith(cap, bp)) continue;
    const after = bp + cap.length;
    if (rec[after] === '@') return { cancelled: true };
    if (rec[after] !== '=') continue;
    return rec[after + 1] === '@' ? { cancelled: true } : { at: after + 1 };
  }
}

const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', c: ':' };

/** cgetstr's decoding: `^X` = X & 037 (`^?` = DEL), `\ooo` octal (1–3 digits), `\b\t\n\f\r\e\c`, `\x` = x; ends at `:`. */
export function cgetstrDecode(rec: string, at: number): { value: string; end: number; droppedEscape: boolean } {
  let bp = at;
  let out = '';
  let droppedEscape = false;
  while (bp < rec.length && rec[bp] !== ':') {
    const c = rec[bp]!;
    if (c === '^') {
      bp++;
      if (bp >= rec.length || rec[bp] === ':') {
        droppedEscape = true; // "drop unfinished escape"
        break;
      }
      // `^?` is DEL in current getcap.c (the 1997 revision gave 0x1f); both are refused later.
      out += rec[bp] === '?' ? '\x7f' : String.fromCharCode(rec.charCodeAt(bp) & 0o37);
      bp++;
    } else if (c === '\\') {
      bp++;
      if (bp >= rec.length || rec[bp] === ':') {
        droppedEscape = true;
        break;
      }
      if (rec[bp]! >= '0' && rec[bp]! <= '7') {
        let n = 0;
        let i = 3;
        do n = n * 8 + (rec.charCodeAt(bp++) - 48);
        while (--i && bp < rec.length && rec[bp]! >= '0' && rec[bp]! <= '7');
        out += String.fromCharCode(n & 0xff); // stored in a char
      } else {
        const e = rec[bp++]!;
        out += ESCAPES[e.toLowerCase()] ?? e;
      }
    } else {
      out += c;
      bp++;
    }
  }
  return { value: out, end: bp, droppedEscape };
}

export function parseNpppdUsers(text: string): NpppdUsersResult {
  const problems: LexProblem[] = [];
  const notes: LexProblem[] = [];
  const users: ImportedUser[] = [];
  const framing = checkFraming(text);
  if (framing) return { users, problems: [framing], notes };
  const { records, continuedAtEof } = readRecords(text);
  if (continuedAtEof !== undefined) {
    problems.push({ line: continuedAtEof, message: 'the last record ends with a backslash continuation, so getcap never reads it: the file looks truncated' });
  }
  const seen = new Map<string, number>();
  for (const rec of records) {
    if (rec.text === '' || rec.text.startsWith('#')) {
      const lastLine = rec.lines[rec.lines.length - 1];
      if (rec.text.startsWith('#') && lastLine !== undefined && lastLine !== rec.lines[0]) {
        notes.push({ line: rec.lines[0]!, message: `this comment ends with a backslash, so getcap also treats line ${lastLine} as comment` });
      }
      continue;
    }
    const line = rec.lines[0]!;
    const colon = rec.text.indexOf(':');
    const names = (colon < 0 ? rec.text : rec.text.slice(0, colon)).split('|');
    const name = names[0]!;
    if (name.trim() === '' || /\s/.test(name)) {
      problems.push({
        line,
        message: `a record starts with ${name.trim() === '' ? 'a blank or ":"' : 'a name containing a blank'}, so npppd can match no user to it (is a "\\" missing at the end of line ${line - 1}?)`,
      });
      continue;
    }
    for (const n of names) {
      const prior = seen.get(n);
      if (prior !== undefined) problems.push({ line, message: `user "${n}" is defined twice (first on line ${prior}); npppd uses the first` });
      else seen.set(n, line);
    }
    if (names.length > 1) notes.push({ line, message: `the other names of "${name}" (${names.slice(1).map((n) => JSON.stringify(n)).join(', ')}) are not kept: macvpn writes one name per user` });
    if (cgetcap(rec.text, 'tc') !== undefined) {
      problems.push({ line, message: `the record of "${name}" uses tc=, which macvpn import does not follow` });
      continue;
    }
    const pw = cgetcap(rec.text, 'password');
    if (pw === undefined || 'cancelled' in pw) {
      const why = pw === undefined ? 'has no password field (":password=…:")' : 'has its password cancelled (a value starting with "@", or "password@")';
      problems.push({ line, message: `user "${name}" ${why}` });
      continue;
    }
    const decoded = cgetstrDecode(rec.text, pw.at);
    const passwordLine = rec.lines[pw.at] ?? rec.lines[pw.at - 1] ?? line;
    let password = decoded.value;
    const nul = password.indexOf('\0');
    if (nul >= 0) {
      notes.push({ line: passwordLine, message: `the password of "${name}" has an escaped NUL at position ${nul + 1}; npppd uses only the ${nul} characters before it, and so does macvpn` });
      password = password.slice(0, nul);
    }
    if (decoded.droppedEscape) {
      notes.push({ line: passwordLine, message: `the password of "${name}" ends in an unfinished escape ("\\" or "^" before ":"), which getcap drops; imported as npppd reads it (${password.length} characters)` });
    }
    const user: ImportedUser = { name, password, line, passwordLine };
    const ipField = cgetcap(rec.text, 'framed-ip-address');
    if (ipField && 'at' in ipField) {
      const ip = cgetstrDecode(rec.text, ipField.at).value;
      const ipLine = rec.lines[ipField.at] ?? line;
      // npppd parses it with inet_pton (dotted IPv4 only); a bad value fails the whole entry.
      if (parseIpv4(ip) === undefined) problems.push({ line: ipLine, message: `framed-ip-address of "${name}" (${JSON.stringify(ip)}) is not an IPv4 address, so npppd refuses this user` });
      else user.ip = ip;
    }
    for (const field of ['framed-ip-netmask', 'calling-number']) {
      const f = cgetcap(rec.text, field);
      if (f && 'at' in f) notes.push({ line: rec.lines[f.at] ?? line, message: `${field} of "${name}" is not kept (macvpn has no such setting)` });
    }
    users.push(user);
  }
  if (users.length === 0 && problems.length === 0) problems.push({ line: 0, message: 'has no user records' });
  return { users, problems, notes };
}
