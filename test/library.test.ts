/** The library entry (src/index.ts): the core without the CLI. */
import { describe, expect, it } from 'vitest';
import * as macvpn from '../src/index.js';
import { fixtureSite } from './helpers/site-fixture.js';
import { loadFixtureSigner, NOW, pki, SIGNING_TIME } from './signing/pki.js';

describe('library', () => {
  it('plans a server tree and signs a profile from plain data', () => {
    const site = fixtureSite();
    expect(macvpn.planServer(site).map((f) => f.path)).toContain('etc/ipsec.conf');
    const der = macvpn.profileBytes(site, site.users[0]!, { includePassword: false, scope: 'System', signer: loadFixtureSigner('rsa'), signingTime: SIGNING_TIME });
    const report = macvpn.verifyProfileSignature(der, { now: NOW, roots: [pki('root.pem')] });
    expect(report.problems).toEqual([]);
    expect(report.trust).toBe('verified');
    expect(macvpn.NEWEST_OPENBSD).toBe('7.9');
  });
});
