/** Issue 8: check warns 30 days before a certificate or the CRL ends, and fails once it has. */
import { describe, expect, it } from 'vitest';
import { ikev2Findings } from '../../../src/vpn/ikev2/findings.js';
import { ikev2StateFiles, LEAF_DAYS } from '../../../src/vpn/ikev2/issue.js';
import { FIXTURE_NOW, fixtureTools, ikev2Site } from './fixture.js';
import { permittedDnsOf } from '../../../src/vpn/ikev2/pki/index.js';
import { pemDer } from '../../../src/vpn/ikev2/state.js';

const DAY = 86_400_000;
const site = ikev2Site();

describe('ikev2Findings', () => {
  it('is quiet while everything is valid for more than 30 days', () => {
    const f = ikev2Findings(site, new Date(FIXTURE_NOW.getTime() + 10 * DAY));
    expect(f.warnings).toEqual([]);
    expect(f.problems).toEqual([]);
    expect(f.lines.join('\n')).toMatch(/VPN CA valid until 2036-/);
  });
  it('warns 30 days ahead, naming each file', () => {
    const f = ikev2Findings(site, new Date(FIXTURE_NOW.getTime() + (LEAF_DAYS - 20) * DAY));
    expect(f.problems).toEqual([]);
    expect(f.warnings.some((w) => w.startsWith("pki/server.pem: the server's certificate ends in 20 days"))).toBe(true);
    expect(f.warnings.some((w) => w.startsWith('pki/users/alice.pem: the certificate of alice ends in'))).toBe(true);
    expect(f.warnings.some((w) => w.startsWith('pki/crl.pem: the CRL ends in'))).toBe(true);
  });
  it('fails once they have ended', () => {
    const f = ikev2Findings(site, new Date(FIXTURE_NOW.getTime() + (LEAF_DAYS + 2) * DAY));
    expect(f.problems.some((p) => p.startsWith('pki/crl.pem: the CRL ended on') && p.includes('iked refuses every certificate'))).toBe(true);
  });
  it('a build within 30 days renews the server certificate, the users\' certificates and the CRL', () => {
    const soon = new Date(FIXTURE_NOW.getTime() + (LEAF_DAYS - 10) * DAY);
    const r = ikev2StateFiles({ before: site, after: site, passwords: site.secrets.passwords, rotated: [] }, fixtureTools(soon));
    const paths = r.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['pki/server.pem', 'pki/users/alice.pem', 'secrets/users/alice.p12', 'pki/crl.pem', 'pki/revoked.json']));
    expect(paths).not.toContain('pki/vpn-ca.pem');
    // The replaced user certificates are revoked as superseded.
    expect(r.notes.filter((n) => n.startsWith('revoked the certificate of'))).toHaveLength(2);
  });
  it('a build well before that changes nothing', () => {
    const r = ikev2StateFiles({ before: site, after: site, passwords: site.secrets.passwords, rotated: [] }, fixtureTools(new Date(FIXTURE_NOW.getTime() + DAY)));
    expect(r.files).toEqual([]);
    expect(r.remove).toEqual([]);
  });
});

describe('a new server name', () => {
  it('makes a new VPN CA (the old one\'s name constraints name the old server) and re-issues every certificate', () => {
    const renamed = { ...site, server: 'vpn2.example.org' };
    const r = ikev2StateFiles({ before: site, after: renamed, passwords: site.secrets.passwords, rotated: [] }, fixtureTools(new Date(FIXTURE_NOW.getTime() + DAY)));
    const paths = r.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['secrets/vpn-ca-key.pem', 'pki/vpn-ca.pem', 'pki/server.pem', 'pki/users/alice.pem', 'pki/users/bob.pem', 'pki/crl.pem']));
    expect(r.notes[0]).toContain('making a new VPN CA');
    const ca = r.files.find((f) => f.path === 'pki/vpn-ca.pem')!.contents as string;
    expect(permittedDnsOf(pemDer(ca))).toEqual(['vpn2.example.org']);
  });
});
