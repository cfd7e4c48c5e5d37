/**
 * SMTP settings from a URL (smtp:// with STARTTLS, smtps:// with TLS from the start) and one-line
 * error texts that never carry the credentials. Pure.
 *
 * smtp:// requires STARTTLS unless the host is loopback (a local relay); `?tls=require` forces it
 * there too, `?tls=none` allows cleartext anywhere (trusted networks only, never the default).
 */
import { parseIpv4 } from '../site/ipv4.js';

/** The `tls` query parameter of an smtp:// URL; `auto` when absent. */
export type TlsMode = 'auto' | 'require' | 'none';

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (smtps://, port 465 by default). */
  secure: boolean;
  /** From `?tls=`: `auto` requires STARTTLS except on loopback (see needsTls). */
  tls: TlsMode;
  auth?: { user: string; pass: string };
  /** `smtp://host:port`, without credentials: the only form ever shown. */
  display: string;
}

export interface SmtpCredentials {
  user?: string;
  pass?: string;
}

/** Parses the URL; credentials in it win over `env` (MACVPN_SMTP_USER / MACVPN_SMTP_PASS). */
export function parseSmtpUrl(text: string, env: SmtpCredentials): SmtpSettings | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL like smtp://mail.example.com:587 or smtps://mail.example.com';
  }
  const secure = url.protocol === 'smtps:';
  if (!secure && url.protocol !== 'smtp:') return `uses ${JSON.stringify(url.protocol.replace(/:$/, ''))}; use smtp:// (STARTTLS) or smtps:// (TLS)`;
  if (!url.hostname) return 'has no host name';
  const tls = url.searchParams.get('tls') ?? 'auto';
  if (tls !== 'auto' && tls !== 'require' && tls !== 'none') return 'has a ?tls= other than "require" or "none"';
  if (secure && tls === 'none') return 'asks for smtps:// (TLS) and ?tls=none at once; use smtp://…?tls=none for cleartext';
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let user = env.user;
  let pass = env.pass;
  try {
    if (url.username) user = decodeURIComponent(url.username);
    if (url.password) pass = decodeURIComponent(url.password);
  } catch {
    return 'has a badly %-encoded user name or password';
  }
  if ((user === undefined) !== (pass === undefined) || user === '') {
    return 'has a user name without a password, or a password without a user name';
  }
  const display = `${secure ? 'smtps' : 'smtp'}://${url.hostname}:${port}`;
  return { host, port, secure, tls, ...(user !== undefined && pass !== undefined && { auth: { user, pass } }), display };
}

/** 127.0.0.0/8, ::1 or localhost: where a local relay without TLS is common. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost' || h === '::1') return true;
  return parseIpv4(h) !== undefined && h.startsWith('127.');
}

/** Whether an smtp:// connection must upgrade with STARTTLS before the login and the message (nodemailer requireTLS). */
export function needsTls(s: Pick<SmtpSettings, 'host' | 'secure' | 'tls'>): boolean {
  if (s.secure) return false; // TLS from the first byte already
  if (s.tls === 'auto') return !isLoopback(s.host);
  return s.tls === 'require';
}

/** The parts of a nodemailer error we read. */
export interface SmtpErrorLike {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
  command?: string;
}

/** The server answered STARTTLS with an error (nodemailer with requireTLS sends it even when not offered). */
function refusedStartTls(err: SmtpErrorLike): boolean {
  return err.code === 'ETLS' && err.command === 'STARTTLS' && err.responseCode !== undefined;
}

/** Removes every occurrence of each secret (and its %-encoded form) from `text`. */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join('***');
  }
  return out;
}

/** One line for a failed connection, login or send; credentials scrubbed from server text. */
export function describeSmtpError(err: SmtpErrorLike, smtp: SmtpSettings): string {
  const secrets = [smtp.auth?.user, smtp.auth?.pass];
  const server = (err.response ?? err.message ?? '').split('\n')[0]!.trim();
  const detail = scrub(server, secrets);
  if (refusedStartTls(err)) {
    return `the SMTP server ${smtp.display} does not offer STARTTLS: refusing to send the shared secret and login in cleartext`;
  }
  // A refused certificate arrives as a socket error; say what it is.
  if (err.code === 'ESOCKET' && /certificate|self[- ]signed|SSL|TLS/i.test(detail)) {
    return `TLS with the SMTP server ${smtp.display} failed (${detail}): the server's certificate is not trusted`;
  }
  switch (err.code) {
    case 'EAUTH':
      return `the SMTP server ${smtp.display} refused the login${detail ? ` (${detail})` : ''}`;
    case 'ENOAUTH':
      return `the SMTP server ${smtp.display} needs a login: put user:password in the URL or set MACVPN_SMTP_USER and MACVPN_SMTP_PASS`;
    case 'EENVELOPE':
      return `the SMTP server ${smtp.display} refused the message${detail ? `: ${detail}` : ''}`;
    case 'ETLS':
      return `TLS with the SMTP server ${smtp.display} failed${detail ? ` (${detail})` : ''}`;
    case 'ECONNECTION':
    case 'ETIMEDOUT':
    case 'ESOCKET':
    case 'EDNS':
    case 'ECONNREFUSED':
      return `cannot reach the SMTP server ${smtp.display}${detail ? ` (${detail})` : ''}`;
    default:
      return `sending through ${smtp.display} failed${detail ? `: ${detail}` : ''}`;
  }
}

/** Errors of the connection or login rather than of one message: with nothing sent yet, they end the run. */
export function isSessionError(err: SmtpErrorLike): boolean {
  return ['EAUTH', 'ENOAUTH', 'ETLS', 'ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'EPROTOCOL', 'EPROXY'].includes(err.code ?? '');
}

/** What to try next after describeSmtpError's line. */
export function smtpErrorHints(err: SmtpErrorLike, smtp: SmtpSettings): string[] {
  if (refusedStartTls(err)) {
    return ['use smtps:// or a server that offers STARTTLS; only on a trusted network, add ?tls=none to the URL to send in cleartext'];
  }
  if (describeSmtpError(err, smtp).startsWith('TLS')) {
    return ['if the server uses a private CA, trust it for this run: NODE_EXTRA_CA_CERTS=/path/to/ca.pem macvpn mail …'];
  }
  return [];
}
