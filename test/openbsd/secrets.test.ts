/** The server files carry exactly the site's secrets (issue 4 "Done when"). */
import { describe, expect, it } from 'vitest';
import { planServer } from '../../src/plan/plan-server.js';
import { fixtureSite, FIXTURE_PASSWORDS, FIXTURE_PSK } from './fixture.js';
import { lookupUser } from './getcap.js';

describe('secrets in the server tree', () => {
  const files = new Map(planServer(fixtureSite()).map((f) => [f.path, f]));
  const text = (p: string) => files.get(p)!.contents as string;

  it('puts the site PSK in ipsec.conf, quoted, once', () => {
    const psks = [...text('etc/ipsec.conf').matchAll(/psk "([^"]*)"/g)].map((m) => m[1]);
    expect(psks).toEqual([FIXTURE_PSK]);
  });

  it("puts each user's password in npppd-users", () => {
    for (const [name, pw] of FIXTURE_PASSWORDS) expect(lookupUser(text('etc/npppd/npppd-users'), name)?.password).toBe(pw);
  });

  it('marks exactly the secret-bearing files and keeps them 0600', () => {
    const secret = [...files.values()].filter((f) => f.secret).map((f) => [f.path, f.mode]);
    expect(secret).toEqual([['etc/ipsec.conf', 0o600], ['etc/npppd/npppd-users', 0o600]]);
  });

  it('keeps secrets out of every other file', () => {
    for (const f of files.values()) {
      if (f.secret) continue;
      expect(f.contents as string).not.toContain(FIXTURE_PSK);
      for (const pw of FIXTURE_PASSWORDS.values()) expect(f.contents as string).not.toContain(pw);
    }
  });

  it('refuses a PSK the ipsec.conf lexer or isakmpd would mangle', () => {
    for (const psk of ['has space-0123456789', 'quote"0123456789abc', 'back\\slash0123456789']) {
      const site = fixtureSite();
      expect(() => planServer({ ...site, secrets: { ...site.secrets, vpn: { psk } } })).toThrow(/cannot quote/);
    }
  });
});
