/**
 * Issue 8: every rendered iked.conf passes OpenBSD's own parser (`iked -n -f`, Debian's openiked,
 * installed by .ci/run) for every supported release, both auth modes and both suites, and a
 * broken one does not. Linux cannot resolve `egress` (an OpenBSD interface group, iked.md §6),
 * so the test replaces `local egress` with a literal address and says so; nothing else changes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderIkedConf } from '../../../src/vpn/ikev2/render-iked-conf.js';
import { KNOWN_OPENBSD, compareOpenbsd, openbsdRelease } from '../../../src/openbsd/versions.js';
import { SUITES } from '../../../src/vpn/ikev2/suites.js';
import { tempDir } from '../../helpers/cli.js';
import { ikev2Site } from './fixture.js';

const dir = tempDir('macvpn-iked-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The one change Linux forces: `egress` → a literal address. */
const forLinux = (conf: string) => conf.replace(/^\tlocal egress /m, '\tlocal 192.0.2.1 ');

function iked(conf: string, flags = '-n'): { status: number; out: string } {
  const f = path.join(dir, `iked-${Math.random().toString(36).slice(2)}.conf`);
  // iked refuses a group- or world-accessible iked.conf (iked.md §1, §6).
  fs.writeFileSync(f, conf, { mode: 0o600 });
  const r = spawnSync('iked', [flags, '-f', f], { encoding: 'utf8' });
  if (r.error) throw new Error(`iked could not run (${r.error.message}): install Debian's openiked (.ci/run does)`);
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** The `enc/auth/prf/group X` pairs of one ikesa or childsa clause, sorted. */
function transforms(text: string, clause: 'ikesa' | 'childsa'): string[] {
  const m = new RegExp(`${clause} ((?:(?:enc|auth|prf|group) \\S+ ?)+)(noesn)?`).exec(text);
  if (!m) return [];
  const words = m[1]!.trim().split(' ');
  const pairs: string[] = [];
  for (let i = 0; i < words.length; i += 2) pairs.push(`${words[i]} ${words[i + 1]}`);
  return [...pairs, ...(m[2] ? [m[2]] : [])].sort();
}

const RELEASES = KNOWN_OPENBSD.filter((v) => compareOpenbsd(v, '6.9') >= 0);

describe('iked -n accepts every rendered iked.conf', () => {
  it('covers every release from 6.9 on', () => {
    expect(RELEASES[0]).toBe('6.9');
    expect(RELEASES.at(-1)).toBe('7.9');
  });
  for (const auth of ['certificate', 'eap'] as const) {
    for (const suite of ['gcm', 'cbc'] as const) {
      const site = ikev2Site({ auth, suite }, [{ name: 'alice' }, { name: 'bob' }]);
      it.each(RELEASES)(`${auth}, ${suite}, OpenBSD %s`, (v) => {
        const conf = renderIkedConf(site, openbsdRelease(v)!);
        expect(conf).toContain('\tlocal egress peer any \\');
        const r = iked(forLinux(conf));
        expect(r.out).toContain('configuration OK');
        expect(r.status).toBe(0);
      });
    }
  }

  it('prints back the proposals of the cbc suite, which Linux iked keeps (it drops GCM Child SAs)', () => {
    const site = ikev2Site({ suite: 'cbc' });
    const r = iked(forLinux(renderIkedConf(site, openbsdRelease('7.9')!)), '-nv');
    expect(r.status).toBe(0);
    // iked prints transforms in its own order (prf before auth) and adds `noesn`: compare as sets.
    expect(transforms(r.out, 'ikesa')).toEqual(transforms(`ikesa ${SUITES.cbc.ikesa}`, 'ikesa'));
    expect(transforms(r.out, 'childsa')).toEqual(transforms(`childsa ${SUITES.cbc.childsa} noesn`, 'childsa'));
    expect(r.out).toContain('srcid vpn.example.com');
    expect(r.out).toContain('config address 10.8.0.0');
    expect(r.out).toContain('config name-server 192.168.1.1');
  });

  it('reads the EAP users and the eap keyword', () => {
    const r = iked(forLinux(renderIkedConf(ikev2Site({ auth: 'eap' }), openbsdRelease('7.9')!)), '-nv');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/eap "MSCHAP_V2"|eap "mschap-v2"|eap MSCHAP/i);
  });

  it.each([
    ['a transform iked does not know', (c: string) => c.replace('group ecp384 \\\n\tsrcid', 'group ecp999 \\\n\tsrcid')],
    ['keywords out of parse.y order', (c: string) => c.replace(/\tikesa (.*) \\\n\tchildsa (.*) \\\n/, '\tchildsa $2 \\\n\tikesa $1 \\\n')],
    ['a missing line continuation', (c: string) => c.replace('dynamic \\\n', 'dynamic\n')],
    ['an unquoted tag with a dash', (c: string) => c.replace('tag "MACVPN"', 'tag MAC VPN')],
  ])('refuses a mutated iked.conf: %s', (_what, mutate) => {
    const good = forLinux(renderIkedConf(ikev2Site(), openbsdRelease('7.9')!));
    const bad = mutate(good);
    expect(bad).not.toBe(good);
    expect(iked(bad).status).not.toBe(0);
  });

  it('refuses a group-readable iked.conf, as on OpenBSD (so install.sh keeps 0600)', () => {
    const f = path.join(dir, 'loose.conf');
    fs.writeFileSync(f, forLinux(renderIkedConf(ikev2Site(), openbsdRelease('7.9')!)), { mode: 0o640 });
    fs.chmodSync(f, 0o644);
    const r = spawnSync('iked', ['-n', '-f', f], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
  });
});
