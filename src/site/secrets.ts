/**
 * Generated secrets and the secrets/ file formats. Pure: randomness is passed in.
 */
import type { Problem, Secrets, Settings } from './types.js';
import { checkPassword } from './rules.js';

/**
 * No look-alikes (0 O 1 l I) and nothing that ipsec.conf quoting, getcap or XML would need to
 * escape: letters and digits only. 55 symbols: 32 characters ≈ 185 bits, 20 ≈ 115 bits.
 */
export const SECRET_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
export const PSK_LENGTH = 32;
export const PASSWORD_LENGTH = 20;

export type RandomBytes = (n: number) => Uint8Array;

/** Uniform choice from the alphabet by rejection sampling (no modulo bias). */
export function generateSecret(length: number, random: RandomBytes): string {
  const n = SECRET_ALPHABET.length;
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < length) {
    for (const b of random(length * 2)) {
      if (b < limit) out += SECRET_ALPHABET[b % n];
      if (out.length === length) break;
    }
  }
  return out;
}

/** secrets/passwords: a JSON object name → password, keys sorted. */
export function renderPasswords(passwords: ReadonlyMap<string, string>): string {
  const sorted = [...passwords.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(sorted), null, 2) + '\n';
}

export function parsePasswords(text: string): Map<string, string> | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return 'is not valid JSON';
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'must be a JSON object of name → password';
  const map = new Map<string, string>();
  for (const [name, pw] of Object.entries(data)) {
    if (typeof pw !== 'string') return `entry "${name}" is not a string`;
    map.set(name, pw);
  }
  return map;
}

/**
 * Cross-checks the per-user secrets against settings: a valid password for every user. Each
 * problem's `path` is `passwords` (secrets/passwords.json); the VPN type checks its own state.
 */
export function checkPasswords(settings: Settings, secrets: Pick<Secrets, 'passwords'>): Problem[] {
  const problems: Problem[] = [];
  for (const user of settings.users) {
    const pw = secrets.passwords.get(user.name);
    if (pw === undefined) problems.push({ path: 'passwords', message: `user "${user.name}" has no password` });
    else {
      const msg = checkPassword(pw);
      if (msg) problems.push({ path: 'passwords', message: `the password of "${user.name}" ${msg}` });
    }
  }
  return problems;
}

/** Strips exactly one trailing newline (LF or CRLF) from a value read on stdin (DESIGN.md §3). */
export function stripOneNewline(value: string): string {
  return value.replace(/\r?\n$/, '');
}
