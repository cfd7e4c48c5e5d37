/**
 * Small validators for every value a site holds. Each returns undefined when the value is
 * acceptable, or a message (lowercase, no final period) that never contains a secret's value.
 */
import { isInside, isIpv6, isPrivate, lastAddress, networkOf, parseIpv4, formatIpv4 } from './ipv4.js';
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
  return hostnameProblem(text) === undefined;
}

/** Why `text` is not a DNS name (RFC 1035 §2.3.4 lengths), or undefined. */
function hostnameProblem(text: string): string | undefined {
  if (text.length > 253) return `is ${text.length} characters long (a DNS name has at most 253)`;
  const labels = text.replace(/\.$/, '').split('.');
  const long = labels.find((l) => l.length > 63);
  if (long !== undefined) return `has a label of ${long.length} characters (at most 63)`;
  if (!labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels[labels.length - 1]!)) return 'is not a DNS name or an IP address';
  return undefined;
}

/**
 * Why no client could ever reach `value` (an IP address), or undefined: unspecified, loopback,
 * multicast, broadcast or reserved (240/4) addresses never reach the router.
 */
function unreachable(value: string): string | undefined {
  const v4 = parseIpv4(value);
  if (v4 !== undefined) {
    if (v4 >>> 24 === 0) return 'an unspecified';
    if (v4 >>> 24 === 127) return 'a loopback';
    if (v4 >>> 28 === 0xe) return 'a multicast';
    if (v4 === 0xffffffff) return 'a broadcast';
    if (v4 >>> 28 === 0xf) return 'a reserved';
    return undefined;
  }
  if (!isIpv6(value)) return undefined;
  const v = value.toLowerCase();
  if (/^[0:]+$/.test(v)) return 'an unspecified';
  if (/^[0:]+1$/.test(v)) return 'a loopback';
  if (/^ff/.test(v)) return 'a multicast';
  return undefined;
}

/** `server`: what clients dial; a DNS name or an IP address they can reach. */
export function checkServer(value: string): string | undefined {
  if (value.length === 0) return 'is empty';
  if (parseIpv4(value) !== undefined || isIpv6(value)) {
    const why = unreachable(value);
    return why ? `${JSON.stringify(value)} is ${why} address: no Mac can dial it` : undefined;
  }
  const problem = hostnameProblem(value);
  return problem ? `${JSON.stringify(value)} ${problem}` : undefined;
}

/**
 * `listen`: `egress` (interface group, expanded by ipsecctl) or a literal local address the Macs
 * can reach: not unspecified, loopback or multicast (`from 0.0.0.0` would match no client).
 */
export function checkListen(value: string): string | undefined {
  if (value === 'egress') return undefined;
  if (parseIpv4(value) === undefined && !isIpv6(value)) return `${JSON.stringify(value)} is neither "egress" nor an IP address`;
  return unreachable(value) ? `${JSON.stringify(value)} is not an address clients can reach (unspecified, loopback or multicast)` : undefined;
}

/**
 * `server` and `listen` against the pool and each other: a server or listen address inside the
 * pool would be routed into the tunnel it is meant to carry; an IPv4 server with an IPv6 listen
 * address is dialled where nothing listens. What a type's daemon can listen on is the type's
 * own check (VpnType.checkSettings).
 */
export function checkServerPlacement(server: string, listen: string, pool: Pool): { field: 'server' | 'listen'; message: string; hint?: string }[] {
  const out: { field: 'server' | 'listen'; message: string; hint?: string }[] = [];
  for (const [field, value] of [['server', server], ['listen', listen]] as const) {
    const ip = parseIpv4(value);
    if (ip !== undefined && isInside(ip, pool.network, pool.prefix)) {
      out.push({ field, message: `${value} is inside the VPN pool ${pool.cidr}: it would be routed into the tunnel it carries`, hint: 'use the router\'s public address, or choose another --pool' });
    }
  }
  if (isIpv6(listen) && parseIpv4(server) !== undefined) {
    out.push({ field: 'listen', message: `${listen} is an IPv6 address but the server ${server} is IPv4: the Macs would dial an address nothing listens on` });
  }
  return out;
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
 * two addresses (`dns-servers IP [IP]`, openbsd.md §2). A Mac cannot query an unspecified,
 * loopback, multicast or broadcast address.
 */
export function checkDnsServer(value: string): string | undefined {
  if (parseIpv4(value) === undefined) return `${JSON.stringify(value)} is not an IPv4 address (npppd hands out IPv4 DNS servers only)`;
  const why = unreachable(value);
  return why ? `${value} is ${why} address: a Mac cannot query it` : undefined;
}

/**
 * A DNS server against the pool: error for an address the VPN leases (or the network/broadcast).
 * The pool's first address is the router's own on an npppd tunnel; a type whose daemon leases it
 * too says so in its checkSettings.
 */
export function checkDnsInPool(value: string, pool: Pool): string | undefined {
  const ip = parseIpv4(value);
  if (ip === undefined || !isInside(ip, pool.network, pool.prefix)) return undefined;
  if (ip === pool.network) return `${value} is the network address of the pool ${pool.cidr}`;
  if (ip === lastAddress(pool.network, pool.prefix)) return `${value} is the broadcast address of the pool ${pool.cidr}`;
  if (ip !== pool.network + 1) return `${value} is an address the VPN leases to its clients (pool ${pool.cidr})`;
  return undefined;
}

/** Each later duplicate in the DNS list, by index. */
export function duplicateDns(dns: readonly string[]): { index: number; message: string }[] {
  return dns.flatMap((d, i) => (dns.indexOf(d) < i ? [{ index: i, message: `${d} is listed twice` }] : []));
}

/**
 * Warnings, not errors: the router's own tunnel address as DNS works only when a resolver on the
 * router listens there (OpenBSD's unwind listens on 127.0.0.1 only; unbound must be told).
 */
export function dnsWarnings(dns: readonly string[], pool: Pool): string[] {
  const router = formatIpv4(pool.network + 1);
  return dns.includes(router)
    ? [`dns ${router} is the router's own tunnel address: names resolve only if a resolver on the router listens on ${router} (unbound with "interface: ${router}" and "access-control: ${pool.cidr} allow")`]
    : [];
}

/** RFC 5321 §4.1.2 atext: what a Dot-string local part may hold besides dots. */
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]$/;

/**
 * Email addresses: a plain RFC 5321 Mailbox, `Dot-string "@" Domain`, and nothing else: no
 * display name, comment, quoted local part or address literal, ASCII only. Such an address is
 * passed through unchanged to SMTP, so what macvpn prints is exactly the RCPT TO the server gets.
 * Limits from RFC 5321 §4.5.3.1: local part 64 octets, domain 253 (a DNS name), label 63.
 */
/** A plain address every check below accepts (dot-atoms, labels of letters, digits and inner "-"). */
const PLAIN_EMAIL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:(?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)+(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

export function checkEmail(value: string): string | undefined {
  // The common case at one regex test (macvpn.yaml may list thousands of addresses); whatever it
  // accepts, emailProblem accepts too (test/site/email-fast-path.test.ts).
  if (value.length <= 254 && PLAIN_EMAIL.test(value)) {
    const at = value.lastIndexOf('@');
    const tld = value.slice(value.lastIndexOf('.') + 1);
    if (at <= 64 && value.length - at - 1 <= 253 && !/^\d+$/.test(tld)) return undefined;
  }
  return emailProblem(value);
}

/** What is wrong with an address, or undefined: each rule in turn, for the error line. */
export function emailProblem(value: string): string | undefined {
  const shown = JSON.stringify(value);
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return `${shown} is not an email address like alice@example.com`;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.includes('@')) return `${shown} has more than one "@" (one plain address only, no quotes)`;
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

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
/** Bidirectional marks, embeddings, overrides and isolates (Unicode UAX #9; CVE-2021-42574). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Free text shown to users (profiles, the install dialog, mail, server file headers): one line,
 * no C0/C1 control characters, no bidirectional controls (they make the name look like another),
 * and no MDM variable syntax — Intune expands `{{token}}` and Jamf `$NAME` in uploaded profiles,
 * and the README promises that macvpn puts none in.
 */
export function checkLabel(value: string): string | undefined {
  if (value.trim().length === 0) return 'is empty';
  if (value.length > 200) return `is ${value.length} characters long (at most 200)`;
  const control = CONTROL.exec(value)?.[0];
  if (control !== undefined) return `contains a control character (${codePoint(control)})`;
  const bidi = BIDI.exec(value)?.[0];
  if (bidi !== undefined) return `contains a bidirectional-text control (${codePoint(bidi)}), which can make it display as different text`;
  if (/\{\{|\}\}/.test(value)) return 'contains "{{" or "}}", which MDMs such as Intune expand as a {{variable}}';
  const dollar = /\$[A-Za-z_{]/.exec(value)?.[0];
  if (dollar !== undefined) return `contains ${JSON.stringify(dollar)}, which MDMs such as Jamf expand as a $VARIABLE`;
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
