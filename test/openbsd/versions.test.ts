/**
 * Each difference between OpenBSD releases in the server tree, named with the fact behind it
 * (docs/openbsd.md). The golden files hold the full text; these tests say why it differs.
 */
import { describe, expect, it } from 'vitest';
import { planServer } from '../../src/plan/plan-server.js';
import { KNOWN_OPENBSD } from '../../src/openbsd/versions.js';
import { fixtureSite } from './fixture.js';

const tree = (v: string) => new Map(planServer(fixtureSite(), { openbsd: v }).map((f) => [f.path, f.contents as string]));
const all = KNOWN_OPENBSD.map((v) => [v, tree(v)] as const);
const before = (v: string, limit: string) => Number(v) < Number(limit);

describe('version differences', () => {
  it('pppac(4) first appeared in 6.7 (pppx.4 1.5): npppd uses pppac0 from 6.7, pppx0 before (§2)', () => {
    for (const [v, t] of all) {
      const iface = before(v, '6.7') ? 'pppx0' : 'pppac0';
      expect(t.get('etc/npppd/npppd.conf'), v).toContain(`interface ${iface} address 10.0.0.1 ipcp IPCP\nbind tunnel from L2TP authenticated by LOCAL to ${iface}\n`);
    }
  });

  it('pppx interfaces join the "pppx" group, pppac0 gets no group: pf names it (§6)', () => {
    for (const [v, t] of all) expect(t.get('etc/pf.macvpn.conf'), v).toContain(before(v, '6.7') ? '\npass on pppx\n' : '\npass on pppac0\n');
  });

  it('rcctl first appeared in 5.7: 5.6 enables services with rc.conf.local lines (§5)', () => {
    const t = tree('5.6').get('install.sh')!;
    expect(t).not.toMatch(/^\s*rcctl /m);
    expect(t).toContain(`'isakmpd_flags="-K"' 'ipsec=YES' 'npppd_flags=""'`);
    expect(t).toContain('put "$STAGE/rc.conf.local" "$ROOT/etc/rc.conf.local" 0644');
  });

  it('5.7 rcctl has "enable X flags", no "set", one daemon per call ("Additions" 9)', () => {
    const cmds = tree('5.7').get('install.sh')!.match(/^rcctl .*$/gm);
    expect(cmds).toEqual(['rcctl enable isakmpd flags -K', 'rcctl enable ipsec', 'rcctl enable npppd']);
  });

  it('from 5.8 rcctl documents "set": one daemon per call on every later release ("Additions" 9)', () => {
    for (const [v, t] of all.filter(([v]) => !before(v, '5.8'))) {
      expect(t.get('install.sh')!.match(/^rcctl .*$/gm), v).toEqual([
        'rcctl set isakmpd status on', 'rcctl set isakmpd flags -K', 'rcctl set ipsec status on', 'rcctl set npppd status on',
      ]);
      expect(t.get('install.sh'), v).not.toContain('rc.conf.local');
    }
  });

  it('the default main-mode group became modp3072 in 5.8 (ipsec.conf.5 1.150), which macOS never offers: the group is explicit on every release (§1, §7)', () => {
    for (const [v, t] of all) expect(t.get('etc/ipsec.conf'), v).toContain('main auth hmac-sha2-256 enc aes-256 group modp2048');
  });

  it('everything else is the same text on every release', () => {
    const strip = (s: string) => s.replace(/OpenBSD \d\.\d/g, 'OpenBSD X').replace(/VERSION=\d\.\d/, 'VERSION=X');
    const ref = tree('7.9');
    for (const [v, t] of all) {
      for (const p of ['etc/ipsec.conf', 'etc/npppd/npppd-users', 'etc/sysctl.macvpn.conf']) expect(strip(t.get(p)!), `${v} ${p}`).toBe(strip(ref.get(p)!));
    }
  });

  it('an unknown release is an error listing the known ones', () => {
    expect(() => planServer(fixtureSite(), { openbsd: '8.0' })).toThrow(/"8.0" is not a known release/);
    let thrown: unknown;
    try {
      planServer(fixtureSite(), { openbsd: '5.5' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown, 'planServer must throw for 5.5').toBeDefined();
    expect((thrown as { hints: string[] }).hints).toEqual([`known releases: ${KNOWN_OPENBSD.join(', ')}`]);
  });
});
