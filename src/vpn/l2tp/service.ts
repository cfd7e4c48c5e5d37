/**
 * What install.sh and check.sh do for L2TP: validate with ipsecctl and npppd, refuse to replace a
 * foreign /etc/ipsec.conf, enable isakmpd -K, ipsec and npppd per release, start isakmpd and load
 * ipsec.conf after its FIFO exists, and restart npppd only when its configuration changed.
 * Facts: openbsd.md §1, §3, §5 and "Additions" 9; DESIGN.md §5.
 */
import type { ServiceStyle } from '../../openbsd/versions.js';
import type { ServiceScript } from '../vpn-type.js';
import { PF_CHECK } from '../../openbsd/render-script-parts.js';
import { stageName } from '../../openbsd/server-paths.js';
import { IPSEC_CONF } from './files.js';

/** Service enabling per release: one daemon per rcctl call everywhere (openbsd.md "Additions" 9). */
const ENABLE: Readonly<Record<ServiceStyle, string[]>> = {
  'rc-conf-local': ['# OpenBSD 5.6: enabled by the rc.conf.local lines installed above (no rcctl before 5.7, openbsd.md section 5).'],
  'rcctl-enable': [
    '# OpenBSD 5.7: rcctl enable, one daemon per call, no "set" yet (rcctl.8 1.12; openbsd.md "Additions" 9).',
    'rcctl enable isakmpd flags -K',
    'rcctl enable ipsec',
    'rcctl enable npppd',
  ],
  'rcctl-set': [
    '# OpenBSD 5.8+: rcctl set, one daemon per call (rcctl.8 1.19; several per call only from about 6.4,',
    '# openbsd.md "Additions" 9). -K: no KeyNote policy, still valid in 7.x (isakmpd.8, section 5).',
    'rcctl set isakmpd status on',
    'rcctl set isakmpd flags -K',
    'rcctl set ipsec status on',
    'rcctl set npppd status on',
  ],
};

/** Why install.sh stops on a foreign /etc/ipsec.conf (inside double quotes in the script: no $, ` or "). */
export const FOREIGN_IPSEC_STOP =
  '/etc/ipsec.conf holds rules not written by macvpn (another IPsec tunnel?) that installing would replace: nothing was changed. ' +
  'To replace it (backed up to /var/backups/macvpn/ first): sh install.sh --replace-ipsec-conf. ' +
  'To keep them: merge them by hand with the ipsec.conf next to this script.';

/**
 * `foreign_ipsec_conf`: /etc/ipsec.conf (absent by default) was not written by macvpn and holds a
 * line that is neither blank nor a comment. Also used by the IKEv2 hand-over, which must not
 * disable an isakmpd that runs someone else's tunnels.
 */
export const FOREIGN_IPSEC_CONF: readonly string[] = [
  '# foreign_ipsec_conf: /etc/ipsec.conf (absent by default) was not written by macvpn and holds a',
  '# line that is neither blank nor a comment: ike or flow rules, e.g. a site-to-site tunnel, that',
  '# installing would replace and restarting isakmpd would drop.',
  'foreign_ipsec_conf() {',
  `\t[ -f "$ROOT${IPSEC_CONF.target}" ] && ! from_macvpn "$ROOT${IPSEC_CONF.target}" ipsec.conf &&`,
  `\t\tgrep -q '^[[:space:]]*[^#[:space:]]' "$ROOT${IPSEC_CONF.target}"`,
  '}',
];

export const L2TP_SCRIPT: ServiceScript = {
  installPurpose: [
    'Installs the files next to this script on this OpenBSD router and starts the VPN:',
    '/etc/ipsec.conf, /etc/npppd/npppd.conf, /etc/npppd/npppd-users, /etc/pf.macvpn.conf, the pf',
    'anchor hook in /etc/pf.conf, sysctl lines in /etc/sysctl.conf; enables isakmpd -K, ipsec and npppd.',
    'Every file it replaces is copied to /var/backups/macvpn/ first. Safe to run again.',
    'It stops, changing nothing, if /etc/ipsec.conf holds rules macvpn did not write.',
  ],
  checkPurpose: [
    'Checks the files next to this script with ipsecctl -n, npppd -n and pfctl -n and lists what',
    'install.sh would change. Changes nothing.',
  ],
  restartHelp: 'restart isakmpd and npppd even if their configuration is unchanged',
  flags: [{ flag: '--replace-ipsec-conf', variable: 'REPLACE_IPSEC_CONF', help: 'replace an /etc/ipsec.conf with rules not written by macvpn (backed up)' }],
  // 5.6 has no rcctl: services are enabled by these rc.conf.local lines (seed post; openbsd.md section 5).
  rcConfLocal: { lines: ['isakmpd_flags="-K"', 'ipsec=YES', 'npppd_flags=""'], keys: ['isakmpd_flags', 'ipsec', 'npppd_flags'] },
  validate: [
    `ipsecctl -n -f "$STAGE/${stageName(IPSEC_CONF.target)}" || die "ipsecctl rejected ipsec.conf: nothing was changed"`,
    'npppd -n -f "$STAGE/npppd.conf" || die "npppd rejected npppd.conf: nothing was changed"',
    PF_CHECK,
    '# getcap(3): a npppd-users.db next to the text file is read instead of it (openbsd.md section 3).',
    'if [ -e "$ROOT/etc/npppd/npppd-users.db" ]; then',
    '\twarn "/etc/npppd/npppd-users.db exists and npppd reads it instead of npppd-users: remove it"',
    'fi',
  ],
  ownership: [...FOREIGN_IPSEC_CONF],
  beforeInstall: [
    '# Other IPsec rules (site-to-site tunnels) would be replaced and dropped by the isakmpd restart:',
    '# only with --replace-ipsec-conf. The stock npppd.conf (OpenBSD ships one) is simply replaced.',
    'if foreign_ipsec_conf; then',
    '\tif [ "$REPLACE_IPSEC_CONF" = no ]; then',
    `\t\tdie "${FOREIGN_IPSEC_STOP}"`,
    '\tfi',
    '\tsay "replacing /etc/ipsec.conf, which holds rules not written by macvpn (--replace-ipsec-conf)"',
    'fi',
    'if [ -f "$ROOT/etc/npppd/npppd.conf" ] && ! from_macvpn "$ROOT/etc/npppd/npppd.conf" npppd.conf; then',
    '\tsay "/etc/npppd/npppd.conf was not written by macvpn (OpenBSD ships a default one): replacing it"',
    'fi',
  ],
  checkWarnings: [
    'if foreign_ipsec_conf; then',
    '\twarn "/etc/ipsec.conf has rules not written by macvpn; install.sh will stop unless --replace-ipsec-conf"',
    'fi',
  ],
  accepted: 'ipsecctl, npppd and pfctl accept the new configuration',
  dirs: [{ path: '/etc/npppd', mode: '0755' }],
  enable: (style) => ENABLE[style],
  start: [
    '# 6. (Re)start the daemons with /etc/rc.d scripts (present on every release; rcctl only from 5.7).',
    '# rc.d/isakmpd does not load ipsec.conf: ipsecctl -f must follow once isakmpd has created its',
    '# FIFO (etc/rc, rc.d/isakmpd 1.4; openbsd.md section 5).',
    'FIFO=$ROOT/var/run/isakmpd.fifo',
    'if ! "$ROOT/etc/rc.d/isakmpd" check >/dev/null 2>&1 || changed /etc/ipsec.conf || [ "$RESTART" = yes ]; then',
    '\t"$ROOT/etc/rc.d/isakmpd" stop >/dev/null 2>&1 || true',
    '\trm -f "$FIFO"',
    '\t"$ROOT/etc/rc.d/isakmpd" start',
    '\ttries=0',
    '\twhile [ ! -p "$FIFO" ]; do',
    '\t\ttries=$((tries + 1))',
    '\t\t[ "$tries" -le 10 ] || die "isakmpd did not create /var/run/isakmpd.fifo: see /var/log/daemon"',
    '\t\tsleep 1',
    '\tdone',
    '\tipsecctl -f "$ROOT/etc/ipsec.conf"',
    '\tsay "isakmpd started and /etc/ipsec.conf loaded"',
    'fi',
    'if ! "$ROOT/etc/rc.d/npppd" check >/dev/null 2>&1; then',
    '\t"$ROOT/etc/rc.d/npppd" start',
    'elif changed /etc/npppd/npppd.conf || [ "$RESTART" = yes ]; then',
    '\t"$ROOT/etc/rc.d/npppd" restart',
    // npppd's privileged process reads npppd-users with cgetent(3) at every login (privsep.c,
    // PRIVSEP_GET_USER_INFO), so new users and passwords need no restart, which would drop
    // every connected session.
    'elif changed /etc/npppd/npppd-users; then',
    '\tsay "npppd reads npppd-users at each login: changes apply to the next connection (no restart)"',
    '\tsay "to end a removed user\'s session now: npppctl clear username NAME"',
    'fi',
  ],
  done: 'done: connect a Mac, then check with: npppctl session brief; ipsecctl -s sa',
};
