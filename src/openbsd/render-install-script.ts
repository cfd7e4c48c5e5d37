/**
 * install.sh: stage, validate, then install, enable, load and (re)start — in that order, so a
 * rejected file leaves the old configuration live. Idempotent: files are copied and backed up only
 * when their bytes differ, daemons restart only when their configuration changed (or with
 * --restart), so a second run changes nothing.
 */
import type { Site } from '../site/types.js';
import type { OpenbsdRelease, ServiceStyle } from './versions.js';
import { INSTALLED_FILES, SYSCTL_FRAGMENT } from './server-paths.js';
import { mergedFiles, ownership, prelude, staging, validation } from './render-script-parts.js';
import { joinLines } from './header.js';

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

const USAGE = 'sh install.sh [--restart] [--replace-ipsec-conf]';

/** Why install.sh stops on a foreign /etc/ipsec.conf (inside double quotes in the script: no $, ` or "). */
export const FOREIGN_IPSEC_STOP =
  '/etc/ipsec.conf holds rules not written by macvpn (another IPsec tunnel?) that installing would replace: nothing was changed. ' +
  'To replace it (backed up to /var/backups/macvpn/ first): sh install.sh --replace-ipsec-conf. ' +
  'To keep them: merge them by hand with the ipsec.conf next to this script.';

export function renderInstallScript(site: Site, release: OpenbsdRelease): string {
  const puts = [
    ...INSTALLED_FILES.map((f) => `put "$STAGE/${f.target.split('/').pop()}" "$ROOT${f.target}" ${f.mode}`),
    ...mergedFiles(release).map((f) => `put "$STAGE/${f.stage}" "$ROOT${f.target}" ${f.mode}`),
  ];
  return joinLines([
    ...prelude('install.sh', [
      'Installs the files next to this script on this OpenBSD router and starts the VPN:',
      '/etc/ipsec.conf, /etc/npppd/npppd.conf, /etc/npppd/npppd-users, /etc/pf.macvpn.conf, the pf',
      'anchor hook in /etc/pf.conf, sysctl lines in /etc/sysctl.conf; enables isakmpd -K, ipsec and npppd.',
      'Every file it replaces is copied to /var/backups/macvpn/ first. Safe to run again.',
      'It stops, changing nothing, if /etc/ipsec.conf holds rules macvpn did not write.',
      `Usage: ${USAGE}`,
      '  --restart             restart isakmpd and npppd even if their configuration is unchanged',
      '  --replace-ipsec-conf  replace an /etc/ipsec.conf with rules not written by macvpn (backed up)',
    ], site, release),
    'RESTART=no',
    'REPLACE_IPSEC_CONF=no',
    'for arg in "$@"; do',
    '\tcase $arg in',
    '\t--restart) RESTART=yes ;;',
    '\t--replace-ipsec-conf) REPLACE_IPSEC_CONF=yes ;;',
    `\t*) die "unknown argument $arg (usage: ${USAGE})" ;;`,
    '\tesac',
    'done',
    '',
    ...staging(release),
    ...validation(),
    ...ownership(),
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
    '',
    '# 3. Install: back up and replace only the files whose bytes differ.',
    'BACKUP_DIR=$ROOT/var/backups/macvpn',
    'CHANGED=" "',
    'backup() {',
    '\t[ -d "$BACKUP_DIR" ] || { mkdir -p "$BACKUP_DIR" && chmod 0700 "$BACKUP_DIR"; }',
    "\tname=$(printf '%s' \"${1#\"$ROOT\"}\" | sed 's|^/||; s|/|_|g')",
    '\tn=1',
    '\twhile [ -e "$BACKUP_DIR/$name.$n" ]; do n=$((n + 1)); done',
    '\tcp -p "$1" "$BACKUP_DIR/$name.$n"',
    '\tsay "backed up ${1#"$ROOT"} to ${BACKUP_DIR#"$ROOT"}/$name.$n"',
    '}',
    '# put STAGED TARGET MODE',
    'put() {',
    '\tif [ -f "$2" ] && cmp -s "$1" "$2"; then',
    '\t\tchmod "$3" "$2"',
    '\t\treturn 0',
    '\tfi',
    '\tif [ -f "$2" ]; then backup "$2"; fi',
    '\tinstall -o root -g wheel -m "$3" "$1" "$2"',
    '\tCHANGED="$CHANGED${2#"$ROOT"} "',
    '\tsay "installed ${2#"$ROOT"} (mode $3)"',
    '}',
    'changed() { case $CHANGED in *" $1 "*) return 0 ;; esac; return 1; }',
    '',
    '[ -d "$ROOT/etc/npppd" ] || install -d -o root -g wheel -m 0755 "$ROOT/etc/npppd"',
    ...puts,
    '',
    '# 4. Enable the services.',
    ...ENABLE[release.services],
    '',
    '# 5. Apply the sysctl settings now (/etc/sysctl.conf applies them at boot), then load pf.',
    `grep -v -e '^#' -e '^$' "$HERE/${SYSCTL_FRAGMENT}" | while read -r line; do sysctl "$line"; done`,
    'pfctl -f "$ROOT/etc/pf.conf"',
    '',
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
    '',
    'if [ "$CHANGED" = " " ]; then say "nothing to change: the router already runs this configuration"; fi',
    'say "done: connect a Mac, then check with: npppctl session brief; ipsecctl -s sa"',
  ]);
}
