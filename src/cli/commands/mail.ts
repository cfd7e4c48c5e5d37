/**
 * macvpn mail [NAME..|--all] [--to ADDR] [--smtp URL] [--from ADDR] [--eml FILE] [--include-password]:
 * mails each user their signed profile through SMTP (nodemailer, loaded only here), or writes the
 * message to an .eml file. Every recipient is checked before anything is sent; with several users
 * one failure does not stop the rest, and the exit code is 1 if any failed.
 */
import path from 'node:path';
import type { Ctx } from '../context.js';
import { MacvpnError, UsageError } from '../../errors.js';
import { loadSite } from '../../io/read-site.js';
import { loadSigner } from '../../io/read-signer.js';
import { writeFiles } from '../../io/write-files.js';
import { MODE_SECRET } from '../../plan/output-file.js';
import { profileBytes } from '../../plan/plan-profiles.js';
import { mailContent, type MailContent } from '../../delivery/mail-message.js';
import { describeSmtpError, isSessionError, needsTls, parseSmtpUrl, smtpErrorHints, type SmtpErrorLike, type SmtpSettings } from '../../delivery/smtp.js';
import { canonicalEmail, checkEmail, isHostname } from '../../site/rules.js';
import type { Site, User } from '../../site/types.js';
import { selectUsers } from './mdm-export.js';
import { vpnTypeOf } from '../../vpn/index.js';
import { withLock } from '../../io/lock.js';
import { deliveryFiles, deliveryStates } from '../../io/delivered.js';

/** Short waits: an unreachable server must fail in seconds, not minutes (nodemailer defaults to 2 min). */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

interface Job {
  user: User;
  to: string;
}

/** Who gets mail, every address checked before anything is sent. */
function plan(site: Site, names: string[], opts: Record<string, unknown>, stale: User[] | undefined): { jobs: Job[]; skipped: User[] } {
  const all = opts.all === true || stale !== undefined;
  const flag = stale !== undefined ? '--stale' : '--all';
  if (opts.all === true && stale !== undefined) throw new UsageError('--all and --stale cannot be used together');
  if (stale !== undefined && names.length > 0) throw new UsageError('give user names or --stale, not both');
  if (all && typeof opts.to === 'string') throw new UsageError(`--to cannot be used with ${flag} (each user gets mail at their own address)`);
  const users = stale ?? selectUsers(site, names, all);
  if (typeof opts.eml === 'string' && users.length > 1) throw new UsageError('--eml writes one message: name one user');
  const skipped = all ? users.filter((u) => u.email === undefined) : [];
  const errors: string[] = [];
  const jobs: Job[] = [];
  for (const user of users.filter((u) => !skipped.includes(u))) {
    const to = typeof opts.to === 'string' ? opts.to : user.email;
    if (to === undefined) {
      errors.push(`user "${user.name}" has no email in macvpn.yaml; pass --to ADDR`);
      continue;
    }
    const msg = checkEmail(to);
    if (msg) errors.push(`${typeof opts.to === 'string' ? '--to' : `the email of "${user.name}"`} ${msg}`);
    else jobs.push({ user, to: canonicalEmail(to) });
  }
  if (errors.length > 0) throw new MacvpnError(errors);
  if (jobs.length === 0) throw new MacvpnError('no user has an email address in macvpn.yaml', ['set one with "macvpn user add NAME --email ADDR", or mail one user with --to']);
  return { jobs, skipped };
}

function sender(site: Site, opts: Record<string, unknown>, env: NodeJS.ProcessEnv): string {
  const from = typeof opts.from === 'string' ? opts.from : env.MACVPN_MAIL_FROM;
  const source = typeof opts.from === 'string' ? '--from' : 'MACVPN_MAIL_FROM';
  if (from === undefined) {
    if (isHostname(site.server) && site.server.includes('.')) return `macvpn@${site.server.replace(/\.$/, '')}`;
    throw new MacvpnError('no sender address: the server is not a DNS name', ['pass --from ADDR or set MACVPN_MAIL_FROM']);
  }
  const msg = checkEmail(from);
  if (msg) throw new MacvpnError(`${source} ${msg}`);
  return canonicalEmail(from);
}

function smtpSettings(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): SmtpSettings {
  const url = typeof opts.smtp === 'string' ? opts.smtp : env.MACVPN_SMTP_URL;
  if (url === undefined) {
    throw new MacvpnError('no SMTP server', ['pass --smtp smtp://mail.example.com:587 (or set MACVPN_SMTP_URL), or write the message with --eml FILE']);
  }
  const parsed = parseSmtpUrl(url, { user: env.MACVPN_SMTP_USER, pass: env.MACVPN_SMTP_PASS });
  // The URL may hold a password: name where it came from, never echo it.
  if (typeof parsed === 'string') throw new MacvpnError(`${typeof opts.smtp === 'string' ? '--smtp' : 'MACVPN_SMTP_URL'} ${parsed}`);
  return parsed;
}

function message(from: string, to: string, c: MailContent) {
  return {
    from,
    to,
    subject: c.subject,
    text: c.text,
    attachments: c.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content) })),
  };
}

export async function run(ctx: Ctx, names: string[], opts: Record<string, unknown>): Promise<void> {
  const env = ctx.io.env;
  const site = loadSite(ctx.siteDir);
  const now = new Date();
  const signer = loadSigner(ctx.siteDir, now);
  if (!signer) throw new MacvpnError('this site has no signing certificate', ['import one with "macvpn signer import"']);
  // --stale: exactly the users whose delivered profile is out of date (delivered.json).
  const stale = opts.stale === true ? site.users.filter((u) => deliveryStates(ctx.siteDir, site, signer).get(u.name)?.state === 'stale') : undefined;
  if (stale !== undefined && stale.length === 0) {
    ctx.out('no delivered profile is out of date: nothing to send');
    return;
  }
  const { jobs, skipped } = plan(site, names, opts, stale);
  const from = sender(site, opts, env);
  const eml = typeof opts.eml === 'string' ? path.resolve(ctx.io.cwd, opts.eml) : undefined;
  const smtp = eml === undefined ? smtpSettings(opts, env) : undefined;
  const includePassword = opts.includePassword === true;
  const contents = jobs.map((j) =>
    mailContent(site, j.user, profileBytes(site, j.user, { includePassword, scope: 'System', signer, signingTime: now }), { includePassword }),
  );

  const { default: nodemailer } = await import('nodemailer');
  if (eml !== undefined) {
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    const info = await transport.sendMail(message(from, jobs[0]!.to, contents[0]!));
    // The message holds the shared secret (and maybe the password): 0600, atomic.
    await withLock(ctx.siteDir, () => {
      writeFiles(path.dirname(eml), [{ path: path.basename(eml), contents: info.message as Buffer, mode: MODE_SECRET }]);
      writeFiles(ctx.siteDir, deliveryFiles(ctx.siteDir, site, [jobs[0]!.user], signer, 'eml', now), { followBase: true });
    });
    ctx.out(`wrote ${eml} (0600: holds ${vpnTypeOf(site).profileHolds}${includePassword ? ' and the password' : ''}) for ${jobs[0]!.to}`);
    return;
  }

  const s = smtp!;
  // One pooled connection: one login for every message. requireTLS refuses to log in or send
  // over a server without STARTTLS (needsTls: not on loopback unless ?tls=require).
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    requireTLS: needsTls(s),
    ...(s.auth && { auth: s.auth }),
    pool: true,
    maxConnections: 1,
    maxMessages: Infinity,
    ...TIMEOUTS,
  });
  const failed: string[] = [];
  const sent: User[] = [];
  try {
    for (const [i, job] of jobs.entries()) {
      try {
        await transport.sendMail(message(from, job.to, contents[i]!));
        sent.push(job.user);
        ctx.out(`sent ${job.user.name}.mobileconfig to ${job.to}`);
      } catch (e) {
        const err = e as SmtpErrorLike;
        const why = describeSmtpError(err, s);
        // The first message opens the connection and logs in: a bad server, TLS or login is one error, nothing sent.
        if (jobs.length === 1 || (i === 0 && isSessionError(err))) throw new MacvpnError(why, smtpErrorHints(err, s));
        failed.push(job.user.name);
        ctx.io.stderr.write(`macvpn: error: ${job.user.name} (${job.to}): ${why}\n`);
      }
    }
  } finally {
    transport.close();
    // What went out is recorded, even when a later message failed.
    if (sent.length > 0) await withLock(ctx.siteDir, () => writeFiles(ctx.siteDir, deliveryFiles(ctx.siteDir, site, sent, signer, 'mail', now), { followBase: true }));
  }
  if (jobs.length > 1 || skipped.length > 0) {
    const skip = skipped.length > 0 ? `, skipped ${skipped.length} without an email (${skipped.map((u) => u.name).join(', ')})` : '';
    ctx.out(`sent ${jobs.length - failed.length} of ${jobs.length}${failed.length ? `, failed ${failed.length} (${failed.join(', ')})` : ''}${skip}`);
  }
  if (failed.length > 0) throw new MacvpnError(`${failed.length} of ${jobs.length} message${jobs.length === 1 ? '' : 's'} could not be sent`);
}
