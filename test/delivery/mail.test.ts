/**
 * `macvpn mail` against a real SMTP server on loopback (smtp-server, ephemeral port, STARTTLS off
 * unless a test turns it on; loopback needs no STARTTLS unless the URL says ?tls=require),
 * through the real binary (needs `npm run build` first). Received messages are parsed with
 * mailparser; the attachment must pass `openssl cms -verify` against the site CA.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { parse } from 'plist';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modeOf, runBin, tempDir } from '../helpers/cli.js';

interface Smtp {
  port: number;
  messages: Buffer[];
  envelopes: string[][];
  /** Whether each message arrived over TLS. */
  secured: boolean[];
  /** Connections opened, AUTH attempts (accepted or not) and MAIL FROM commands seen. */
  counts: { connections: number; logins: number; mailFrom: number };
  close(): Promise<void>;
}

interface SmtpOptions {
  login?: boolean;
  /** The one login the server accepts (otherwise every login is refused). */
  accept?: { user: string; pass: string };
  rejectRcpt?: string;
  /** Offer STARTTLS (or, with `secure`, TLS from the start) with this key and certificate. */
  tls?: { key: Buffer; cert: Buffer; secure?: boolean };
}

function startSmtp(opts: SmtpOptions = {}): Promise<Smtp> {
  const messages: Buffer[] = [];
  const envelopes: string[][] = [];
  const secured: boolean[] = [];
  const counts = { connections: 0, logins: 0, mailFrom: 0 };
  const server = new SMTPServer({
    disabledCommands: [...(opts.tls ? [] : ['STARTTLS']), ...(opts.login ? [] : ['AUTH'])],
    ...(opts.tls && { key: opts.tls.key, cert: opts.tls.cert, secure: opts.tls.secure ?? false }),
    authOptional: !opts.login,
    allowInsecureAuth: true,
    logger: false,
    onConnect(_session, cb) {
      counts.connections++;
      cb();
    },
    onAuth(auth, _session, cb) {
      counts.logins++;
      if (opts.accept && auth.username === opts.accept.user && auth.password === opts.accept.pass) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onMailFrom(_address, _session, cb) {
      counts.mailFrom++;
      cb();
    },
    onRcptTo(address, _session, cb) {
      if (opts.rejectRcpt && address.address === opts.rejectRcpt) cb(new Error('5.1.1 no such mailbox'));
      else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push(Buffer.concat(chunks));
        secured.push(session.secure);
        envelopes.push(session.envelope.rcptTo.map((r) => r.address));
        cb();
      });
    },
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.server.address() as net.AddressInfo).port;
      resolve({ port, messages, envelopes, secured, counts, close: () => new Promise<void>((r) => server.close(() => r())) });
    });
  });
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let cwd: string;
let site: string;
let passwords: Record<string, string>;
let smtp: Smtp;
const mac = (args: string[], env: Record<string, string> = {}) => runBin(['--site', site, ...args], { cwd, env });
const errors = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('macvpn: error'));

beforeAll(async () => {
  cwd = tempDir();
  site = path.join(cwd, 'site');
  for (const args of [
    ['init', '--server', 'vpn.example.com', '--org', 'Example Corp'],
    ['user', 'add', 'alice', '--email', 'alice@example.com'],
    ['user', 'add', 'bob', '--email', 'bob@example.com'],
    ['user', 'add', 'carol'],
  ]) {
    const r = await mac(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }
  const list = await mac(['user', 'list', '--json', '--show-secrets']);
  passwords = Object.fromEntries(JSON.parse(list.stdout).map((u: { name: string; password: string }) => [u.name, u.password]));
  smtp = await startSmtp();
});
afterAll(() => smtp?.close());

/** The one attachment of a message, checked, and its verified content as a plist object. */
function checkMessage(mail: ParsedMail, name: string) {
  expect(mail.attachments).toHaveLength(1);
  const a = mail.attachments[0]!;
  expect(a.contentType).toBe('application/x-apple-aspen-config');
  expect(a.filename).toBe(`${name}.mobileconfig`);
  const der = path.join(cwd, `${name}-${Date.now()}.mobileconfig`);
  fs.writeFileSync(der, a.content);
  // Throws (test fails) unless the signature and chain verify.
  const xml = execFileSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', der, '-CAfile', path.join(site, 'ca.pem')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const profile = parse(xml.toString('utf8')) as any;
  const vpn = profile.PayloadContent[0];
  expect(vpn.PPP.AuthName).toBe(name);
  expect(profile.PayloadScope).toBe('System');
  return { profile, vpn, text: mail.text ?? '' };
}

describe('macvpn mail through a real SMTP server', () => {
  it('sends alice one signed profile without her password, with install steps', async () => {
    const before = smtp.messages.length;
    const r = await mac(['mail', 'alice', '--smtp', `smtp://127.0.0.1:${smtp.port}`]);
    expect(errors(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('sent alice.mobileconfig to alice@example.com\n');
    expect(smtp.messages.length).toBe(before + 1);
    expect(smtp.envelopes.at(-1)).toEqual(['alice@example.com']);
    const mail = await simpleParser(smtp.messages.at(-1)!);
    expect(mail.from?.text).toBe('macvpn@vpn.example.com');
    const { vpn, text } = checkMessage(mail, 'alice');
    expect(vpn.PPP.AuthPassword).toBeUndefined();
    expect(smtp.messages.at(-1)!.toString('latin1')).not.toContain('AuthPassword');
    expect(text).toContain('General > Device Management');
    expect(text).toContain('Privacy & Security > Profiles');
    expect(text).toContain('administrator will give it to you');
    expect(text).toContain('Do not forward');
    expect(text).not.toContain(passwords.alice!);
  });

  it('--include-password puts the password in the profile', async () => {
    const r = await mac(['mail', 'alice', '--include-password'], { MACVPN_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
    expect(r.code).toBe(0);
    const { vpn, text } = checkMessage(await simpleParser(smtp.messages.at(-1)!), 'alice');
    expect(vpn.PPP.AuthPassword).toBe(passwords.alice);
    expect(text).toContain('also contains your VPN password');
  });

  it('--to overrides the address', async () => {
    const r = await mac(['mail', 'carol', '--to', 'carol@example.org', '--smtp', `smtp://127.0.0.1:${smtp.port}`]);
    expect(r.code).toBe(0);
    expect(smtp.envelopes.at(-1)).toEqual(['carol@example.org']);
  });

  // Issue 10, item 4: what macvpn prints is exactly the RCPT TO the server receives.
  it.each(["o'brien+vpn@example.com", 'a!#$%&*/=?^_`{|}~z@mail.example.org', 'Carol.Ops@Example.COM'])('--to %s arrives as printed', async (to) => {
    const r = await mac(['mail', 'carol', '--to', to, '--smtp', `smtp://127.0.0.1:${smtp.port}`]);
    expect(r.stderr).toBe('');
    // The domain goes out in lower case (nodemailer: url.domainToASCII); macvpn prints that form.
    const wire = to.replace(/@.*/, (d) => d.toLowerCase());
    expect(r.stdout).toBe(`sent carol.mobileconfig to ${wire}\n`);
    expect(smtp.envelopes.at(-1)).toEqual([wire]);
  });

  it.each(['a(b)@example.com', 'Carol <carol@example.com>', '"carol"@example.com', 'carol@example.com, eve@example.net', 'a@-example.com', '.a@example.com', 'a..b@example.com', 'a@example..com', `${'a'.repeat(65)}@example.com`])(
    '--to %s is refused before anything is sent',
    async (to) => {
      const before = smtp.counts.connections;
      const r = await mac(['mail', 'carol', '--to', to, '--smtp', `smtp://127.0.0.1:${smtp.port}`]);
      expect(r.code).toBe(1);
      expect(errors(r.stderr)).toHaveLength(1);
      expect(errors(r.stderr)[0]).toMatch(/^macvpn: error: --to "/);
      expect(smtp.counts.connections).toBe(before);
    },
  );

  it('--all mails everyone with an address; one refused recipient does not stop the rest', async () => {
    const picky = await startSmtp({ rejectRcpt: 'alice@example.com' });
    try {
      const r = await mac(['mail', '--all', '--smtp', `smtp://127.0.0.1:${picky.port}`]);
      expect(r.code).toBe(1);
      expect(picky.envelopes).toEqual([['bob@example.com']]);
      expect(errors(r.stderr)).toEqual([
        expect.stringMatching(/^macvpn: error: alice \(alice@example\.com\): the SMTP server smtp:\/\/127\.0\.0\.1:\d+ refused the message: .*no such mailbox/),
        'macvpn: error: 1 of 2 messages could not be sent',
      ]);
      expect(r.stdout).toContain('sent bob.mobileconfig to bob@example.com');
      expect(r.stdout).toContain('sent 1 of 2, failed 1 (alice), skipped 1 without an email (carol)');
      checkMessage(await simpleParser(picky.messages[0]!), 'bob');
    } finally {
      await picky.close();
    }
  });

  it('an unreachable server is one error, exit 1', async () => {
    const port = await closedPort();
    const r = await mac(['mail', 'alice', '--smtp', `smtp://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(errors(r.stderr)).toEqual([expect.stringMatching(new RegExp(`^macvpn: error: cannot reach the SMTP server smtp://127\\.0\\.0\\.1:${port}`))]);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('a refused login is one error that shows no credentials', async () => {
    const strict = await startSmtp({ login: true });
    try {
      const r = await mac(['mail', 'alice', '--smtp', `smtp://mailer-login:Sup3r%2Fsecret@127.0.0.1:${strict.port}`]);
      expect(r.code).toBe(1);
      expect(errors(r.stderr)).toEqual([expect.stringMatching(/^macvpn: error: the SMTP server smtp:\/\/127\.0\.0\.1:\d+ refused the login/)]);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      for (const secret of ['mailer-login', 'Sup3r', 'secret']) expect(r.stderr + r.stdout).not.toContain(secret);
      const env = await mac(['mail', 'alice', '--smtp', `smtp://127.0.0.1:${strict.port}`], { MACVPN_SMTP_USER: 'env-login', MACVPN_SMTP_PASS: 'env-pass-123' });
      expect(env.code).toBe(1);
      expect(env.stderr).toContain('refused the login');
      expect(env.stderr).not.toContain('env-login');
      expect(env.stderr).not.toContain('env-pass-123');
      expect(strict.messages).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('logs in once for several messages (one pooled connection)', async () => {
    const server = await startSmtp({ login: true, accept: { user: 'mailer', pass: 'pw-123' } });
    try {
      const r = await mac(['mail', '--all', '--smtp', `smtp://127.0.0.1:${server.port}`], { MACVPN_SMTP_USER: 'mailer', MACVPN_SMTP_PASS: 'pw-123' });
      expect(errors(r.stderr)).toEqual([]);
      expect(r.code).toBe(0);
      expect(server.envelopes).toEqual([['alice@example.com'], ['bob@example.com']]);
      expect(server.counts).toEqual({ connections: 1, logins: 1, mailFrom: 2 });
    } finally {
      await server.close();
    }
  });

  it('an invalid address is one error before anything is sent', async () => {
    const before = smtp.messages.length;
    const r = await mac(['mail', 'alice', '--to', 'alice at example', '--smtp', `smtp://127.0.0.1:${smtp.port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('macvpn: error: --to "alice at example" is not an email address like alice@example.com\n');
    expect(smtp.messages.length).toBe(before);
  });

  it('a user without an address and no --to is an error', async () => {
    const r = await mac(['mail', 'carol', '--smtp', `smtp://127.0.0.1:${smtp.port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('macvpn: error: user "carol" has no email in macvpn.yaml; pass --to ADDR\n');
  });

  it('no SMTP server configured is an error with a hint', async () => {
    const r = await mac(['mail', 'alice']);
    expect(r.code).toBe(1);
    expect(errors(r.stderr)).toEqual(['macvpn: error: no SMTP server']);
  });
});

describe('TLS: STARTTLS (required with ?tls=require), smtps://, and certificates checked', () => {
  let tls: { key: Buffer; cert: Buffer };
  let caFile: string;
  beforeAll(() => {
    // A throw-away certificate for 127.0.0.1, trusted by the child through NODE_EXTRA_CA_CERTS.
    const dir = tempDir();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    tls = { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
    caFile = path.join(dir, 'cert.pem');
  });

  it('smtp:// upgrades with STARTTLS when the server offers it', async () => {
    const server = await startSmtp({ tls });
    try {
      const r = await mac(['mail', 'alice', '--smtp', `smtp://127.0.0.1:${server.port}`], { NODE_EXTRA_CA_CERTS: caFile });
      expect(errors(r.stderr)).toEqual([]);
      expect(server.secured).toEqual([true]);
      checkMessage(await simpleParser(server.messages[0]!), 'alice');
    } finally {
      await server.close();
    }
  });

  it('smtps:// speaks TLS from the start', async () => {
    const server = await startSmtp({ tls: { ...tls, secure: true } });
    try {
      const r = await mac(['mail', 'alice', '--smtp', `smtps://127.0.0.1:${server.port}`], { NODE_EXTRA_CA_CERTS: caFile });
      expect(errors(r.stderr)).toEqual([]);
      expect(server.secured).toEqual([true]);
    } finally {
      await server.close();
    }
  });

  it('?tls=require: a server without STARTTLS gets no login and no message, one error, exit 1', async () => {
    const plain = await startSmtp({ login: true, accept: { user: 'mailer', pass: 'pw-123' } });
    try {
      const r = await mac(['mail', '--all', '--smtp', `smtp://mailer:pw-123@127.0.0.1:${plain.port}?tls=require`]);
      expect(r.code).toBe(1);
      expect(errors(r.stderr)).toEqual([
        `macvpn: error: the SMTP server smtp://127.0.0.1:${plain.port} does not offer STARTTLS: refusing to send the shared secret and login in cleartext`,
      ]);
      expect(r.stderr).toMatch(/smtps:\/\/.*\?tls=none/);
      expect(r.stdout).toBe('');
      for (const secret of ['mailer', 'pw-123']) expect(r.stderr).not.toContain(secret);
      expect(plain.counts).toMatchObject({ logins: 0, mailFrom: 0 });
      expect(plain.messages).toEqual([]);
    } finally {
      await plain.close();
    }
  });

  it('?tls=require on loopback upgrades with STARTTLS when offered', async () => {
    const server = await startSmtp({ tls });
    try {
      const r = await mac(['mail', 'alice', '--smtp', `smtp://127.0.0.1:${server.port}?tls=require`], { NODE_EXTRA_CA_CERTS: caFile });
      expect(errors(r.stderr)).toEqual([]);
      expect(r.code).toBe(0);
      expect(server.secured).toEqual([true]);
    } finally {
      await server.close();
    }
  });

  it('?tls=none sends over a server without STARTTLS', async () => {
    const r = await mac(['mail', 'alice', '--smtp', `smtp://127.0.0.1:${smtp.port}?tls=none`]);
    expect(errors(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    expect(smtp.secured.at(-1)).toBe(false);
  });

  it('an untrusted certificate is one error and nothing is sent', async () => {
    const server = await startSmtp({ tls });
    try {
      const r = await mac(['mail', 'alice', '--smtp', `smtp://127.0.0.1:${server.port}`]);
      expect(r.code).toBe(1);
      expect(errors(r.stderr)).toEqual([expect.stringMatching(/^macvpn: error: TLS with the SMTP server smtp:\/\/127\.0\.0\.1:\d+ failed \(.*certificate/)]);
      expect(server.messages).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('macvpn mail --eml', () => {
  it('writes the message, mode 0600, parsing the same way', async () => {
    const eml = path.join(cwd, 'out', 'alice.eml');
    fs.mkdirSync(path.dirname(eml), { recursive: true });
    const r = await mac(['mail', 'alice', '--eml', eml]);
    expect(errors(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    expect(modeOf(eml)).toBe('0600');
    const mail = await simpleParser(fs.readFileSync(eml));
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('alice@example.com');
    const { vpn } = checkMessage(mail, 'alice');
    expect(vpn.PPP.AuthPassword).toBeUndefined();
  });

  it('refuses several users', async () => {
    const r = await mac(['mail', 'alice', 'bob', '--eml', path.join(cwd, 'x.eml')]);
    expect(r.code).toBe(2);
    expect(fs.existsSync(path.join(cwd, 'x.eml'))).toBe(false);
  });
});
