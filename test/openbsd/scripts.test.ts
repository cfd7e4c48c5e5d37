/**
 * install.sh and check.sh: syntax (sh -n, shellcheck) and real runs with dash
 * against a fake root (MACVPN_ROOT) whose tools are stubs that log their argv. Asserts the order
 * of calls (validation before anything is enabled or loaded), the backups, that a rejected file
 * changes nothing, and that a second run changes nothing.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planServer } from '../../src/plan/plan-server.js';
import { writeFiles } from '../../src/io/write-files.js';
import { KNOWN_OPENBSD } from '../../src/openbsd/versions.js';
import { snapshot } from '../helpers/cli.js';
import { fakeRoot, RCD, STUB } from '../helpers/fake-root.js';
import { FOREIGN_IPSEC_STOP } from '../../src/vpn/l2tp/service.js';
import { fixtureSite, GOLDEN_VERSIONS, legacySite } from './fixture.js';
import type { Site } from '../../src/site/types.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe.each(GOLDEN_VERSIONS)('scripts for OpenBSD %s', (v) => {
  const files = planServer(fixtureSite(), { openbsd: v });
  for (const name of ['install.sh', 'check.sh']) {
    const text = files.find((f) => f.path === name)!.contents as string;
    it(`${name} passes sh -n`, () => {
      const r = spawnSync('sh', ['-n'], { input: text });
      expect(r.stderr.toString()).toBe('');
      expect(r.status).toBe(0);
    });
    // shellcheck is required (.ci/run installs it): a missing one fails here, never skips.
    it(`${name} passes shellcheck -s sh`, () => {
      const r = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: text });
      expect(r.error, 'shellcheck must be installed (apt-get install shellcheck)').toBeUndefined();
      expect(r.stdout.toString()).toBe('');
      expect(r.status).toBe(0);
    });
  }
});

const OLD_PF = 'set skip on lo\n\nblock return\t# block stateless traffic\npass\t\t# establish keep-state\n';
const OLD_SYSCTL = 'net.inet.ip.forwarding=0\t# 1=Permit forwarding\nkern.maxfiles=4096\n';

/** A fake router: stub tools on PATH, rc.d stubs, an old ipsec.conf, pf.conf and sysctl.conf. */
function fakeRouter(version: string, site: Site = fixtureSite()) {
  const { base, root, tree, stub, run } = fakeRoot('macvpn-router-', dirs);
  stub('rcctl', STUB('rcctl'));
  stub('npppd', STUB('npppd'));
  stub('ipsecctl', STUB('ipsecctl', 'if [ "$1" = -n ] && [ "${MACVPN_TEST_FAIL:-}" = ipsecctl ]; then echo "syntax error" >&2; exit 1; fi\n'));
  stub('isakmpd', RCD('isakmpd', '; [ -p "$MACVPN_ROOT/var/run/isakmpd.fifo" ] || mkfifo "$MACVPN_ROOT/var/run/isakmpd.fifo"'), path.join(root, 'etc/rc.d'));
  stub('npppd', RCD('npppd'), path.join(root, 'etc/rc.d'));
  fs.writeFileSync(path.join(root, 'etc/ipsec.conf'), '# old\n', { mode: 0o600 });
  fs.writeFileSync(path.join(root, 'etc/pf.conf'), OLD_PF, { mode: 0o600 });
  fs.writeFileSync(path.join(root, 'etc/sysctl.conf'), OLD_SYSCTL, { mode: 0o644 });
  const files = planServer(site, { openbsd: version });
  writeFiles(tree, files);
  /** etc/ and var/backups/ (var/run holds a FIFO, which cannot be read for a hash). */
  const state = () => ({ etc: snapshot(path.join(root, 'etc')), backups: fs.existsSync(path.join(root, 'var/backups')) ? snapshot(path.join(root, 'var/backups')) : {} });
  const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');
  return { root, tree, base, files, run, state, read, rewrite: (s: Site) => writeFiles(tree, planServer(s, { openbsd: version })) };
}

const VALIDATION = ['ipsecctl -n -f', 'npppd -n -f', 'pfctl -n -f'];
const firstIndex = (calls: string[], prefixes: string[]) => Math.min(...prefixes.map((p) => calls.findIndex((c) => c.startsWith(p))).filter((i) => i >= 0));
const lastIndex = (calls: string[], prefixes: string[]) => Math.max(...prefixes.map((p) => calls.findIndex((c) => c.startsWith(p))));
const ACTIONS = ['install ', 'rcctl ', 'sysctl ', 'pfctl -f', 'rc.d/', 'ipsecctl -f'];

describe.each(['5.6', '5.7', '7.9'])('install.sh on a fake OpenBSD %s root', (v) => {
  const r = fakeRouter(v);
  const first = r.run('install.sh');
  const afterFirst = r.state();
  const second = r.run('install.sh');

  it('succeeds', () => {
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
  });

  it('validates the staged files before it installs, enables, loads or starts anything', () => {
    expect(first.calls.slice(0, 3).map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual(VALIDATION);
    expect(lastIndex(first.calls, VALIDATION)).toBeLessThan(firstIndex(first.calls, ACTIONS));
    // The checks read staged copies, never the live /etc files.
    for (const c of first.calls.slice(0, 3)) expect(c).not.toContain('ROOT/etc/');
  });

  it('enables, applies sysctl, loads pf, starts isakmpd, waits, then loads ipsec.conf, then npppd', () => {
    const actions = first.calls.filter((c) => !c.startsWith('install ') && !VALIDATION.some((p) => c.startsWith(p)));
    const enable = v === '5.6' ? [] : v === '5.7'
      ? ['rcctl enable isakmpd flags -K', 'rcctl enable ipsec', 'rcctl enable npppd']
      : ['rcctl set isakmpd status on', 'rcctl set isakmpd flags -K', 'rcctl set ipsec status on', 'rcctl set npppd status on'];
    expect(actions).toEqual([
      ...enable,
      'sysctl net.pipex.enable=1',
      'sysctl net.inet.ip.forwarding=1',
      'pfctl -f ROOT/etc/pf.conf',
      'rc.d/isakmpd check', 'rc.d/isakmpd stop', 'rc.d/isakmpd start',
      'ipsecctl -f ROOT/etc/ipsec.conf',
      'rc.d/npppd check', 'rc.d/npppd start',
    ]);
  });

  it('installs the generated files with root:wheel and their modes', () => {
    for (const f of r.files.filter((f) => f.path.startsWith('etc/') && f.path !== 'etc/sysctl.macvpn.conf')) {
      expect(r.read(f.path), f.path).toBe(f.contents);
      expect((fs.statSync(path.join(r.root, f.path)).mode & 0o777).toString(8), f.path).toBe('600');
      const re = new RegExp(`^install -o root -g wheel -m 0600 \\S+/${path.basename(f.path)} ROOT/${f.path}$`);
      expect(first.calls.filter((c) => re.test(c)), f.path).toHaveLength(1);
    }
  });

  it('merges the sysctl lines and the pf anchor hook, keeping the rest', () => {
    expect(r.read('etc/sysctl.conf')).toBe('kern.maxfiles=4096\n# added by macvpn install.sh\nnet.pipex.enable=1\nnet.inet.ip.forwarding=1\n');
    expect(r.read('etc/pf.conf')).toBe(OLD_PF + '# added by macvpn install.sh\nanchor "macvpn"\nload anchor "macvpn" from "/etc/pf.macvpn.conf"\n');
    if (v === '5.6') expect(r.read('etc/rc.conf.local')).toBe('# added by macvpn install.sh\nisakmpd_flags="-K"\nipsec=YES\nnpppd_flags=""\n');
    else expect(fs.existsSync(path.join(r.root, 'etc/rc.conf.local'))).toBe(false);
  });

  it('backs up exactly the files it replaced', () => {
    expect(afterFirst.backups).toEqual({
      'macvpn/': '700',
      'macvpn/etc_ipsec.conf.1': expect.stringMatching(/^600 /),
      'macvpn/etc_pf.conf.1': expect.stringMatching(/^600 /),
      'macvpn/etc_sysctl.conf.1': expect.stringMatching(/^644 /),
    });
    expect(fs.readFileSync(path.join(r.root, 'var/backups/macvpn/etc_ipsec.conf.1'), 'utf8')).toBe('# old\n');
    expect(fs.readFileSync(path.join(r.root, 'var/backups/macvpn/etc_sysctl.conf.1'), 'utf8')).toBe(OLD_SYSCTL);
  });

  it('changes nothing on a second run: no copies, backups, restarts or reloads of ipsec.conf', () => {
    expect(second.status).toBe(0);
    expect(r.state()).toEqual(afterFirst);
    expect(second.stdout).toContain('nothing to change');
    expect(second.calls.filter((c) => c.startsWith('install ') || / (start|stop|restart)$/.test(c) || c.startsWith('ipsecctl -f'))).toEqual([]);
    expect(lastIndex(second.calls, VALIDATION)).toBeLessThan(firstIndex(second.calls, ACTIONS));
  });
});

describe('install.sh with a file the parsers reject', () => {
  it('stops before changing anything and leaves the old configuration live', () => {
    const r = fakeRouter('7.9');
    const before = r.state();
    const res = r.run('install.sh', { MACVPN_TEST_FAIL: 'ipsecctl' });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('macvpn: error: ipsecctl rejected ipsec.conf: nothing was changed');
    expect(res.calls).toEqual([expect.stringMatching(/^ipsecctl -n -f \S+\/ipsec\.conf$/)]);
    expect(r.state()).toEqual(before);
    expect(fs.readdirSync(path.join(r.base, 'tmp'))).toEqual([]); // staging folder removed
  });
});

describe('install.sh after a change to the users', () => {
  it('replaces npppd-users and backs it up without restarting anything (npppd reads it at each login)', () => {
    const r = fakeRouter('7.9');
    r.run('install.sh');
    const site = fixtureSite();
    // carol has no fixed address: only npppd-users changes (a fixed address would change the
    // pool-address lines of npppd.conf too, which restarts npppd).
    r.rewrite({ ...site, users: site.users.filter((u) => u.name !== 'carol@example.com') });
    const res = r.run('install.sh');
    expect(res.status).toBe(0);
    expect(res.calls.filter((c) => / (start|stop|restart)$/.test(c) || c.startsWith('ipsecctl -f'))).toEqual([]);
    expect(res.stdout).toContain('changes apply to the next connection (no restart)');
    expect(fs.existsSync(path.join(r.root, 'var/backups/macvpn/etc_npppd_npppd-users.1'))).toBe(true);
    expect(r.read('etc/npppd/npppd-users')).not.toContain('carol@example.com:');
  });
});

const FOREIGN_IPSEC = 'ike esp from 192.0.2.1 to 198.51.100.1 psk "x"\n';
const FOREIGN_WARNING = 'macvpn: warning: /etc/ipsec.conf has rules not written by macvpn; install.sh will stop unless --replace-ipsec-conf\n';

/** A fake 7.9 router whose /etc/ipsec.conf holds `text` (mode 0600). */
function routerWithIpsecConf(text: string) {
  const r = fakeRouter('7.9');
  fs.writeFileSync(path.join(r.root, 'etc/ipsec.conf'), text, { mode: 0o600 });
  return r;
}

describe('install.sh and an /etc/ipsec.conf with rules not written by macvpn (site-to-site tunnels)', () => {
  it.each([
    ['an ike rule', FOREIGN_IPSEC],
    ['an indented flow rule after comments', '# tunnel to the branch office\n\n\tflow esp from 10.1.0.0/16 to 10.2.0.0/16 peer 198.51.100.1\n'],
    ['a rule without a final newline', '# x\nike esp from 192.0.2.1 to 198.51.100.1'],
  ])('stops after the parser checks and changes nothing: %s', (_, text) => {
    const r = routerWithIpsecConf(text);
    const before = r.state();
    const res = r.run('install.sh');
    expect(res.status).toBe(1);
    expect(res.stderr).toBe(`macvpn: error: ${FOREIGN_IPSEC_STOP}\n`);
    expect(res.stdout).toBe('macvpn: checking the new configuration (nothing is changed yet)\n');
    expect(res.calls.map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual(VALIDATION);
    expect(r.state()).toEqual(before);
    expect(r.read('etc/ipsec.conf')).toBe(text);
    expect(fs.readdirSync(path.join(r.base, 'tmp'))).toEqual([]); // staging folder removed
  });

  it('says which file, that nothing changed, and both ways out', () => {
    expect(FOREIGN_IPSEC_STOP).toBe(
      '/etc/ipsec.conf holds rules not written by macvpn (another IPsec tunnel?) that installing would replace: nothing was changed. ' +
        'To replace it (backed up to /var/backups/macvpn/ first): sh install.sh --replace-ipsec-conf. ' +
        'To keep them: merge them by hand with the ipsec.conf next to this script.',
    );
  });

  it('replaces it after backing it up with --replace-ipsec-conf, then runs again without the flag', () => {
    const r = routerWithIpsecConf(FOREIGN_IPSEC);
    const res = r.run('install.sh', {}, ['--replace-ipsec-conf']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('macvpn: replacing /etc/ipsec.conf, which holds rules not written by macvpn (--replace-ipsec-conf)\n');
    expect(res.stdout).toContain('macvpn: backed up /etc/ipsec.conf to /var/backups/macvpn/etc_ipsec.conf.1\n');
    expect(fs.readFileSync(path.join(r.root, 'var/backups/macvpn/etc_ipsec.conf.1'), 'utf8')).toBe(FOREIGN_IPSEC);
    expect(r.read('etc/ipsec.conf')).toBe(r.files.find((f) => f.path === 'etc/ipsec.conf')!.contents);
    expect(res.calls).toContain('ipsecctl -f ROOT/etc/ipsec.conf');
    // Now macvpn's own file: no flag needed, nothing to change.
    const again = r.run('install.sh');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('nothing to change');
    expect(again.stdout).not.toContain('replacing /etc/ipsec.conf');
  });

  it('accepts --restart and --replace-ipsec-conf together, in either order', () => {
    for (const args of [['--restart', '--replace-ipsec-conf'], ['--replace-ipsec-conf', '--restart']]) {
      const r = routerWithIpsecConf(FOREIGN_IPSEC);
      expect(r.run('install.sh').status).toBe(1);
      const res = r.run('install.sh', {}, args);
      expect(res.stderr, args.join(' ')).toBe('');
      expect(res.status, args.join(' ')).toBe(0);
      expect(fs.readFileSync(path.join(r.root, 'var/backups/macvpn/etc_ipsec.conf.1'), 'utf8')).toBe(FOREIGN_IPSEC);
      // --restart: npppd restarts even though it was just started, then again on a run with nothing changed.
      const restart = r.run('install.sh', {}, ['--restart']);
      expect(restart.status).toBe(0);
      expect(restart.calls).toContain('rc.d/isakmpd start');
      expect(restart.calls).toContain('rc.d/npppd restart');
    }
  });

  it('rejects an unknown argument before anything else', () => {
    const r = routerWithIpsecConf(FOREIGN_IPSEC);
    const before = r.state();
    const res = r.run('install.sh', {}, ['--restart', '--bogus']);
    expect(res.status).toBe(1);
    expect(res.stderr).toBe('macvpn: error: unknown argument --bogus (usage: sh install.sh [--restart] [--replace-ipsec-conf])\n');
    expect(res.calls).toEqual([]);
    expect(r.state()).toEqual(before);
  });

  it('installs without the flag over a file holding only comments and blank lines (backed up)', () => {
    const text = '#\tike esp from 192.0.2.1 to 198.51.100.1 psk "x"\n\n   # indented comment\n\t\n';
    const r = routerWithIpsecConf(text);
    const res = r.run('install.sh');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).not.toContain('replacing /etc/ipsec.conf');
    expect(fs.readFileSync(path.join(r.root, 'var/backups/macvpn/etc_ipsec.conf.1'), 'utf8')).toBe(text);
  });

  it('installs without the flag over an ipsec.conf macvpn wrote for another site and release (backed up)', () => {
    const old = planServer(legacySite(), { openbsd: '6.7' }).find((f) => f.path === 'etc/ipsec.conf')!.contents as string;
    const r = routerWithIpsecConf(old.replace('vpn.example.com', 'old-name.example.net'));
    expect(r.run('check.sh').stderr).toBe('');
    const res = r.run('install.sh');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).not.toContain('replacing /etc/ipsec.conf');
    expect(fs.readFileSync(path.join(r.root, 'var/backups/macvpn/etc_ipsec.conf.1'), 'utf8')).toContain('old-name.example.net');
  });

  it('installs without the flag when there is no /etc/ipsec.conf (the OpenBSD default)', () => {
    const r = fakeRouter('7.9');
    fs.rmSync(path.join(r.root, 'etc/ipsec.conf'));
    expect(r.run('check.sh').stderr).toBe('');
    const res = r.run('install.sh');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(fs.existsSync(path.join(r.root, 'var/backups/macvpn/etc_ipsec.conf.1'))).toBe(false);
  });

  it('check.sh warns, still validates and lists, and changes nothing', () => {
    const r = routerWithIpsecConf(FOREIGN_IPSEC);
    const before = r.state();
    const res = r.run('check.sh');
    expect(res.status).toBe(0);
    expect(res.stderr).toBe(FOREIGN_WARNING);
    expect(res.stdout).toContain('macvpn: would change: /etc/ipsec.conf');
    expect(res.calls.map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual(VALIDATION);
    expect(r.state()).toEqual(before);
    r.run('install.sh', {}, ['--replace-ipsec-conf']);
    expect(r.run('check.sh').stderr).toBe('');
  });
});

describe('install.sh and the stock /etc/npppd/npppd.conf OpenBSD ships', () => {
  it('replaces it without stopping, says so and backs it up', () => {
    const stock = 'authentication LOCAL type local {\n\tusers-file "/etc/npppd/npppd-users"\n}\ntunnel L2TP protocol l2tp {\n\tlisten on 0.0.0.0\n\tlisten on ::\n}\n' +
      'ipcp IPCP {\n\tpool-address 10.0.0.2-10.0.0.254\n\tdns-servers 8.8.8.8\n}\ninterface pppx0 address 10.0.0.1 ipcp IPCP\nbind tunnel from L2TP authenticated by LOCAL to pppx0\n';
    const r = fakeRouter('7.9');
    fs.mkdirSync(path.join(r.root, 'etc/npppd'));
    fs.writeFileSync(path.join(r.root, 'etc/npppd/npppd.conf'), stock, { mode: 0o600 });
    expect(r.run('check.sh').stderr).toBe('');
    const res = r.run('install.sh');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('macvpn: /etc/npppd/npppd.conf was not written by macvpn (OpenBSD ships a default one): replacing it\n');
    expect(res.stdout).toContain('macvpn: backed up /etc/npppd/npppd.conf to /var/backups/macvpn/etc_npppd_npppd.conf.1\n');
    expect(fs.readFileSync(path.join(r.root, 'var/backups/macvpn/etc_npppd_npppd.conf.1'), 'utf8')).toBe(stock);
    expect(r.run('install.sh').stdout).not.toContain('was not written by macvpn');
  });
});

describe('check.sh', () => {
  it('validates and lists what would change, changing nothing', () => {
    const r = fakeRouter('7.9');
    const before = r.state();
    const res = r.run('check.sh');
    expect(res.status).toBe(0);
    expect(res.calls.map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual(VALIDATION);
    expect(res.stdout).toContain('macvpn: would change: /etc/ipsec.conf');
    expect(res.stdout).toContain('macvpn: would change: /etc/pf.conf');
    expect(r.state()).toEqual(before);
    r.run('install.sh');
    expect(r.run('check.sh').stdout).not.toContain('would change');
  });
});

it('covers every known release with a script that parses', () => {
  for (const v of KNOWN_OPENBSD) {
    for (const f of planServer(fixtureSite(), { openbsd: v }).filter((f) => f.path.endsWith('.sh'))) {
      expect(spawnSync('sh', ['-n'], { input: f.contents as string }).status, `${v} ${f.path}`).toBe(0);
    }
  }
});
