/**
 * Property tests: whatever the server renderers write, import reads back to the same secrets
 * (so `macvpn import` of a macvpn-built router, and the server files of an imported site, agree).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { choosePsk, parseIpsecConf } from '../../src/vpn/l2tp/import/ipsec-conf.js';
import { parseNpppdUsers } from '../../src/vpn/l2tp/import/npppd-users.js';
import { readRouterFiles } from '../../src/vpn/l2tp/import/read-router.js';
import { escapeGetcapValue, quoteConfString } from '../../src/openbsd/quote.js';
import { renderIpsecConf } from '../../src/vpn/l2tp/render-ipsec-conf.js';
import { renderNpppdConf } from '../../src/vpn/l2tp/render-npppd-conf.js';
import { renderNpppdUsers } from '../../src/vpn/l2tp/render-npppd-users.js';
import { openbsdRelease } from '../../src/openbsd/versions.js';
import { checkPassword, checkPsk } from '../../src/site/rules.js';
import { ROOT } from '../helpers/cli.js';
import { fixtureSite } from '../helpers/site-fixture.js';

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
function randomText(alphabet: string, min: number, max: number): string {
  const b = randomBytes(max + 1);
  const len = min + (b[0]! % (max - min + 1));
  return Array.from(b.subarray(1, len + 1), (x) => alphabet[x % alphabet.length]).join('');
}

describe('round trips', () => {
  it('every valid password escaped by the npppd-users writer decodes back (500 random)', () => {
    for (let i = 0; i < 500; i++) {
      const pw = randomText(PRINTABLE, 1, 80);
      if (checkPassword(pw)) continue;
      const r = parseNpppdUsers(`u${i}:\\\n\t:password=${escapeGetcapValue(pw)}:\n`);
      expect(r.problems).toEqual([]);
      expect(r.users[0]!.password).toBe(pw);
    }
  });

  it('every valid psk quoted by the ipsec.conf writer reads back (500 random)', () => {
    for (let i = 0; i < 500; i++) {
      const psk = randomText(PRINTABLE, 16, 64);
      if (checkPsk(psk)) continue;
      const r = choosePsk(parseIpsecConf(`ike passive esp transport proto udp from egress to any port l2tp \\\n\tpsk ${quoteConfString(psk, 'psk')}\n`));
      expect(r.problems).toEqual([]);
      expect(r.psk).toBe(psk);
    }
  });

  it.each(['5.6', '6.6', '7.9'])('server files rendered for OpenBSD %s import back to the same site secrets', (version) => {
    const hostile = { alice: 'p@ss:w0rd\\^#|x', bob: '@lead^caret: end' };
    const base = fixtureSite({}, hostile);
    const site = { ...base, secrets: { ...base.secrets, vpn: { psk: 'Sh4red#Secret$with=/!,{}(x)' } } };
    const release = openbsdRelease(version)!;
    const r = readRouterFiles({
      ipsecConf: { name: 'ipsec.conf', text: renderIpsecConf(site, release) },
      npppdUsers: { name: 'npppd-users', text: renderNpppdUsers(site, release) },
      npppdConf: { name: 'npppd.conf', text: renderNpppdConf(site, release) },
    });
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(r.site.psk).toBe((site.secrets.vpn as { psk: string }).psk);
    expect(Object.fromEntries(r.site.passwords)).toEqual(hostile);
    expect(r.site.users).toEqual([{ name: 'alice' }, { name: 'bob', ip: '10.0.0.50' }]);
    expect([r.site.pool?.cidr, r.site.dns]).toEqual([site.pool.cidr, site.dns]);
  });

  it('the fixtures stay in the repository as test-only data', () => {
    expect(fs.readFileSync(path.join(ROOT, 'test/fixtures/import/seed/expected.json'), 'utf8')).toContain('TEST ONLY');
  });
});

