/**
 * Issue 10, "a fixed address can be handed to someone else": npppd treats a plain pool-address as
 * dynamic, so a user's fixed address inside it could be leased to another user first. The
 * renderer keeps fixed addresses out of the dynamic ranges and lists each `for static`; the
 * importer reads that layout back as the same subnet.
 */
import { describe, expect, it } from 'vitest';
import { poolAddressLines, renderNpppdConf } from '../../../src/vpn/l2tp/render-npppd-conf.js';
import { parseNpppdConf } from '../../../src/vpn/l2tp/import/npppd-conf.js';
import { formatIpv4, parseIpv4 } from '../../../src/site/ipv4.js';
import { parsePool } from '../../../src/site/rules.js';
import { openbsdRelease } from '../../../src/openbsd/versions.js';
import type { Pool } from '../../../src/site/types.js';
import { fixtureSite } from '../../helpers/site-fixture.js';

/** [first, last, static?] of each pool-address line. */
function ranges(lines: string[]): Array<[number, number, boolean]> {
  return lines.map((l) => {
    const m = /^pool-address (\S+)-(\S+)( for static)?$/.exec(l)!;
    return [parseIpv4(m[1]!)!, parseIpv4(m[2]!)!, m[3] !== undefined];
  });
}

describe('pool-address lines', () => {
  it('are the one client range when nobody has a fixed address', () => {
    expect(poolAddressLines(fixtureSite({ users: [{ name: 'alice' }] }))).toEqual(['pool-address 10.0.0.2-10.0.0.254']);
  });
  it('split the range around fixed addresses, each then for static only', () => {
    const site = fixtureSite({ users: [{ name: 'a', ip: '10.0.0.50' }, { name: 'b', ip: '10.0.0.2' }, { name: 'c', ip: '10.0.0.254' }, { name: 'd', ip: '10.0.0.51' }] });
    expect(poolAddressLines(site)).toEqual([
      'pool-address 10.0.0.3-10.0.0.49',
      'pool-address 10.0.0.52-10.0.0.253',
      'pool-address 10.0.0.2-10.0.0.2 for static',
      'pool-address 10.0.0.50-10.0.0.50 for static',
      'pool-address 10.0.0.51-10.0.0.51 for static',
      'pool-address 10.0.0.254-10.0.0.254 for static',
    ]);
  });
  it('never lease a fixed address dynamically and cover the client range exactly (random sites)', () => {
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let round = 0; round < 300; round++) {
      const prefix = 22 + rnd(8);
      const size = 2 ** (32 - prefix);
      // 10.x.y.0 aligned to the prefix: host bits clear, as parsePool requires.
      const base = 10 * 2 ** 24 + rnd(2 ** 16) * 256;
      const pool = parsePool(`${formatIpv4(base - (base % size))}/${prefix}`) as Pool;
      expect(typeof pool).toBe('object');
      const fixed = [...new Set(Array.from({ length: rnd(6) }, () => pool.network + 2 + rnd(size - 3)))];
      const site = fixtureSite({ pool, users: fixed.map((ip, i) => ({ name: `u${i}`, ip: formatIpv4(ip) })) });
      const r = ranges(poolAddressLines(site));
      const dynamic = r.filter(([, , s]) => !s);
      for (const ip of fixed) expect(dynamic.some(([a, b]) => ip >= a && ip <= b)).toBe(false);
      const covered = r.reduce((n, [a, b]) => n + (b - a + 1), 0);
      expect(covered).toBe(size - 3);
      expect(Math.min(...r.map(([a]) => a))).toBe(pool.network + 2);
      expect(Math.max(...r.map(([, b]) => b))).toBe(pool.network + size - 2);
    }
  });
  it('is read back by macvpn import as the same subnet', () => {
    const site = fixtureSite({ users: [{ name: 'a', ip: '10.0.0.50' }, { name: 'b' }] });
    const conf = renderNpppdConf(site, openbsdRelease('7.9')!);
    const r = parseNpppdConf(conf);
    expect(r.problems).toEqual([]);
    expect(r.pool).toBe('10.0.0.0/24');
  });
  it('import still refuses several lines that are not one subnet', () => {
    const r = parseNpppdConf('ipcp IPCP {\n\tpool-address 10.0.0.2-10.0.0.49\n\tpool-address 10.0.0.60-10.0.0.254\n}\n');
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringContaining('leave a gap or overlap at 10.0.0.60')]);
  });
});
