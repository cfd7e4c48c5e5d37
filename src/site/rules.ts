/**
 * Small validators for every value a site holds. Each returns undefined when the value is
 * acceptable, or a message (lowercase, no final period) that never contains a secret's value.
 */
import { isIpv6, isPrivate, networkOf, parseIpv4, formatIpv4 } from './ipv4.js';
import type { Pool } from './types.js';
import { KNOWN_OPENBSD } from '../openbsd/versions.js';

const NAME_CHARS = /^[A-Za-z0-9._@-]$/;
const MAX_NAME = 64;

function describeChar(ch: string): string {
  if (ch === ' ') return 'a space';
  const code = ch.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f) return `a control character (0x${code.toString(16).padStart(2, '0')})`;
  return JSON.stringify(ch);
}

/**
 * User names: the npppd-users record name ends at `:` or `|` and a leading `#` makes the record a
 * comment (openbsd.md §3); `@`-style names also reach PayloadIdentifier, so the set is kept small.
 */
export function checkUserName(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  const chars = [...name];
  if (chars.length > MAX_NAME) return `is ${chars.length} characters long (at most ${MAX_NAME})`;
  const bad = chars.find((c) => !NAME_CHARS.test(c));
  if (bad !== undefined) return `contains ${describeChar(bad)} (allowed: letters, digits, . _ - @)`;
  if (/^[-.#]/.test(name)) return `starts with ${JSON.stringify(name[0])}`;
  return undefined;
}

/** Position (1-based) of the first character outside printable ASCII, or 0. */
function firstNonPrintable(value: string): number {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return i + 1;
  }
  return 0;
}

/**
 * Passwords: MS-CHAPv2 on npppd zero-extends each byte to UTF-16 (chap.c), so only ASCII
 * matches what a Mac sends; NT passwords are at most 255 characters (openbsd.md §3).
 * `: \ ^ # @` are fine: the npppd-users writer escapes them.
 */
export function checkPassword(value: string): string | undefined {
  if (value.length === 0) return 'is empty';
  if (value.length > 255) return `is ${value.length} characters long (at most 255)`;
  const pos = firstNonPrintable(value);
  if (pos) {
    const c = value.charCodeAt(pos - 1);
    const what = c < 0x20 || c === 0x7f ? 'a control character' : 'a non-ASCII character';
    return `contains ${what} at position ${pos} (printable ASCII only: MS-CHAPv2 on npppd)`;
  }
  return undefined;
}

/**
 * PSK: 16–64 printable ASCII, no whitespace, quotes or backslash (ipsecctl's lexer and isakmpd's
 * sscanf("%200s")), not starting with 0x (isakmpd decodes it as hex). openbsd.md §1.
 */
export function checkPsk(value: string): string | undefined {
  if (value.length < 16) return `is too short (${value.length} characters, need at least 16)`;
  if (value.length > 64) return `is too long (${value.length} characters, at most 64)`;
  const pos = firstNonPrintable(value);
  if (pos) return `contains a character outside printable ASCII at position ${pos}`;
  const bad = [...value].findIndex((c) => c === ' ' || c === '"' || c === "'" || c === '\\');
  if (bad >= 0) {
    const what = value[bad] === ' ' ? 'a space' : `a ${JSON.stringify(value[bad])}`;
    return `contains ${what} at position ${bad + 1} (no whitespace, quotes or backslash)`;
  }
  if (/^0x/i.test(value)) return 'starts with "0x" (isakmpd would read it as hex)';
  return undefined;
}

const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

export function isHostname(text: string): boolean {
  if (text.length === 0 || text.length > 253) return false;
  const labels = text.replace(/\.$/, '').split('.');
  return labels.every((l) => LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]!);
}

/** `server`: what clients dial; a DNS name or an IP address. */
export function checkServer(value: string): string | undefined {
  if (value.length === 0) return 'is empty';
  if (parseIpv4(value) !== undefined || isIpv6(value) || isHostname(value)) return undefined;
  return `${JSON.stringify(value)} is not a DNS name or an IP address`;
}

/**
 * `listen`: `egress` (interface group, expanded by ipsecctl) or a literal local address the Macs
 * can reach: not unspecified, loopback or multicast (`from 0.0.0.0` would match no client).
 */
export function checkListen(value: string): string | undefined {
  if (value === 'egress') return undefined;
  const v4 = parseIpv4(value);
  if (v4 === undefined && !isIpv6(value)) return `${JSON.stringify(value)} is neither "egress" nor an IP address`;
  const unusable =
    v4 !== undefined
      ? v4 === 0 || v4 >>> 24 === 127 || v4 >>> 28 === 0xe || v4 === 0xffffffff
      : ['::', '::1'].includes(value.toLowerCase()) || /^ff/i.test(value);
  return unusable ? `${JSON.stringify(value)} is not an address clients can reach (unspecified, loopback or multicast)` : undefined;
}

/** Parses and checks the pool: a private IPv4 CIDR between /16 and /29 with host bits clear. */
export function parsePool(value: string): Pool | string {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(value);
  const ip = m ? parseIpv4(m[1]!) : undefined;
  if (!m || ip === undefined) return `${JSON.stringify(value)} is not an IPv4 CIDR like 10.0.0.0/24`;
  const prefix = Number(m[2]);
  if (prefix < 16 || prefix > 29) return `${JSON.stringify(value)} has prefix /${prefix} (need /16 to /29)`;
  if (!isPrivate(ip)) return `${JSON.stringify(value)} is not in private address space (10/8, 172.16/12, 192.168/16)`;
  const network = networkOf(ip, prefix);
  if (network !== ip) return `${JSON.stringify(value)} has host bits set (did you mean ${formatIpv4(network)}/${prefix}?)`;
  return { cidr: `${formatIpv4(network)}/${prefix}`, network, prefix };
}

/**
 * DNS servers handed out by npppd's ipcp section: IPCP carries IPv4 only and npppd takes one or
 * two addresses (`dns-servers IP [IP]`, openbsd.md §2).
 */
export function checkDnsServer(value: string): string | undefined {
  if (parseIpv4(value) !== undefined) return undefined;
  return `${JSON.stringify(value)} is not an IPv4 address (npppd hands out IPv4 DNS servers only)`;
}

/** RFC 5321 §4.1.2 atext: what a Dot-string local part may hold besides dots. */
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]$/;

/**
 * Email addresses: a plain RFC 5321 Mailbox, `Dot-string "@" Domain`, and nothing else: no
 * display name, comment, quoted local part or address literal, ASCII only. Such an address is
 * passed through unchanged to SMTP, so what macvpn prints is exactly the RCPT TO the server gets.
 * Limits from RFC 5321 §4.5.3.1: local part 64 octets, domain 253 (a DNS name), label 63.
 */
export function checkEmail(value: string): string | undefined {
  const shown = JSON.stringify(value);
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return `${shown} is not an email address like alice@example.com`;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  const bad = [...local].find((c) => c !== '.' && !ATEXT.test(c));
  if (bad !== undefined) {
    return `${shown} contains ${describeChar(bad)} before the @ (a plain address only: letters, digits and !#$%&'*+-/=?^_\`{|}~ between dots; no display name, comment or quotes)`;
  }
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return `${shown} has a dot at the start or end of the part before the @, or two dots in a row`;
  }
  if (local.length > 64) return `${shown} has ${local.length} characters before the @ (at most 64, RFC 5321)`;
  if (domain.length > 253) return `${shown} has a domain of ${domain.length} characters (at most 253)`;
  const labels = domain.split('.');
  const label = labels.find((l) => !LABEL.test(l));
  if (label !== undefined) {
    const why = label === '' ? 'an empty label (two dots in a row, or a dot at the start or end)'
      : label.length > 63 ? `a label of ${label.length} characters (at most 63)`
      : `the label ${JSON.stringify(label)} (letters, digits and "-" only, not at either end)`;
    return `${shown} has ${why} in its domain`;
  }
  if (labels.length < 2 || /^\d+$/.test(labels[labels.length - 1]!)) return `${shown} does not end in a DNS domain like example.com`;
  return undefined;
}

/**
 * The form an accepted address takes on the wire: the domain in lower case, as nodemailer sends
 * it (url.domainToASCII). macvpn prints this form, so the screen matches the RCPT TO.
 */
export function canonicalEmail(value: string): string {
  const at = value.lastIndexOf('@');
  return `${value.slice(0, at)}@${value.slice(at + 1).toLowerCase()}`;
}

/** Free text shown in profiles and server file headers: one line, no control characters. */
export function checkLabel(value: string): string | undefined {
  if (value.trim().length === 0) return 'is empty';
  if (value.length > 200) return `is ${value.length} characters long (at most 200)`;
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'contains a control character';
  return undefined;
}

/** Reverse-DNS prefix: at least two dot-separated labels of letters, digits and `-`. */
export function checkIdentifier(value: string): string | undefined {
  const labels = value.split('.');
  if (labels.length >= 2 && labels.every((l) => /^[A-Za-z0-9-]{1,63}$/.test(l))) return undefined;
  return `${JSON.stringify(value)} is not a reverse-DNS identifier like com.example.vpn`;
}

export function checkOpenbsd(value: string): string | undefined {
  if (KNOWN_OPENBSD.includes(value)) return undefined;
  return `${JSON.stringify(value)} is not a known OpenBSD release (known: ${KNOWN_OPENBSD[0]} to ${KNOWN_OPENBSD[KNOWN_OPENBSD.length - 1]}: ${KNOWN_OPENBSD.join(', ')})`;
}

/** Default profile identifier prefix: the server's DNS name reversed (vpn.example.com → com.example.vpn). */
export function defaultIdentifier(server: string): string {
  if (isHostname(server) && server.includes('.')) return server.replace(/\.$/, '').split('.').reverse().join('.').toLowerCase();
  return `local.macvpn.${server.replace(/[^A-Za-z0-9-]/g, '-')}`;
}
