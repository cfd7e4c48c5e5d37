import { describe, expect, it } from 'vitest';
import { describeSmtpError, parseSmtpUrl, scrub, type SmtpSettings } from '../../src/delivery/smtp.js';
import { mailContent, PROFILE_CONTENT_TYPE } from '../../src/delivery/mail-message.js';
import { fixtureSite } from '../helpers/site-fixture.js';

describe('parseSmtpUrl', () => {
  it.each([
    ['smtp://mail.example.com', { host: 'mail.example.com', port: 587, secure: false, display: 'smtp://mail.example.com:587' }],
    ['smtps://mail.example.com', { host: 'mail.example.com', port: 465, secure: true, display: 'smtps://mail.example.com:465' }],
    ['smtp://127.0.0.1:2525', { host: '127.0.0.1', port: 2525, secure: false, display: 'smtp://127.0.0.1:2525' }],
    ['smtp://[::1]:25', { host: '::1', port: 25, secure: false, display: 'smtp://[::1]:25' }],
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
  ])('%s is refused without echoing it', (url, msg) => {
    const r = parseSmtpUrl(url, {});
    expect(r).toEqual(expect.stringContaining(msg));
  });
});

describe('SMTP errors never carry credentials', () => {
  const smtp: SmtpSettings = { host: 'h', port: 25, secure: false, auth: { user: 'login-name', pass: 'pa ss/word' }, display: 'smtp://h:25' };
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
    expect(text).not.toContain(site.secrets.psk);
    expect(text).not.toContain(site.secrets.passwords.get('alice')!);
    expect(mailContent(site, alice, profile, { includePassword: true }).text).toContain('also contains your VPN password');
  });
});

describe('certificate errors', () => {
  it('a refused certificate is named as such', () => {
    const smtp: SmtpSettings = { host: 'h', port: 25, secure: false, display: 'smtp://h:25' };
    expect(describeSmtpError({ code: 'ESOCKET', message: 'self-signed certificate' }, smtp)).toBe(
      "TLS with the SMTP server smtp://h:25 failed (self-signed certificate): the server's certificate is not trusted",
    );
  });
});
