/**
 * SMTP settings from a URL (smtp:// with STARTTLS when the server offers it, smtps:// with TLS
 * from the start) and one-line error texts that never carry the credentials. Pure.
 */

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (smtps://, port 465 by default). */
  secure: boolean;
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
  if (!secure && url.protocol !== 'smtp:') return `uses ${JSON.stringify(url.protocol.replace(/:$/, ''))}; use smtp:// (STARTTLS when offered) or smtps:// (TLS)`;
  if (!url.hostname) return 'has no host name';
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
  return { host, port, secure, ...(user !== undefined && pass !== undefined && { auth: { user, pass } }), display };
}

/** The parts of a nodemailer error we read. */
export interface SmtpErrorLike {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
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
