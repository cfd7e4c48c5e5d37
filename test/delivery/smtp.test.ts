import { describe, expect, it } from 'vitest';
import { describeSmtpError, isLoopback, needsTls, parseSmtpUrl, scrub, smtpErrorHints, type SmtpSettings } from '../../src/delivery/smtp.js';
import { mailContent, PROFILE_CONTENT_TYPE } from '../../src/delivery/mail-message.js';
import { fixtureSite } from '../helpers/site-fixture.js';

describe('parseSmtpUrl', () => {
  it.each([
    ['smtp://mail.example.com', { host: 'mail.example.com', port: 587, secure: false, tls: 'auto', display: 'smtp://mail.example.com:587' }],
    ['smtps://mail.example.com', { host: 'mail.example.com', port: 465, secure: true, tls: 'auto', display: 'smtps://mail.example.com:465' }],
    ['smtp://127.0.0.1:2525', { host: '127.0.0.1', port: 2525, secure: false, tls: 'auto', display: 'smtp://127.0.0.1:2525' }],
    ['smtp://[::1]:25', { host: '::1', port: 25, secure: false, tls: 'auto', display: 'smtp://[::1]:25' }],
  ])('%s', (url, want) => expect(parseSmtpUrl(url, {})).toEqual(want));

  it('credentials from the URL (decoded) win over the environment, and never reach display', () => {
    const s = parseSmtpUrl('smtp://me%40x.org:p%2Fw%3A@mail.example.com', { user: 'env', pass: 'envpw' }) as SmtpSettings;
    expect(s.auth).toEqual({ user: 'me@x.org', pass: 'p/w:' });
    expect(s.display).toBe('smtp://mail.example.com:587');
    expect((parseSmtpUrl('smtp://mail.example.com', { user: 'env', pass: 'envpw' }) as SmtpSettings).auth).toEqual({ user: 'env', pass: 'envpw' });
  });

  it.each([
    ['mail.example.com', 'is not a URL'],
    ['http://mail.example.com', 'uses "http"'],
    ['smtp://user@mail.example.com', 'a user name without a password'],
    ['smtp://u:pw@mail.example.com?tls=off', 'a ?tls= other than "require" or "none"'],
    ['smtps://u:pw@mail.example.com?tls=none', 'smtps:// (TLS) and ?tls=none'],
  ])('%s is refused without echoing it', (url, msg) => {
    const r = parseSmtpUrl(url, {});
    expect(r).toEqual(expect.stringContaining(msg));
    expect(r).not.toContain('pw');
  });
});

describe('STARTTLS required except on loopback', () => {
  it.each([
    ['127.0.0.1', true], ['127.5.6.7', true], ['::1', true], ['localhost', true], ['LOCALHOST', true],
    ['128.0.0.1', false], ['10.0.0.1', false], ['::2', false], ['mail.example.com', false], ['localhost.example.com', false], ['127.mail.example.com', false],
  ])('isLoopback(%s) = %s', (host, want) => expect(isLoopback(host)).toBe(want));

  it.each([
    ['smtp://mail.example.com', true],
    ['smtp://user:pw@10.1.2.3:25', true],
    ['smtp://127.0.0.1:25', false],
    ['smtp://localhost', false],
    ['smtp://[::1]:25', false],
    ['smtp://127.0.0.1:25?tls=require', true],
    ['smtp://localhost?tls=require', true],
    ['smtp://mail.example.com?tls=none', false],
    ['smtp://mail.example.com?tls=require', true],
    ['smtps://mail.example.com', false], // TLS from the first byte: nothing to upgrade
  ])('%s needs STARTTLS: %s', (url, want) => expect(needsTls(parseSmtpUrl(url, {}) as SmtpSettings)).toBe(want));
});

describe('SMTP errors never carry credentials', () => {
  const smtp: SmtpSettings = { host: 'h', port: 25, secure: false, tls: 'auto', auth: { user: 'login-name', pass: 'pa ss/word' }, display: 'smtp://h:25' };
  it('scrubs plain and %-encoded forms', () => {
    expect(scrub('x login-name y pa%20ss%2Fword z pa ss/word', ['login-name', 'pa ss/word'])).toBe('x *** y *** z ***');
  });
  it.each([
    [{ code: 'EAUTH', response: '535 5.7.8 login-name: bad password pa ss/word' }, 'the SMTP server smtp://h:25 refused the login (535 5.7.8 ***: bad password ***)'],
    [{ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:25' }, 'cannot reach the SMTP server smtp://h:25 (connect ECONNREFUSED 127.0.0.1:25)'],
    [{ code: 'ETIMEDOUT', message: 'Greeting never received' }, 'cannot reach the SMTP server smtp://h:25 (Greeting never received)'],
    [{ code: 'EENVELOPE', response: '550 no such user' }, 'the SMTP server smtp://h:25 refused the message: 550 no such user'],
    [{ code: 'ENOAUTH' }, 'the SMTP server smtp://h:25 needs a login: put user:password in the URL or set MACVPN_SMTP_USER and MACVPN_SMTP_PASS'],
  ])('%o', (err, want) => expect(describeSmtpError(err, smtp)).toBe(want));

  it('a refused STARTTLS is one line about cleartext, with a hint, and no credentials', () => {
    const err = { code: 'ETLS', command: 'STARTTLS', responseCode: 502, response: '502 5.5.1 login-name: not implemented' };
    const why = describeSmtpError(err, smtp);
    expect(why).toBe('the SMTP server smtp://h:25 does not offer STARTTLS: refusing to send the shared secret and login in cleartext');
    expect(smtpErrorHints(err, smtp)).toEqual([expect.stringMatching(/smtps:\/\/.*STARTTLS.*\?tls=none/)]);
    expect(why + smtpErrorHints(err, smtp).join('')).not.toMatch(/login-name|pa ss/);
    // A failed handshake after STARTTLS was accepted is a TLS error, not a refusal.
    expect(describeSmtpError({ code: 'ETLS', command: 'STARTTLS', message: 'Error initiating TLS - bad record' }, smtp)).toMatch(/^TLS with the SMTP server/);
  });
});

describe('mail content', () => {
  const site = fixtureSite();
  const alice = site.users[0]!;
  const profile = Uint8Array.of(0x30, 0x80, 0, 1);
  it('one attachment NAME.mobileconfig of the aspen type, bytes untouched', () => {
    const c = mailContent(site, alice, profile, { includePassword: false });
    expect(c.attachments).toEqual([{ filename: 'alice.mobileconfig', contentType: PROFILE_CONTENT_TYPE, content: profile }]);
    expect(PROFILE_CONTENT_TYPE).toBe('application/x-apple-aspen-config');
    expect(c.subject).toBe('Example Corp VPN: your VPN profile (alice)');
  });
  it('body: install steps for macOS 13-14 and 15+, password note, do-not-forward', () => {
    const { text } = mailContent(site, alice, profile, { includePassword: false });
    expect(text).toContain('double-click alice.mobileconfig');
    expect(text).toContain('macOS 15 Sequoia and later: General > Device Management.');
    expect(text).toContain('macOS 13 Ventura and 14 Sonoma: Privacy & Security > Profiles.');
    expect(text).toContain('Your VPN password is not in this profile');
    expect(text).toContain("The profile contains the VPN's shared secret. Do not forward");
    expect(text).not.toContain((site.secrets.vpn as { psk: string }).psk);
    expect(text).not.toContain(site.secrets.passwords.get('alice')!);
    expect(mailContent(site, alice, profile, { includePassword: true }).text).toContain('also contains your VPN password');
  });
});

describe('certificate errors', () => {
  it('a refused certificate is named as such', () => {
    const smtp: SmtpSettings = { host: 'h', port: 25, secure: false, tls: 'auto', display: 'smtp://h:25' };
    expect(describeSmtpError({ code: 'ESOCKET', message: 'self-signed certificate' }, smtp)).toBe(
      "TLS with the SMTP server smtp://h:25 failed (self-signed certificate): the server's certificate is not trusted",
    );
  });
});
